/**
 * Exactly-once under crashes, against a real Kafka broker: a stream killed at random points —
 * after planning, reading or processing a batch, after its state checkpoint, after its dead-letter
 * commit, between the sink commit and the Kafka offset commit, after the offset commit — and
 * restarted (sometimes on a fresh local directory, as another machine would) must produce exactly
 * the sink rows and dead letters of an uninterrupted run: no record lost, none duplicated.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { StreamRunner, STREAM_MARKER, type FaultPoint, type StreamDefinition } from '../../src/stream/index.ts';
import { createTopic, produce } from '../../src/stream/testing/kafka-client.ts';
import { startKafkaBroker, type KafkaBroker } from '../../src/stream/testing/kafka-broker.ts';
import { clickPayloads, clicksDefinition, homeFixture, kafkaSource, seeded, type HomeFixture } from './stream-fixture.ts';

const TOPIC = 'clicks-trials';
const EVENTS = 480;
const BATCH = 70;
const TRIALS = Number(process.env['STRATA_STREAM_TRIALS'] ?? 12);
const POINTS: readonly FaultPoint[] = ['after-plan', 'after-read', 'after-process', 'after-checkpoint', 'after-dead-letters', 'after-sink-commit', 'after-source-commit'];

class InjectedCrash extends Error {}

describe('exactly-once streams under random crashes (real Kafka)', () => {
  let broker: KafkaBroker;
  let fixture: HomeFixture;
  let reference: { sink: string[]; letters: string[] };

  before(async () => {
    broker = await startKafkaBroker();
    await createTopic(broker.brokers, TOPIC, 3);
    const payloads = clickPayloads(EVENTS, 7);
    await produce(
      broker.brokers,
      TOPIC,
      payloads.map((value, i) => ({ value, partition: i % 3 })),
    );
    fixture = await homeFixture();
    await fixture.home.catalog.createNamespace(['out'], { zone: 'processed' });
    reference = await runToEnd(definition('reference'), []);
  });

  after(async () => {
    await fixture?.close();
    await broker?.close();
  });

  function definition(name: string): StreamDefinition {
    return clicksDefinition({ name, source: kafkaSource(broker.brokers, TOPIC, BATCH, `g-${name}`) });
  }

  /** Runs the stream until drained, crashing at the given (point, batch) faults and restarting after each. */
  async function runToEnd(def: StreamDefinition, faults: { point: FaultPoint; batchId: number }[], options: { freshDirs?: boolean; inProcessRetry?: boolean } = {}): Promise<{ sink: string[]; letters: string[]; crashes: number }> {
    const pending = [...faults];
    let crashes = 0;
    for (let attempt = 0; attempt < faults.length + 2; attempt++) {
      const runner = await StreamRunner.open({
        home: fixture.home,
        definition: def,
        version: 'v1',
        ...(options.freshDirs ? { localDir: await mkdtemp(join(fixture.dir, 'machine-')) } : {}),
        maxConsecutiveFailures: options.inProcessRetry ? 10 : 1,
        retryDelayMs: 0,
        fault: (point, batchId) => {
          const index = pending.findIndex((f) => f.point === point && f.batchId === batchId);
          if (index >= 0) {
            pending.splice(index, 1);
            crashes++;
            throw new InjectedCrash(`crash at ${point} of batch ${batchId}`);
          }
        },
      });
      try {
        await runner.run({ availableNow: true });
        if (pending.every((f) => f.batchId > runner.committedBatchId + 1)) break;
      } catch (error) {
        if (!(error instanceof InjectedCrash)) throw error;
      } finally {
        await runner.close();
      }
    }
    return { ...(await outputs(def)), crashes };
  }

  async function outputs(def: StreamDefinition): Promise<{ sink: string[]; letters: string[] }> {
    const sink = (await fixture.rows(def.sink.table, 'window_start,page')).map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    const letters = (await fixture.rows(def.deadLetterTable, 'position'))
      .map((r) => `${String(r['reason'])} ${String(r['position'])} ${String(r['batch_id'])}`)
      .sort();
    return { sink, letters };
  }

  test('the uninterrupted run is the reference: windows, late and malformed records all accounted for', async () => {
    assert.ok(reference.sink.length > 20, `expected many windows, got ${reference.sink.length}`);
    const reasons = new Set(reference.letters.map((l) => l.split(' ')[0]));
    for (const reason of ['unparseable', 'schema_violation', 'late']) assert.ok(reasons.has(reason), `no ${reason} dead letter in ${[...reasons].join(', ')}`);
    // Each batch committed once, in order, with its end offsets in the summary.
    const table = await fixture.home.catalog.loadTable('out.reference');
    const ids = table.snapshots().map((s) => Number(s.summary[STREAM_MARKER.batchId]));
    assert.deepEqual(ids, ids.map((_, i) => i));
    // Kafka's group offsets were committed to the last batch's end.
    const admin = new Kafka({ brokers: [...broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: 'g-reference', topics: [TOPIC] });
      const committed = Object.fromEntries((topic?.partitions ?? []).map((p) => [String(p.partition), Number(p.offset)]));
      const last = table.snapshots().at(-1)?.summary[STREAM_MARKER.offsets];
      assert.deepEqual(committed, JSON.parse(last ?? '{}'));
    } finally {
      await admin.disconnect();
    }
  });

  test(`${TRIALS} randomized crash/restart trials produce exactly the reference output`, async () => {
    const random = seeded(20261122);
    const batches = Math.ceil((EVENTS + 1) / BATCH);
    for (let trial = 0; trial < TRIALS; trial++) {
      const faults = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        point: POINTS[Math.floor(random() * POINTS.length)] ?? 'after-plan',
        batchId: Math.floor(random() * batches),
      }));
      const name = `trial_${trial}`;
      const result = await runToEnd(definition(name), faults, { freshDirs: random() < 0.5, inProcessRetry: random() < 0.3 });
      const where = `trial ${trial} (faults ${faults.map((f) => `${f.point}@${f.batchId}`).join(', ')})`;
      assert.ok(result.crashes >= 1, `${where}: no fault fired`);
      assert.deepEqual(result.sink, reference.sink, `${where}: sink differs`);
      assert.deepEqual(result.letters, reference.letters, `${where}: dead letters differ`);
      const snapshots = (await fixture.home.catalog.loadTable(`out.${name}`)).snapshots();
      const ids = snapshots.map((s) => Number(s.summary[STREAM_MARKER.batchId]));
      assert.deepEqual(ids, ids.map((_, i) => i), `${where}: batch commits not once each, in order`);
    }
  });
});
