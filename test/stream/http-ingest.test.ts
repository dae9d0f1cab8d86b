/**
 * HTTP ingest through a real `strata serve --streams`: records POSTed as NDJSON are acknowledged
 * once durable, the server runs the stream (upsert sink, update mode), answers 429 with
 * Retry-After when the stream is behind, reports status over the API and metrics on /metrics, and
 * `strata stream stop` (the desired state) stops the runner.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStrataHome } from '../../src/catalog/index.ts';
import { startTestServer, type TestServer } from '../../src/server/testing/test-server.ts';
import { StreamService, defineStream } from '../../src/stream/index.ts';

const BASE = Date.UTC(2026, 0, 1, 12);

describe('HTTP ingest under strata serve --streams', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer(async (home) => {
      const service = await StreamService.open({ home });
      await service.register(
        defineStream({
          name: 'orders',
          source: {
            kind: 'http',
            columns: { shop: 'string not null', amount: 'long', ts: 'timestamptz not null' },
            eventTime: { column: 'ts', maxLateness: '1m' },
            maxBacklogRecords: 1_000,
          },
          transforms: [{ window: { tumbling: '1h', groupBy: ['shop'], aggregates: { orders: 'count(*)', revenue: 'sum(amount)' } } }],
          outputMode: 'update',
          sink: { table: 'out.orders_hourly', mode: 'upsert', partitionBy: ['day(window_start)'] },
          trigger: '200ms',
        }),
        { desired: 'running' },
      );
      await service.close();
    }, { settings: { runStreams: true } });
  });
  after(async () => {
    await server?.close();
  });

  const post = (body: string, token = server.adminToken): Promise<Response> =>
    fetch(`${server.server.url}/api/v1/streams/orders/records`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body });

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function hourly(): Promise<string[]> {
    const home = await openStrataHome(server.dir);
    try {
      if (!(await home.catalog.tableExists('out.orders_hourly'))) return [];
      const rows = await (await home.catalog.loadTable('out.orders_hourly')).read();
      return rows.map((r) => `${String(r['shop'])} ${String(r['orders'])} ${String(r['revenue'])}`).sort();
    } finally {
      await home.close();
    }
  }

  test('records are acknowledged once durable and the running stream upserts the hourly windows', async () => {
    const line = (shop: string, amount: number, minutes: number): string => JSON.stringify({ shop, amount, ts: new Date(BASE + minutes * 60_000).toISOString() });
    const first = await post([line('a', 10, 1), line('b', 5, 2), line('a', 7, 3)].join('\n'));
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { segment: 0, records: 3 });
    await until('the first windows', async () => ((await hourly()).length === 2 ? true : undefined));
    assert.deepEqual(await hourly(), ['a 2 17', 'b 1 5']);
    // Update mode: the same window again — the upsert replaces the row instead of adding one.
    assert.equal((await post([line('a', 1, 10), 'not json'].join('\n'))).status, 200);
    await until('the updated window', async () => ((await hourly()).includes('a 3 18') ? true : undefined));
    assert.deepEqual(await hourly(), ['a 3 18', 'b 1 5']);
  });

  test('status and metrics over HTTP', async () => {
    const status = (await (await fetch(`${server.server.url}/api/v1/streams/orders`, { headers: { authorization: `Bearer ${server.adminToken}` } })).json()) as {
      status: string;
      batches: { rowsIn: number; deadLetters: number }[];
    };
    assert.equal(status.status, 'running');
    assert.ok(status.batches.length >= 2);
    assert.equal(status.batches.reduce((n, b) => n + b.deadLetters, 0), 1, 'the malformed line is a dead letter');
    const metrics = await (await fetch(`${server.server.url}/metrics`)).text();
    assert.match(metrics, /strata_stream_input_rows_total\{stream="orders"\} 5/);
    assert.match(metrics, /strata_stream_dead_letters_total\{stream="orders",reason="unparseable"\} 1/);
  });

  test('ingest needs a token; a stream behind answers 429 with Retry-After until it catches up', async () => {
    assert.equal((await post('{}', 'not-a-token')).status, 401);
    const home = await openStrataHome(server.dir);
    const service = await StreamService.open({ home });
    try {
      // Stop the runner, then fill the backlog past max_backlog_records.
      await service.store.setDesired('orders', 'stopped');
      await until('the runner to stop', async () => ((await service.store.require('orders')).leaseOwner === undefined ? true : undefined));
      const big = Array.from({ length: 1_000 }, (_, i) => JSON.stringify({ shop: 'c', amount: i, ts: new Date(BASE).toISOString() })).join('\n');
      assert.equal((await post(big)).status, 200);
      const behind = await post('{"shop": "c", "amount": 1, "ts": "2026-01-01T12:00:00Z"}');
      assert.equal(behind.status, 429);
      assert.equal(behind.headers.get('retry-after'), '1');
      // Marked to run again, the supervisor restarts it and it catches up; ingest is accepted again.
      await service.store.setDesired('orders', 'running');
      await until('the backlog to drain', async () => ((await hourly()).some((r) => r.startsWith('c 1000 ')) ? true : undefined));
      assert.equal((await post('{"shop": "c", "amount": 1, "ts": "2026-01-01T12:00:00Z"}')).status, 200);
    } finally {
      await service.close();
      await home.close();
    }
  });
});
