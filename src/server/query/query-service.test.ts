import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryInfo } from './query-record.ts';
import { openHarness, type Harness } from './testing/query-harness.ts';

/** Never finishes on its own (the engine's cancel and timeout tests use the same one). */
const ENDLESS = 'SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b';

interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
}

describe('query service over HTTP', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;

  const submit = async (token: string, body: Record<string, unknown>): Promise<QueryInfo> => {
    const response = await h.call(token, 'POST', '/api/v1/queries', body);
    assert.equal(response.status, 202, response.body);
    return response.json() as QueryInfo;
  };
  const finished = async (token: string, id: string): Promise<QueryInfo> => {
    for (;;) {
      const info = (await h.call(token, 'GET', `/api/v1/queries/${id}`)).json() as QueryInfo;
      if (['succeeded', 'failed', 'cancelled'].includes(info.state)) return info;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const run = async (token: string, body: Record<string, unknown>): Promise<QueryInfo> => finished(token, (await submit(token, body)).id);
  const rowsOf = async (token: string, id: string): Promise<unknown[]> => (await h.call(token, 'GET', `/api/v1/queries/${id}/results?limit=1000`)).json() as unknown[];
  const refused = (response: { status: number; json: () => unknown }): ErrorBody['error'] => (response.json() as ErrorBody).error;

  before(async () => {
    h = await openHarness();
    alice = await h.user('alice');
    bob = await h.user('bob');
    carol = await h.user('carol');
    await h.sql('CREATE DATABASE sales');
    await h.sql('CREATE TABLE sales.orders (id BIGINT, region VARCHAR, email VARCHAR) PARTITIONED BY (region)');
    await h.sql("INSERT INTO sales.orders SELECT i, CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END, 'user' || i || '@example.com' FROM range(1, 2001) t(i)");
    for (const who of ['alice', 'bob', 'carol']) await h.governance.policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'sales', table: 'orders' }, grantee: { kind: 'principal', name: who }, grantedBy: 'admin' });
    await h.governance.policies.createMask({ name: 'email_hidden', function: { kind: 'redact' }, exempt: [{ kind: 'principal', name: 'carol' }] });
    await h.governance.policies.attachMask('email_hidden', { kind: 'column', database: 'sales', table: 'orders', column: 'email' });
  });
  after(async () => h.close());

  test('start returns an id at once; poll until succeeded; page through results in JSON and CSV', async () => {
    const started = await submit(alice, { sql: 'SELECT id, region, email FROM sales.orders WHERE id <= 5 ORDER BY id' });
    assert.match(started.id, /^[0-9a-f-]{36}$/);
    assert.ok(['queued', 'planning', 'running'].includes(started.state));
    const info = await finished(alice, started.id);
    assert.equal(info.state, 'succeeded', JSON.stringify(info.error));
    assert.equal(info.rowCount, 5);
    assert.equal(info.reused, false);
    assert.ok(info.bytesPlanned > 0 && info.bytesScanned === info.bytesPlanned);
    for (const key of ['queuedMs', 'planningMs', 'executionMs'] as const) assert.ok(info[key] >= 0);

    const first = await h.call(alice, 'GET', `/api/v1/queries/${info.id}/results?offset=0&limit=2`);
    assert.equal(first.status, 200);
    assert.deepEqual(first.json(), [
      { id: 1, region: 'us', email: '****' },
      { id: 2, region: 'eu', email: '****' },
    ]);
    assert.equal(first.headers['x-strata-next-offset'], '2');
    assert.match(String(first.headers['link']), /offset=2&limit=2&format=json>; rel="next"/);
    const last = await h.call(alice, 'GET', `/api/v1/queries/${info.id}/results?offset=4&limit=2&format=csv`);
    assert.equal(last.body, 'id,region,email\n5,us,****\n');
    assert.equal(last.headers['x-strata-next-offset'], undefined);

    const history = (await h.call(alice, 'GET', '/api/v1/queries?limit=50')).json() as { queries: QueryInfo[] };
    assert.equal(history.queries.find((q) => q.id === info.id)?.state, 'succeeded');
    const rows = await h.sql(`SELECT state, principal, rows, reused FROM system.query_history WHERE id = '${info.id}'`);
    assert.deepEqual(rows, [['succeeded', 'alice', 5n, false]], 'a finished query is in the history table before it is reported finished');
  });

  test('a principal cannot see, page or cancel another principal’s query; administrators can', async () => {
    const info = await run(alice, { sql: 'SELECT count(*) AS n FROM sales.orders' });
    for (const [method, url] of [
      ['GET', `/api/v1/queries/${info.id}`],
      ['GET', `/api/v1/queries/${info.id}/results`],
      ['DELETE', `/api/v1/queries/${info.id}`],
    ] as const) {
      const response = await h.call(bob, method, url);
      assert.equal(response.status, 404, `${method} ${url}`);
      assert.equal(refused(response).code, 'QUERY_NOT_FOUND');
    }
    const bobs = (await h.call(bob, 'GET', '/api/v1/queries')).json() as { queries: QueryInfo[] };
    assert.equal(bobs.queries.some((q) => q.id === info.id), false);
    assert.equal((await h.call(h.adminToken, 'GET', `/api/v1/queries/${info.id}`)).status, 200);
    const everyone = (await h.call(h.adminToken, 'GET', '/api/v1/queries?limit=1000')).json() as { queries: QueryInfo[] };
    assert.ok(everyone.queries.some((q) => q.id === info.id));
  });

  test('the scan cap refuses a query before it reads anything, naming the partition columns; a narrower query passes', async () => {
    const whole = await run(alice, { sql: 'SELECT count(*) FROM sales.orders', reuse: false });
    const narrow = await run(alice, { sql: "SELECT count(*) FROM sales.orders WHERE region = 'eu'", reuse: false });
    assert.ok(narrow.bytesPlanned > 0 && narrow.bytesPlanned < whole.bytesPlanned);
    assert.equal((await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name: 'capped', scanCapBytes: narrow.bytesPlanned })).status, 201);
    assert.equal((await h.call(h.adminToken, 'POST', '/api/v1/workgroups/capped/grants', { kind: 'principal', name: 'alice' })).status, 204);

    const statement = 'SELECT email FROM sales.orders';
    const refusedRun = await run(alice, { sql: statement, workgroup: 'capped' });
    assert.equal(refusedRun.state, 'failed');
    assert.equal(refusedRun.error?.code, 'SCAN_LIMIT_EXCEEDED');
    assert.match(refusedRun.error?.message ?? '', /region \(identity\)/);
    assert.match(refusedRun.error?.message ?? '', new RegExp(`${whole.bytesPlanned} bytes`));
    assert.equal(refusedRun.bytesScanned, 0);
    assert.equal(h.results.written.includes(refusedRun.id), false, 'no result was written');
    const audit = (await h.governance.audit.query({ principal: 'alice', limit: 10_000 })).filter((r) => r.statement === statement);
    assert.deepEqual(audit.map((r) => r.decision), ['failed'], 'the engine never ran it: no allowed or completed record');
    const results = await h.call(alice, 'GET', `/api/v1/queries/${refusedRun.id}/results`);
    assert.equal(refused(results).code, 'SCAN_LIMIT_EXCEEDED');

    const passing = await run(alice, { sql: "SELECT email FROM sales.orders WHERE region = 'eu'", workgroup: 'capped' });
    assert.equal(passing.state, 'succeeded', JSON.stringify(passing.error));
    assert.equal(passing.rowCount, 1000);

    const copy = await run(h.adminToken, { sql: 'CREATE TABLE sales.orders_copy AS SELECT * FROM sales.orders', workgroup: 'capped' });
    assert.equal(copy.error?.code, 'SCAN_LIMIT_EXCEEDED', 'a write is held to the cap by the bytes its source reads');
    assert.equal(await h.home.catalog.tableExists('sales.orders_copy'), false);
  });

  test('result reuse: a hit for an identical query, a miss after an INSERT, for other masks, or with reuse=false', async () => {
    const sql = "SELECT id, email FROM sales.orders WHERE region = 'us' AND id < 100 ORDER BY id";
    const fresh = await run(alice, { sql });
    assert.equal(fresh.reused, false);
    const again = await run(alice, { sql: `${sql.replace(' ORDER', '\n   ORDER')};` });
    assert.equal(again.reused, true);
    assert.equal(again.resultId, fresh.id);
    assert.equal(again.bytesScanned, 0);
    assert.deepEqual(await rowsOf(alice, again.id), await rowsOf(alice, fresh.id), 'pages work under the new query id');
    assert.equal(h.results.written.includes(again.id), false);

    assert.equal((await run(bob, { sql })).reused, true, 'bob is shaped by the same policies');
    const unmasked = await run(carol, { sql });
    assert.equal(unmasked.reused, false, 'carol is exempt from the mask');
    assert.deepEqual((await rowsOf(carol, unmasked.id))[0], { id: 1, email: 'user1@example.com' });
    assert.deepEqual((await rowsOf(alice, fresh.id))[0], { id: 1, email: '****' });
    assert.equal((await run(alice, { sql, reuse: false })).reused, false);

    await h.sql("INSERT INTO sales.orders VALUES (51, 'us', 'new@example.com')");
    const afterInsert = await run(alice, { sql });
    assert.equal(afterInsert.reused, false, 'a new snapshot is a new key');
    assert.equal(afterInsert.rowCount, fresh.rowCount + 1);
    assert.match(await h.context.metrics.getSingleMetricAsString('strata_result_reuse_total'), /strata_result_reuse_total\{hit="true"\} [1-9]/);
  });

  test('fair queue: with concurrency 1, B’s one query runs before A’s other four', async () => {
    await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name: 'serial', concurrency: 1 });
    for (const who of ['alice', 'bob']) await h.call(h.adminToken, 'POST', '/api/v1/workgroups/serial/grants', { kind: 'principal', name: who });
    const a1 = await submit(alice, { sql: ENDLESS, workgroup: 'serial', reuse: false });
    const queued: QueryInfo[] = [];
    for (let i = 2; i <= 5; i++) queued.push(await submit(alice, { sql: `SELECT ${i} AS a${i}`, workgroup: 'serial', reuse: false }));
    const b1 = await submit(bob, { sql: 'SELECT 1 AS b1', workgroup: 'serial', reuse: false });
    assert.deepEqual([...queued, b1].map((q) => q.state), ['queued', 'queued', 'queued', 'queued', 'queued']);
    assert.match(await h.context.metrics.getSingleMetricAsString('strata_query_queue_depth'), /workgroup="serial"\} 5/);
    const before = h.results.written.length;
    await h.call(alice, 'DELETE', `/api/v1/queries/${a1.id}`);
    for (const q of [...queued, b1]) assert.equal((await finished(q.principal === 'bob' ? bob : alice, q.id)).state, 'succeeded');
    assert.deepEqual(h.results.written.slice(before), [b1.id, ...queued.map((q) => q.id)]);
  });

  test('budget: once a workgroup has scanned its hourly bytes, new queries get 429 QUOTA_EXCEEDED saying when it frees up', async () => {
    await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name: 'metered', budgetBytesPerHour: 1 });
    await h.call(h.adminToken, 'POST', '/api/v1/workgroups/metered/grants', { kind: 'principal', name: 'alice' });
    const spent = await run(alice, { sql: 'SELECT count(*) FROM sales.orders', workgroup: 'metered', reuse: false });
    assert.equal(spent.state, 'succeeded');
    const response = await h.call(alice, 'POST', '/api/v1/queries', { sql: 'SELECT 1', workgroup: 'metered' });
    assert.equal(response.status, 429);
    const error = refused(response);
    assert.equal(error.code, 'QUOTA_EXCEEDED');
    assert.equal(error.details?.['window'], 'hour');
    assert.ok(Date.parse(String(error.details?.['freesAt'])) > Date.now());
  });

  test('workgroups: USE grants to principals or groups; only administrators manage them', async () => {
    assert.equal((await h.call(bob, 'POST', '/api/v1/workgroups', { name: 'mine' })).status, 403);
    await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name: 'restricted', concurrency: 2 });
    const denied = await h.call(bob, 'POST', '/api/v1/queries', { sql: 'SELECT 1', workgroup: 'restricted' });
    assert.equal(denied.status, 403);
    assert.equal(refused(denied).code, 'ACCESS_DENIED');
    await h.governance.identity.createGroup('analysts');
    await h.governance.identity.addGroupMember('analysts', 'bob');
    assert.equal((await h.call(h.adminToken, 'POST', '/api/v1/workgroups/restricted/grants', { kind: 'group', name: 'analysts' })).status, 204);
    assert.equal((await run(bob, { sql: 'SELECT 1', workgroup: 'restricted' })).state, 'succeeded');
    const listed = (await h.call(bob, 'GET', '/api/v1/workgroups')).json() as { workgroups: { name: string }[] };
    assert.ok(listed.workgroups.some((w) => w.name === 'restricted') && listed.workgroups.some((w) => w.name === 'primary'));
    assert.equal(((await h.call(carol, 'GET', '/api/v1/workgroups')).json() as { workgroups: { name: string }[] }).workgroups.some((w) => w.name === 'restricted'), false);
    assert.equal((await h.call(h.adminToken, 'DELETE', '/api/v1/workgroups/restricted/grants/group/analysts')).status, 204);
    assert.equal((await h.call(bob, 'POST', '/api/v1/queries', { sql: 'SELECT 1', workgroup: 'restricted' })).status, 403);
    assert.equal(refused(await h.call(alice, 'POST', '/api/v1/queries', { sql: 'SELECT 1', workgroup: 'nope' })).code, 'WORKGROUP_NOT_FOUND');
    assert.equal((await h.call(h.adminToken, 'DELETE', '/api/v1/workgroups/primary')).status, 400);
    assert.equal((await h.call(h.adminToken, 'DELETE', '/api/v1/workgroups/restricted')).status, 204);
  });

  test('a workgroup on spark, on a server given no Spark cluster, fails its queries with ENGINE_UNAVAILABLE saying how to get one', async () => {
    assert.equal((await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name: 'big', engine: 'spark' })).status, 201);
    const info = await run(h.adminToken, { sql: 'SELECT count(*) FROM sales.orders', workgroup: 'big', reuse: false });
    assert.equal(info.state, 'failed');
    assert.equal(info.error?.code, 'ENGINE_UNAVAILABLE');
    assert.match(info.error?.message ?? '', /strata compute up/);
    assert.equal(refused(await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name: 'odd', engine: 'trino' })).code, 'INVALID_ARGUMENT');
  });

  test('timeout: a query running past its workgroup’s timeout fails with QUERY_TIMEOUT', async () => {
    await h.call(h.adminToken, 'POST', '/api/v1/workgroups', { name: 'quick', timeoutMs: 100 });
    const info = await run(h.adminToken, { sql: ENDLESS, workgroup: 'quick', reuse: false });
    assert.equal(info.state, 'failed');
    assert.equal(info.error?.code, 'QUERY_TIMEOUT');
  });

  test('cancel a running query; its results are refused; while running they are 409 QUERY_NOT_FINISHED', async () => {
    const started = await submit(alice, { sql: ENDLESS, reuse: false });
    const early = await h.call(alice, 'GET', `/api/v1/queries/${started.id}/results`);
    assert.equal(early.status, 409);
    assert.equal(refused(early).code, 'QUERY_NOT_FINISHED');
    const cancelled = await h.call(alice, 'POST', `/api/v1/queries/${started.id}/cancel`);
    assert.equal((cancelled.json() as QueryInfo).state, 'cancelled');
    assert.equal(refused(await h.call(alice, 'GET', `/api/v1/queries/${started.id}/results`)).code, 'QUERY_CANCELLED');
    const listed = (await h.call(alice, 'GET', '/api/v1/queries?state=cancelled')).json() as { queries: QueryInfo[] };
    assert.ok(listed.queries.some((q) => q.id === started.id));
  });

  test('metrics count finished queries by state and workgroup', async () => {
    const text = await h.context.metrics.getSingleMetricAsString('strata_queries_total');
    assert.match(text, /strata_queries_total\{state="succeeded",workgroup="primary"\} [1-9]/);
    assert.match(text, /strata_queries_total\{state="failed",workgroup="capped"\} 2/);
  });

  test('shutdown waits the grace period, then cancels running queries and records them cancelled', async () => {
    const running = await submit(alice, { sql: ENDLESS, reuse: false });
    await h.shutdown(50);
    const info = (await h.call(alice, 'GET', `/api/v1/queries/${running.id}`)).json() as QueryInfo;
    assert.equal(info.state, 'cancelled');
    assert.deepEqual(await h.sql(`SELECT state FROM system.query_history WHERE id = '${running.id}'`), [['cancelled']]);
    assert.equal(refused(await h.call(alice, 'POST', '/api/v1/queries', { sql: 'SELECT 1' })).code, 'SHUTTING_DOWN');
  });
});
