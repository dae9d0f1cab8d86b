import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../core/index.ts';
import { startServer, type StrataServer } from '../server/index.ts';
import { runCli } from './cli-test-kit.ts';

describe('strata sql --server: the query service from the CLI', () => {
  let root: string;
  let home: string;
  let server: StrataServer;
  let token: string;
  const strata = (args: string[], env: Record<string, string> = {}) => runCli(['--home', home, ...args], { env });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-remote-sql-'));
    home = join(root, 'home');
    assert.equal((await strata(['init'])).code, 0);
    assert.equal((await strata(['sql', "CREATE DATABASE web; CREATE TABLE web.hits AS SELECT range AS id, 'p' || (range % 4) AS page FROM range(100)"])).code, 0);
    const created = await strata(['token', 'create', 'admin', '--format', 'json']);
    token = /strata_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0] ?? '';
    assert.ok(token.startsWith('strata_'), created.stdout + created.stderr);
    server = await startServer({ home, port: 0, logLevel: 'silent', duckdb: { threads: 1 } });
  });
  after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  test('runs a query remotely and renders it like a local one; the second run reuses the result', async () => {
    const sql = 'SELECT page, count(*) AS hits FROM web.hits GROUP BY page ORDER BY page';
    const first = await strata(['sql', '--server', server.url, '--token', token, sql, '--format', 'json']);
    assert.equal(first.code, 0, first.stderr);
    const rows = first.stdout.trim().split('\n').map((line) => parseJson(line));
    assert.deepEqual(rows, [
      { page: 'p0', hits: 25 },
      { page: 'p1', hits: 25 },
      { page: 'p2', hits: 25 },
      { page: 'p3', hits: 25 },
    ]);
    const second = await strata(['sql', '--server', server.url, sql], { STRATA_TOKEN: token });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /result reused/);
    const fresh = await strata(['sql', '--server', server.url, '--token', token, '--no-reuse', sql]);
    assert.doesNotMatch(fresh.stdout, /result reused/);
  });

  test('errors come back with their code and exit code; a bad token is exit 6', async () => {
    const missing = await strata(['sql', '--server', server.url, '--token', token, 'SELECT * FROM web.nope']);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /TABLE_NOT_FOUND/);
    const denied = await strata(['sql', '--server', server.url, '--token', 'strata_0000000000000000_bad', 'SELECT 1']);
    assert.equal(denied.code, 6, denied.stderr);
    const noToken = await strata(['sql', '--server', server.url, 'SELECT 1']);
    assert.equal(noToken.code, 2, noToken.stderr);
  });
});
