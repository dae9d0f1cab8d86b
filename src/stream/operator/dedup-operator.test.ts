import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, field } from '../../table/index.ts';
import type { BatchContext, DeadLetter, StreamRow } from '../model/index.ts';
import { InMemoryStateStore } from '../testing/in-memory-state-store.ts';
import { createDedupOperator } from './dedup-operator.ts';

const S = 1_000_000n;
const INPUT = [field(1, 'k', Types.string, true), field(2, 'n', Types.long), field(3, 'ts', Types.timestamptz), field(4, 'tags', Types.list(5, Types.string))];

function contextOf(state: InMemoryStateStore, letters: DeadLetter[], batchId: number, watermark: bigint | undefined, nextWatermark: bigint | undefined): BatchContext {
  return { stream: 's', batchId, batchTimestampMs: batchId * 1000, watermark, nextWatermark, state, deadLetter: (l) => letters.push(l) };
}

test('with event time: repeats are dropped (first in input order wins), keys are forgotten behind the watermark, older records are late', async () => {
  const dedup = createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['k'] }, timeColumn: 'ts' });
  await dedup.outputFields(INPUT);
  const state = new InMemoryStateStore();
  const letters: DeadLetter[] = [];
  const row = (k: string, seconds: number, n = 0n): StreamRow => ({ k, n, ts: BigInt(seconds) * S });
  assert.deepEqual(await dedup.process([row('a', 10, 1n), row('a', 9, 2n), row('b', 12)], contextOf(state, letters, 0, undefined, 8n * S)), [row('a', 10, 1n), row('b', 12)]);
  assert.deepEqual(await dedup.process([row('a', 13), row('c', 13)], contextOf(state, letters, 1, 8n * S, 11n * S)), [row('c', 13)], 'a (first seen at 10 s) is still remembered');
  // The watermark passed a's first time (10 s < 11 s): a is forgotten, so a new a passes; 5 s is late.
  assert.deepEqual(await dedup.process([row('a', 20), row('z', 5)], contextOf(state, letters, 2, 11n * S, 15n * S)), [row('a', 20)]);
  assert.deepEqual(
    letters.map((l) => ({ ...l, error: '' })),
    [{ reason: 'late', error: '', position: '', record: row('z', 5), eventTime: 5n * S, watermark: 11n * S }],
  );
  assert.match(letters[0]?.error ?? '', /behind the watermark/);
  assert.deepEqual([...state.namespace('0:dedup').entries()].map(([, t]) => t), [20n * S], 'b and c (12 s, 13 s < 15 s) were evicted');
});

test('a null event time is a schema_violation dead letter', async () => {
  const dedup = createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['k'] }, timeColumn: 'ts' });
  const letters: DeadLetter[] = [];
  assert.deepEqual(await dedup.process([{ k: 'a', ts: null }], contextOf(new InMemoryStateStore(), letters, 0, undefined, undefined)), []);
  assert.equal(letters[0]?.reason, 'schema_violation');
});

test('without event time: keys are kept until the state TTL drops them (batch processing time)', async () => {
  const dedup = createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['k', 'n'] }, timeColumn: undefined });
  const state = new InMemoryStateStore({ ttlMs: 5_000 });
  const letters: DeadLetter[] = [];
  const run = async (batchId: number, rows: StreamRow[]): Promise<StreamRow[]> => {
    state.beginBatch(batchId, batchId * 1000);
    const out = await dedup.process(rows, contextOf(state, letters, batchId, undefined, undefined));
    state.expireIdle(batchId * 1000);
    return out;
  };
  assert.deepEqual(await run(0, [{ k: 'a', n: 1n }, { k: 'a', n: 2n }, { k: 'a', n: 1n }, { k: 'a', n: null }]), [{ k: 'a', n: 1n }, { k: 'a', n: 2n }, { k: 'a', n: null }]);
  assert.deepEqual(await run(3, [{ k: 'a', n: 1n }, { k: 'a', n: 1 }]), [{ k: 'a', n: 1 }], 'an int 1 is not the long 1n');
  // Expiry runs after each batch (as in the runner): at 6 s the keys written at 0 s are still seen, then dropped.
  assert.deepEqual(await run(6, [{ k: 'a', n: 2n }]), []);
  assert.deepEqual(await run(7, [{ k: 'a', n: 1n }, { k: 'a', n: 1 }]), [{ k: 'a', n: 1n }], 'a|1n (written at 0 s, TTL 5 s) expired; a|1 (written at 3 s) did not');
});

test('outputFields refuses missing columns, a non-timestamp time column and nested keys', async () => {
  await assert.rejects(createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['zz'] }, timeColumn: undefined }).outputFields(INPUT), { code: 'STREAM_INVALID', message: /column zz is not in its input/ });
  await assert.rejects(createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['k'] }, timeColumn: 'n' }).outputFields(INPUT), { code: 'STREAM_INVALID', message: /n is long; it must be a timestamp/ });
  await assert.rejects(createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['tags'] }, timeColumn: undefined }).outputFields(INPUT), { code: 'STREAM_INVALID', message: /tags is a list/ });
  assert.deepEqual(await createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['k'] }, timeColumn: 'ts' }).outputFields(INPUT), INPUT);
});
