/**
 * The server under abuse, on loopback with real parts: malformed requests get a 4xx with a clear
 * error body and never a 500 or a crash; many concurrent clients mixing queries and commits lose
 * and duplicate nothing and never hang; a client that walks away mid-result leaks no query,
 * connection or memory.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome } from '../../src/catalog/index.ts';
import { bootstrapAdmin, openGovernance } from '../../src/governance/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { DuckDbEngine } from '../../src/engine/index.ts';
import { startServer, type StrataServer } from '../../src/server/index.ts';

const REQUEST_TIMEOUT_MS = 60_000;

interface Info {
  id: string;
  state: string;
  rowCount: number;
  error?: { code: string; message: string };
}

describe('server reliability', () => {
  let dir: string;
  let server: StrataServer;
  const tokens: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-reliability-'));
    const home = await openStrataHome(dir, { threads: 2 });
    const governance = await openGovernance(home.catalog);
    await bootstrapAdmin(governance.identity);
    const engine = DuckDbEngine.create(home.runtime);
    const admin = await SqlSession.open({ catalog: home.catalog, engine });
    for (const sql of [
      'CREATE DATABASE load',
      'CREATE TABLE load.big AS SELECT range AS id, repeat(\'x\', 200) AS pad FROM range(200000)',
      'CREATE TABLE load.counter (k BIGINT, writer INTEGER)',
    ]) {
      await admin.execute(sql);
    }
    await admin.close();
    await engine.close();
    tokens['admin'] = (await governance.identity.createToken('admin')).token;
    tokens['expired'] = (await governance.identity.createToken('admin', { expiresInMs: 1 })).token;
    const revoked = await governance.identity.createToken('admin');
    await governance.identity.revokeToken(revoked.id);
    tokens['revoked'] = revoked.token;
    await governance.close();
    await home.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
    server = await startServer({ home: dir, port: 0, logLevel: 'silent', bodyLimitBytes: 64 * 1024, duckdb: { threads: 2 }, poolSize: 4 });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> => {
    const token = init.token === undefined ? tokens['admin'] : init.token;
    const headers = new Headers(init.headers);
    if (token !== null && token !== undefined) headers.set('authorization', `Bearer ${token}`);
    return fetch(`${server.url}${path}`, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  };
  const json = { 'content-type': 'application/json' };

  async function runQuery(sql: string): Promise<Info> {
    const submitted = (await (await call('/api/v1/queries', { method: 'POST', headers: json, body: JSON.stringify({ sql, reuse: false }) })).json()) as Info;
    let info = submitted;
    for (let wait = 10; !['succeeded', 'failed', 'cancelled'].includes(info.state); wait = Math.min(wait * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      info = (await (await call(`/api/v1/queries/${submitted.id}`)).json()) as Info;
    }
    return info;
  }

  const MALFORMED: readonly { name: string; path: string; init: RequestInit & { token?: string | null }; status: number }[] = [
    { name: 'bad JSON', path: '/api/v1/queries', init: { method: 'POST', headers: json, body: '{"sql": ' }, status: 400 },
    { name: 'wrong type', path: '/api/v1/queries', init: { method: 'POST', headers: json, body: JSON.stringify({ sql: { select: 1 } }) }, status: 400 },
    { name: 'missing field', path: '/api/v1/queries', init: { method: 'POST', headers: json, body: JSON.stringify({ workgroup: 'primary' }) }, status: 400 },
    { name: 'empty statement', path: '/api/v1/queries', init: { method: 'POST', headers: json, body: JSON.stringify({ sql: '' }) }, status: 400 },
    { name: 'body over the limit', path: '/api/v1/queries', init: { method: 'POST', headers: json, body: JSON.stringify({ sql: `SELECT '${'x'.repeat(100_000)}'` }) }, status: 413 },
    { name: 'not JSON at all', path: '/api/v1/queries', init: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'SELECT 1' }, status: 400 },
    { name: 'unknown route', path: '/api/v1/nothing-here', init: {}, status: 404 },
    { name: 'unknown query id', path: '/api/v1/queries/not-a-query', init: {}, status: 404 },
    { name: 'bad paging', path: '/api/v1/queries/x/results?limit=-5', init: {}, status: 400 },
    { name: 'bad format', path: '/api/v1/queries/x/results?format=xml', init: {}, status: 400 },
    { name: 'missing token', path: '/api/v1/queries', init: { token: null }, status: 401 },
    { name: 'expired token', path: '/api/v1/queries', init: { token: 'expired' }, status: 401 },
    { name: 'revoked token', path: '/api/v1/queries', init: { token: 'revoked' }, status: 401 },
    { name: 'garbage token', path: '/api/v1/queries', init: { token: 'strata_zz' }, status: 401 },
    { name: 'REST: bad JSON', path: '/v1/namespaces', init: { method: 'POST', headers: json, body: '[' }, status: 400 },
    { name: 'REST: unknown table', path: '/v1/namespaces/load/tables/nope', init: {}, status: 404 },
    { name: 'REST: missing token', path: '/v1/namespaces', init: { token: null }, status: 401 },
  ];

  for (const bad of MALFORMED) {
    test(`malformed: ${bad.name} → ${bad.status} with an error body`, async () => {
      const init = { ...bad.init, ...(bad.init.token === 'expired' || bad.init.token === 'revoked' ? { token: tokens[bad.init.token] ?? null } : {}) };
      const response = await call(bad.path, init);
      assert.equal(response.status, bad.status, await response.clone().text());
      const body = (await response.json()) as { error?: { message?: unknown } };
      assert.equal(typeof body.error?.message, 'string', 'a clear error message');
    });
  }

  test('after all of that the server is healthy', async () => {
    assert.equal((await call('/healthz')).status, 200);
    assert.equal((await runQuery('SELECT 1')).state, 'succeeded');
  });

  test('concurrent clients mixing queries and commits: nothing lost, nothing duplicated, nothing hangs', async () => {
    const writers = 8;
    const insertsPerWriter = 4;
    const readers = 8;
    const work: Promise<string>[] = [];
    for (let w = 0; w < writers; w++) {
      work.push(
        (async () => {
          for (let i = 0; i < insertsPerWriter; i++) {
            const info = await runQuery(`INSERT INTO load.counter VALUES (${w * 1000 + i}, ${w})`);
            if (info.state !== 'succeeded') return `insert ${w}/${i}: ${info.state} ${info.error?.code ?? ''} ${info.error?.message ?? ''}`;
          }
          return 'ok';
        })(),
      );
    }
    for (let r = 0; r < readers; r++) {
      work.push(
        (async () => {
          const info = await runQuery(`SELECT count(*) AS n, ${r} AS reader FROM load.big WHERE id % ${r + 2} = 0`);
          return info.state === 'succeeded' ? 'ok' : `read ${r}: ${info.state} ${info.error?.message ?? ''}`;
        })(),
      );
    }
    const outcomes = await Promise.all(work);
    assert.deepEqual(outcomes.filter((o) => o !== 'ok'), []);
    const check = await runQuery('SELECT count(*) AS n, count(DISTINCT k) AS distinct_k FROM load.counter');
    const page = (await (await call(`/api/v1/queries/${check.id}/results?format=json`)).json()) as { n: number; distinct_k: number }[];
    assert.deepEqual(page, [{ n: writers * insertsPerWriter, distinct_k: writers * insertsPerWriter }]);
  });

  test('a client that disconnects mid-result leaks no query, connection or memory', async () => {
    const big = await runQuery('SELECT * FROM load.big');
    assert.equal(big.state, 'succeeded');
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 10; i++) {
      const controller = new AbortController();
      const response = await call(`/api/v1/queries/${big.id}/results?format=json&limit=100000`, { signal: controller.signal });
      const reader = response.body?.getReader();
      await reader?.read(); // the first chunk, then walk away
      controller.abort();
      await reader?.cancel().catch(() => undefined);
    }
    // Every engine connection is free again: more queries than the pool holds all finish.
    const after = await Promise.all(Array.from({ length: 6 }, (_, i) => runQuery(`SELECT ${i} AS i`)));
    assert.ok(after.every((q) => q.state === 'succeeded'));
    const metrics = await (await call('/metrics', { token: null })).text();
    const depth = /strata_query_queue_depth\{[^}]*workgroup="primary"[^}]*\} (\d+)/.exec(metrics)?.[1];
    assert.equal(depth ?? '0', '0', 'nothing left queued');
    const grewMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    assert.ok(grewMb < 512, `memory grew by ${grewMb.toFixed(0)} MB over 10 abandoned 100k-row pages`);
  });
});
