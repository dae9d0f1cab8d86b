/**
 * Two `strata serve` processes on one Postgres catalog serve the same catalog, and concurrent
 * commits through both never lose one: each server is a real child process (`strata serve`) with
 * `STRATA_CATALOG_URL` pointing at a real throw-away Postgres; writers alternate between them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJson } from '../../src/core/index.ts';
import { postgresForTests, type PostgresTestServer } from '../../src/catalog/backend/testing/postgres-server.ts';
import { runCli } from '../../src/cli/cli-test-kit.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const { server: postgres, skip } = await postgresForTests();

interface Info {
  readonly id: string;
  readonly state: string;
  readonly error?: { readonly code: string; readonly message: string };
}

describe('two strata serve processes on one Postgres catalog', { skip }, () => {
  let dir: string;
  let env: Record<string, string>;
  let token: string;
  const servers: { process: ChildProcess; url: string }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-two-servers-'));
    const pg = postgres as PostgresTestServer;
    env = { STRATA_CATALOG_URL: await pg.createDatabase('two_servers') };
    const home = join(dir, 'home');
    const cli = (...args: string[]) => runCli(['--home', home, ...args], { env });
    assert.equal((await cli('init')).code, 0);
    const created = await cli('token', 'create', 'admin', '--format', 'json');
    assert.equal(created.code, 0, created.stderr);
    token = String((parseJson(created.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>)['token']);
    for (let i = 0; i < 2; i++) servers.push(await startServe(home, env));
  });
  after(async () => {
    for (const s of servers) {
      s.process.kill('SIGTERM');
      await new Promise((resolve) => s.process.once('exit', resolve));
    }
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runQuery(url: string, sql: string): Promise<Info> {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let info = (await (await fetch(`${url}/api/v1/queries`, { method: 'POST', headers, body: JSON.stringify({ sql, reuse: false }) })).json()) as Info;
    for (let wait = 10; !['succeeded', 'failed', 'cancelled'].includes(info.state); wait = Math.min(wait * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      info = (await (await fetch(`${url}/api/v1/queries/${info.id}`, { headers })).json()) as Info;
    }
    return info;
  }

  async function rows(url: string, sql: string): Promise<Record<string, unknown>[]> {
    const info = await runQuery(url, sql);
    assert.equal(info.state, 'succeeded', JSON.stringify(info));
    return (await (await fetch(`${url}/api/v1/queries/${info.id}/results?format=json`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>[];
  }

  test('a table created through one server is seen by the other, and concurrent inserts through both all land', async () => {
    const [a, b] = servers;
    assert.ok(a && b);
    assert.equal((await runQuery(a.url, 'CREATE DATABASE shared')).state, 'succeeded');
    assert.equal((await runQuery(a.url, 'CREATE TABLE shared.counter (k BIGINT, via VARCHAR)')).state, 'succeeded');
    assert.deepEqual(await rows(b.url, 'SELECT count(*) AS n FROM shared.counter'), [{ n: 0 }], 'server b sees the table server a created');

    const writers = 6;
    const insertsPerWriter = 4;
    const outcomes = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const target = w % 2 === 0 ? a : b;
        for (let i = 0; i < insertsPerWriter; i++) {
          const info = await runQuery(target.url, `INSERT INTO shared.counter VALUES (${w * 100 + i}, '${w % 2 === 0 ? 'a' : 'b'}')`);
          if (info.state !== 'succeeded') return `${w}/${i}: ${info.state} ${info.error?.code ?? ''} ${info.error?.message ?? ''}`;
        }
        return 'ok';
      }),
    );
    assert.deepEqual(outcomes.filter((o) => o !== 'ok'), []);
    const expected = [{ n: writers * insertsPerWriter, keys: writers * insertsPerWriter }];
    assert.deepEqual(await rows(a.url, 'SELECT count(*) AS n, count(DISTINCT k) AS keys FROM shared.counter'), expected);
    assert.deepEqual(await rows(b.url, 'SELECT count(*) AS n, count(DISTINCT k) AS keys FROM shared.counter'), expected);
    const snapshots = await rows(b.url, "SELECT count(*) AS n FROM shared.counter$snapshots WHERE operation = 'append'");
    assert.deepEqual(snapshots, [{ n: writers * insertsPerWriter }], 'one append snapshot per insert: no commit lost');
  });
});

/** Starts `strata serve --port 0` as a child process and resolves with its URL once it listens. */
function startServe(home: string, extraEnv: Record<string, string>): Promise<{ process: ChildProcess; url: string }> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('STRATA_') && key !== 'NODE_OPTIONS' && key !== 'NODE_TEST_CONTEXT') env[key] = value;
  Object.assign(env, extraEnv, { STRATA_SERVER_LOG_LEVEL: 'warn' });
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, '--home', home, 'serve', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`strata serve did not start: ${stderr}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Strata server on (http:\/\/[^\s]+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`strata serve exited with ${String(code)}: ${stderr}`));
    });
  });
}
