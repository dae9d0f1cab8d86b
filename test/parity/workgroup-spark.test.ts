/**
 * A workgroup's engine setting: queries of a workgroup on `spark` run on Spark through the query
 * service — governed (a masked column stays masked), capped (the scan cap is decided on Strata's
 * plan before Spark runs anything) and recorded — with the same results as on `primary` (DuckDB).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryInfo } from '../../src/server/query/query-record.ts';
import { openHarness, type Harness } from '../../src/server/query/testing/query-harness.ts';
import { shutdownEngines, sparkUnderTest, type OpenedEngine } from '../../src/sql/testing/engines-under-test.ts';

describe('workgroups on spark', { skip: sparkUnderTest.skip, timeout: 600_000 }, () => {
  let h: Harness;
  let alice: string;
  let opened: OpenedEngine | undefined;

  const run = async (token: string, body: Record<string, unknown>): Promise<QueryInfo> => {
    const submitted = await h.call(token, 'POST', '/api/v1/queries', { reuse: false, ...body });
    assert.equal(submitted.status, 202, submitted.body);
    const id = (submitted.json() as QueryInfo).id;
    for (;;) {
      const info = (await h.call(token, 'GET', `/api/v1/queries/${id}`)).json() as QueryInfo;
      if (['succeeded', 'failed', 'cancelled'].includes(info.state)) return info;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const rowsOf = async (token: string, id: string): Promise<unknown> => (await h.call(token, 'GET', `/api/v1/queries/${id}/results?limit=100`)).json();

  before(async () => {
    h = await openHarness({
      spark: async (home) => {
        opened = await sparkUnderTest.open(home);
        return opened.engine;
      },
    });
    alice = await h.user('alice');
    await h.sql('CREATE DATABASE sales');
    await h.sql('CREATE TABLE sales.orders (id BIGINT, region VARCHAR, email VARCHAR) PARTITIONED BY (region)');
    await h.sql("INSERT INTO sales.orders SELECT i, CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END, 'user' || i || '@example.com' FROM range(1, 201) t(i)");
    await h.governance.policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'sales', table: 'orders' }, grantee: { kind: 'principal', name: 'alice' }, grantedBy: 'admin' });
    await h.governance.policies.createMask({ name: 'email_hidden', function: { kind: 'redact' } });
    await h.governance.policies.attachMask('email_hidden', { kind: 'column', database: 'sales', table: 'orders', column: 'email' });
    for (const [name, settings] of [['big', {}], ['big_capped', { scanCapBytes: 1 }]] as const) {
      assert.equal((await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name, engine: 'spark', ...settings })).status, 201);
      assert.equal((await h.call(h.adminToken, 'POST', `/api/v1/workgroups/${name}/grants`, { kind: 'principal', name: 'alice' })).status, 204);
    }
  }, { timeout: 300_000 });

  after(async () => {
    await h?.close();
    await opened?.close();
    await shutdownEngines();
  });

  test('a governed query gives the same masked rows on the spark workgroup as on primary', async () => {
    const sql = "SELECT id, region, email FROM sales.orders WHERE region = 'eu' ORDER BY id LIMIT 3";
    const onSpark = await run(alice, { sql, workgroup: 'big' });
    assert.equal(onSpark.state, 'succeeded', JSON.stringify(onSpark.error));
    const onDuckDb = await run(alice, { sql, workgroup: 'primary' });
    assert.equal(onDuckDb.state, 'succeeded', JSON.stringify(onDuckDb.error));
    const rows = await rowsOf(alice, onSpark.id);
    assert.deepEqual(rows, await rowsOf(alice, onDuckDb.id));
    assert.match(JSON.stringify(rows), /\*\*\*\*/);
    assert.doesNotMatch(JSON.stringify(rows), /@example\.com/);
  });

  test('the scan cap is decided on the plan before Spark runs the query', async () => {
    const info = await run(alice, { sql: 'SELECT count(*) FROM sales.orders', workgroup: 'big_capped' });
    assert.equal(info.state, 'failed');
    assert.equal(info.error?.code, 'SCAN_LIMIT_EXCEEDED');
  });

  test('Spark errors reach the client in the embedded engine’s shape', async () => {
    const info = await run(alice, { sql: 'SELECT regoin FROM sales.orders', workgroup: 'big' });
    assert.equal(info.state, 'failed');
    assert.equal(info.error?.code, 'SQL_ERROR');
    assert.match(info.error?.message ?? '', /Column "regoin" does not exist; did you mean "region"\?/);
  });
});
