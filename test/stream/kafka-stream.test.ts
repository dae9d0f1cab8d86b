/**
 * Streams over a real Kafka broker: windowed counts checked against DuckDB computing the same
 * windows from the produced events; late, unparseable and invalid records in the dead-letter table
 * with their reasons; replay of dead letters after a definition fix; Avro payloads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kafka, logLevel } from 'kafkajs';
import { StreamService, defineStream, type StreamDefinition } from '../../src/stream/index.ts';
import { encodeAvroDatum } from '../../src/stream/format/index.ts';
import { createTopic, produce } from '../../src/stream/testing/kafka-client.ts';
import { startKafkaBroker, type KafkaBroker } from '../../src/stream/testing/kafka-broker.ts';
import { BASE_MS, homeFixture, seeded, type HomeFixture } from './stream-fixture.ts';
import { drain as drainStream } from './stream-fixture.ts';

describe('streams on Kafka', () => {
  let broker: KafkaBroker;
  let fixture: HomeFixture;

  before(async () => {
    broker = await startKafkaBroker();
    fixture = await homeFixture();
  });
  after(async () => {
    await fixture?.close();
    await broker?.close();
  });

  const drain = (definition: StreamDefinition): Promise<void> => drainStream(fixture.home, definition);

  test('tumbling and sliding window results equal DuckDB computing the same windows from the produced events', async () => {
    await createTopic(broker.brokers, 'sales', 3);
    const random = seeded(11);
    const events = Array.from({ length: 900 }, (_, i) => ({
      page: ['home', 'cart', 'search', 'help'][Math.floor(random() * 4)] ?? 'home',
      amount: Math.floor(random() * 1000) - 100,
      ts: new Date(BASE_MS + i * 137 + Math.floor(random() * 2_000)).toISOString(),
    }));
    await produce(broker.brokers, 'sales', events.map((e, i) => ({ value: JSON.stringify(e), partition: i % 3 })));
    const define = (name: string, window: Record<string, unknown>) =>
      defineStream({
        name,
        source: {
          kind: 'kafka',
          brokers: broker.brokers,
          topic: 'sales',
          group: name,
          columns: { page: 'string not null', amount: 'long', ts: 'timestamptz not null' },
          // Lateness above the events' spread: nothing is late, so every event is in its windows.
          eventTime: { column: 'ts', maxLateness: '10m' },
          maxRecordsPerBatch: 200,
        },
        transforms: [{ window: { ...window, groupBy: ['page'], aggregates: { n: 'count(*)', total: 'sum(amount)', low: 'min(amount)' } } } as never],
        sink: { table: `out.${name}` },
        trigger: 'available-now',
      });
    const tumbling = define('sales_tumbling', { tumbling: '10s' });
    const sliding = define('sales_sliding', { sliding: { size: '10s', slide: '5s' } });
    await drain(tumbling);
    await drain(sliding);
    // A last event far ahead moves the watermark past every window; the windows become final.
    await produce(broker.brokers, 'sales', [{ value: JSON.stringify({ page: 'zz', amount: 0, ts: new Date(BASE_MS + 86_400_000).toISOString() }), partition: 0 }]);
    await drain(tumbling);
    await drain(sliding);

    const file = join(fixture.dir, 'events.ndjson');
    await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run("SET TimeZone = 'UTC'");
    const expected = async (windows: string): Promise<string[]> => {
      const reader = await duck.runAndReadAll(
        `WITH e AS (SELECT page, amount, CAST(ts AS TIMESTAMPTZ) AS ts FROM read_json('${file}', columns = {page: 'VARCHAR', amount: 'BIGINT', ts: 'VARCHAR'})),
              w AS (SELECT ${windows})
         SELECT epoch_us(w.s) AS s, page, count(*) AS n, sum(amount) AS total, min(amount) AS low
         FROM e JOIN w ON e.ts >= w.s AND e.ts < w.s + INTERVAL 10 SECOND GROUP BY ALL ORDER BY s, page`,
      );
      return reader.getRowObjectsJson().map((r) => `${String(r['s'])} ${String(r['page'])} ${String(r['n'])} ${String(r['total'])} ${String(r['low'])}`);
    };
    const actual = async (table: string): Promise<string[]> =>
      (await fixture.rows(table, 'window_start,page')).map((r) => `${BigInt(ms(r['window_start'])) * 1000n} ${String(r['page'])} ${String(r['n'])} ${String(r['total'])} ${String(r['low'])}`);
    const span = `range(time_bucket(INTERVAL 5 SECOND, TIMESTAMPTZ '${new Date(BASE_MS - 20_000).toISOString()}'), TIMESTAMPTZ '${new Date(BASE_MS + 200_000).toISOString()}', INTERVAL 5 SECOND)`;
    const tumblingExpected = await expected(`unnest(${span.replace(/5 SECOND/g, '10 SECOND')}) AS s`);
    const slidingExpected = await expected(`unnest(${span}) AS s`);
    assert.ok(tumblingExpected.length > 40);
    assert.deepEqual(await actual('out.sales_tumbling'), tumblingExpected);
    assert.deepEqual(await actual('out.sales_sliding'), slidingExpected);
    duck.closeSync();
  });

  test('late, unparseable and invalid records land in the dead-letter table with reason, payload, window and watermark', async () => {
    await createTopic(broker.brokers, 'clicks', 2);
    const ts = (seconds: number): string => new Date(BASE_MS + seconds * 1000).toISOString();
    const definition = defineStream({
      name: 'click_counts',
      source: {
        kind: 'kafka',
        brokers: broker.brokers,
        topic: 'clicks',
        group: 'click_counts',
        columns: { page: 'string not null', ts: 'timestamptz not null' },
        eventTime: { column: 'ts', maxLateness: '5s' },
      },
      transforms: [{ window: { tumbling: '10s', groupBy: ['page'], aggregates: { n: 'count(*)' } } }],
      sink: { table: 'out.click_counts' },
      trigger: 'available-now',
    });
    await produce(broker.brokers, 'clicks', [
      { value: JSON.stringify({ page: 'a', ts: ts(1) }), partition: 0 },
      { value: JSON.stringify({ page: 'a', ts: ts(100) }), partition: 0 },
      { value: '{"page": "a", "ts": ', partition: 1 },
      { value: JSON.stringify({ page: 'a', ts: 'not a time' }), partition: 1 },
    ]);
    await drain(definition);
    // The watermark is now 95 s: an event at 50 s is late (its window [50, 60) ended long ago).
    await produce(broker.brokers, 'clicks', [{ value: JSON.stringify({ page: 'a', ts: ts(50) }), partition: 0 }]);
    await drain(definition);
    const letters = await fixture.rows('out.click_counts_dead_letter', 'batch_id,position');
    assert.deepEqual(
      letters.map((l) => [l['reason'], l['position']]),
      [
        ['unparseable', 'clicks/1@0'],
        ['schema_violation', 'clicks/1@1'],
        ['late', 'clicks/0@2'],
      ],
    );
    const [unparseable, invalid, late] = letters;
    assert.equal(unparseable?.['payload_text'], '{"page": "a", "ts": ');
    assert.match(String(invalid?.['error']), /column ts/);
    assert.match(String(late?.['error']), /behind the watermark/);
    assert.equal(ms(late?.['window_start']), BASE_MS + 50_000);
    assert.equal(ms(late?.['window_end']), BASE_MS + 60_000);
    assert.equal(ms(late?.['watermark']), BASE_MS + 95_000);
    assert.equal(ms(late?.['event_time']), BASE_MS + 50_000);
    const counts = await fixture.rows('out.click_counts', 'window_start');
    assert.deepEqual(counts.map((r) => String(r['n'])), ['1'], 'only the window [0, 10) is final; [100, 110) is still open');
  });

  test('replay-dlq sends invalid records back to the topic once; after a fix they reach the sink', async () => {
    await createTopic(broker.brokers, 'orders', 1);
    const service = await StreamService.open({ home: fixture.home });
    const version = (amountType: string): StreamDefinition =>
      defineStream({
        name: 'orders_raw',
        source: { kind: 'kafka', brokers: broker.brokers, topic: 'orders', group: 'orders_raw', columns: { id: 'long not null', amount: amountType } },
        transforms: [{ sql: 'SELECT id, amount FROM input WHERE id > 0' }],
        sink: { table: 'out.orders_raw' },
        trigger: 'available-now',
      });
    await service.register(version('long not null'));
    await produce(broker.brokers, 'orders', [{ value: '{"id": 1, "amount": 5}' }, { value: '{"id": 2}' }, { value: '{"id": 3, "amount": null}' }]);
    await service.run('orders_raw', { availableNow: true });
    assert.deepEqual((await fixture.rows('out.orders_raw', 'id')).map((r) => String(r['id'])), ['1']);
    assert.equal((await fixture.rows('out.orders_raw_dead_letter', 'position')).length, 2);

    // The fix: amount is optional. Same sink, so the stream keeps its committed offsets.
    await service.register(version('long'));
    const replayed = await service.replayDeadLetters('orders_raw');
    assert.deepEqual(replayed, { replayed: 2, skipped: 0, sourceKind: 'kafka' });
    assert.equal((await service.replayDeadLetters('orders_raw')).replayed, 0, 'each dead letter is replayed once');
    const admin = new Kafka({ brokers: [...broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    assert.equal((await admin.fetchTopicOffsets('orders'))[0]?.high, '5');
    await admin.disconnect();
    await service.run('orders_raw', { availableNow: true });
    const rows = await fixture.rows('out.orders_raw', 'id');
    assert.deepEqual(rows.map((r) => [String(r['id']), r['amount'] === null ? null : String(r['amount'])]), [['1', '5'], ['2', null], ['3', null]]);
    await service.close();
  });

  test('Avro payloads', async () => {
    await createTopic(broker.brokers, 'readings', 1);
    const schema = { type: 'record', name: 'Reading', fields: [{ name: 'sensor', type: 'string' }, { name: 'value', type: 'double' }] };
    await produce(broker.brokers, 'readings', [{ value: encodeAvroDatum(schema, { sensor: 's1', value: 1.5 }) }, { value: encodeAvroDatum(schema, { sensor: 's2', value: -2 }) }, { value: new Uint8Array([9, 9]) }]);
    const definition = defineStream({
      name: 'readings',
      source: { kind: 'kafka', brokers: broker.brokers, topic: 'readings', group: 'readings', format: 'avro', avroSchema: schema, columns: { sensor: 'string not null', value: 'double' } },
      sink: { table: 'out.readings' },
      trigger: 'available-now',
    });
    await drain(definition);
    assert.deepEqual((await fixture.rows('out.readings', 'sensor')).map((r) => [r['sensor'], r['value']]), [['s1', 1.5], ['s2', -2]]);
    assert.deepEqual((await fixture.rows('out.readings_dead_letter', 'position')).map((r) => r['reason']), ['unparseable']);
  });
  test('starting offsets: latest skips what is there; specific starts each partition where told; they apply only before the first commit', async () => {
    await createTopic(broker.brokers, 'ticks', 2);
    await produce(broker.brokers, 'ticks', [0, 1, 2, 3].map((n) => ({ value: JSON.stringify({ n }), partition: n % 2 })));
    const define = (name: string, startingOffsets: 'latest' | { specific: Record<string, number> }): StreamDefinition =>
      defineStream({
        name,
        source: { kind: 'kafka', brokers: broker.brokers, topic: 'ticks', group: name, startingOffsets, columns: { n: 'long not null' } },
        sink: { table: `out.${name}` },
        trigger: 'available-now',
      });
    const latest = define('ticks_latest', 'latest');
    const specific = define('ticks_specific', { specific: { '1': 1 } });
    await drain(latest);
    await drain(specific);
    await produce(broker.brokers, 'ticks', [{ value: JSON.stringify({ n: 4 }), partition: 0 }]);
    await drain(latest);
    await drain(specific);
    const values = async (table: string): Promise<string[]> => (await fixture.rows(table, 'n')).map((r) => String(r['n']));
    assert.deepEqual(await values('out.ticks_latest'), ['4'], 'latest: only what arrived after the start');
    assert.deepEqual(await values('out.ticks_specific'), ['0', '2', '3', '4'], 'partition 0 from its beginning, partition 1 from offset 1');
  });
});

/** A timestamptz as the table reads it (`2026-01-01 12:00:10+00`, or ISO) → ms since the epoch. */
function ms(value: unknown): number {
  return Date.parse(String(value).replace(' ', 'T').replace(/\+00$/, 'Z'));
}
