import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, field, typeToString } from '../../table/index.ts';
import { rememberPosition, type BatchContext, type DeadLetter, type OutputMode, type StreamRow, type WindowSpec, type WindowTransform } from '../model/index.ts';
import { InMemoryStateStore } from '../testing/in-memory-state-store.ts';
import { createWindowOperator } from './window-operator.ts';

const S = 1_000_000n;
const INPUT = [
  field(1, 'k', Types.string, true),
  field(2, 'i', Types.int),
  field(3, 'l', Types.long),
  field(4, 'd', Types.double),
  field(5, 'm', Types.decimal(10, 2)),
  field(6, 'ts', Types.timestamptz),
  field(7, 'tags', Types.list(8, Types.string)),
  field(9, 'day', Types.date),
];

function transformOf(window: WindowSpec, aggregates: WindowTransform['aggregates'] = [{ name: 'n', fn: 'count' }], groupBy: string[] = ['k']): WindowTransform {
  return { kind: 'window', window, timeColumn: 'ts', groupBy, aggregates };
}

/** Runs batches by hand with explicit watermarks. */
async function session(window: WindowSpec, mode: OutputMode, aggregates?: WindowTransform['aggregates']) {
  const operator = createWindowOperator({ id: '0:window', transform: transformOf(window, aggregates), outputMode: mode });
  await operator.outputFields(INPUT);
  const state = new InMemoryStateStore();
  const letters: DeadLetter[] = [];
  let batchId = 0;
  return {
    letters,
    state,
    run: (rows: StreamRow[], watermark: bigint | undefined, nextWatermark: bigint | undefined): Promise<StreamRow[]> => {
      const context: BatchContext = { stream: 's', batchId: batchId++, batchTimestampMs: 0, watermark, nextWatermark, state, deadLetter: (l) => letters.push(l) };
      return operator.process(rows, context);
    },
  };
}

describe('window operator: output columns and validation', () => {
  test('output columns: window bounds, groups, then each aggregate with its type', async () => {
    const operator = createWindowOperator({
      id: '0:window',
      transform: transformOf({ type: 'tumbling', sizeMs: 1000 }, [
        { name: 'n', fn: 'count' },
        { name: 'nd', fn: 'count', column: 'd' },
        { name: 'si', fn: 'sum', column: 'i' },
        { name: 'sl', fn: 'sum', column: 'l' },
        { name: 'sd', fn: 'sum', column: 'd' },
        { name: 'sm', fn: 'sum', column: 'm' },
        { name: 'lo', fn: 'min', column: 'm' },
        { name: 'hi', fn: 'max', column: 'day' },
        { name: 'av', fn: 'avg', column: 'm' },
      ]),
      outputMode: 'append',
    });
    const fields = await operator.outputFields(INPUT);
    assert.deepEqual(
      fields.map((f) => `${f.id}:${f.name}:${typeToString(f.type)}:${f.required}`),
      [
        '1:window_start:timestamptz:true',
        '2:window_end:timestamptz:true',
        '3:k:string:true',
        '4:n:long:false',
        '5:nd:long:false',
        '6:si:long:false',
        '7:sl:long:false',
        '8:sd:double:false',
        '9:sm:decimal(38, 2):false',
        '10:lo:decimal(10, 2):false',
        '11:hi:date:false',
        '12:av:double:false',
      ],
    );
  });

  const bad: [string, WindowTransform, RegExp][] = [
    ['missing time column', { ...transformOf({ type: 'tumbling', sizeMs: 1000 }), timeColumn: 'nope' }, /time column nope is not in the window's input \(k, i, l/],
    ['time column of the wrong type', { ...transformOf({ type: 'tumbling', sizeMs: 1000 }), timeColumn: 'l' }, /time column l is long; it must be a timestamp or timestamptz/],
    ['missing group column', transformOf({ type: 'tumbling', sizeMs: 1000 }, undefined, ['zz']), /group_by column zz is not in/],
    ['group by a list', transformOf({ type: 'tumbling', sizeMs: 1000 }, undefined, ['tags']), /group_by column tags is list<string>; group by a primitive column/],
    ['missing aggregate column', transformOf({ type: 'tumbling', sizeMs: 1000 }, [{ name: 'x', fn: 'sum', column: 'zz' }]), /x: sum\(zz\): no column zz/],
    ['sum of a string', transformOf({ type: 'tumbling', sizeMs: 1000 }, [{ name: 'x', fn: 'sum', column: 'k' }]), /sum\(k\) needs a numeric column \(int, long, float, double, decimal\); k is string/],
    ['max of a list', transformOf({ type: 'tumbling', sizeMs: 1000 }, [{ name: 'x', fn: 'max', column: 'tags' }]), /max\(tags\) needs an ordered column/],
    ['avg without a column', transformOf({ type: 'tumbling', sizeMs: 1000 }, [{ name: 'x', fn: 'avg' }]), /avg needs a column/],
    ['an aggregate named like a group', transformOf({ type: 'tumbling', sizeMs: 1000 }, [{ name: 'k', fn: 'count' }]), /output column k appears twice/],
  ];
  for (const [name, transform, message] of bad) {
    test(`refuses ${name} with STREAM_INVALID naming the column`, async () => {
      const operator = createWindowOperator({ id: '0:window', transform, outputMode: 'append' });
      await assert.rejects(operator.outputFields(INPUT), { code: 'STREAM_INVALID', message });
    });
  }

  test('refuses session windows in update mode, saying why, and malformed sizes', () => {
    assert.throws(() => createWindowOperator({ id: '0:window', transform: transformOf({ type: 'session', gapMs: 1000 }), outputMode: 'update' }), {
      code: 'STREAM_INVALID',
      message: /session windows need output_mode: append: .*start, which an upsert key/,
    });
    assert.throws(() => createWindowOperator({ id: '0:window', transform: transformOf({ type: 'sliding', sizeMs: 1000, slideMs: 2000 }), outputMode: 'append' }), { code: 'STREAM_INVALID', message: /slide ≤ size/ });
    assert.throws(() => createWindowOperator({ id: '0:window', transform: transformOf({ type: 'tumbling', sizeMs: 0.5 }), outputMode: 'append' }), { code: 'STREAM_INVALID' });
  });

  test('process before outputFields is refused', async () => {
    const operator = createWindowOperator({ id: '0:window', transform: transformOf({ type: 'tumbling', sizeMs: 1000 }), outputMode: 'append' });
    const context: BatchContext = { stream: 's', batchId: 0, batchTimestampMs: 0, watermark: undefined, nextWatermark: undefined, state: new InMemoryStateStore(), deadLetter: () => undefined };
    await assert.rejects(operator.process([], context), { code: 'INVALID_ARGUMENT', message: /outputFields/ });
  });
});

describe('window operator: semantics', () => {
  test('append mode emits a window once when the watermark reaches its end, and evicts it', async () => {
    const w = await session({ type: 'tumbling', sizeMs: 10_000 }, 'append');
    assert.deepEqual(await w.run([{ k: 'a', ts: 1n * S }, { k: 'a', ts: 9n * S }, { k: 'b', ts: 10n * S }], undefined, 9n * S), []);
    assert.equal(w.state.stats().rows, 2);
    const rows = await w.run([{ k: 'a', ts: 5n * S }], 9n * S, 10n * S);
    assert.deepEqual(rows, [{ window_start: 0n, window_end: 10n * S, k: 'a', n: 3n }], 'the window [0, 10) ends exactly at the new watermark');
    assert.equal(w.state.stats().rows, 1, 'the emitted window is evicted, [10, 20) stays');
    assert.deepEqual(await w.run([], 10n * S, 10n * S), [], 'never emitted twice');
  });

  test('a record whose windows all ended is a late dead letter naming the window and the watermark', async () => {
    const w = await session({ type: 'sliding', sizeMs: 10_000, slideMs: 5_000 }, 'append');
    const late: StreamRow = { k: 'a', ts: 14n * S };
    rememberPosition(late, 'clicks/0@17');
    const rows = await w.run([late, { k: 'a', ts: 16n * S }], 20n * S, 20n * S);
    assert.deepEqual(rows, [], 'the on-time record at 16 s counts in [15, 25) only');
    assert.equal(w.letters.length, 1);
    const letter = w.letters[0] as DeadLetter;
    assert.deepEqual({ ...letter, error: '' }, { reason: 'late', error: '', position: 'clicks/0@17', record: late, eventTime: 14n * S, windowStart: 10n * S, windowEnd: 20n * S, watermark: 20n * S });
    assert.match(letter.error, /1970-01-01T00:00:14\.000Z is behind the watermark 1970-01-01T00:00:20\.000Z/);
    assert.deepEqual(await w.run([], 20n * S, 25n * S), [{ window_start: 15n * S, window_end: 25n * S, k: 'a', n: 1n }]);
  });

  test('a null event time is a schema_violation dead letter', async () => {
    const w = await session({ type: 'tumbling', sizeMs: 1000 }, 'append');
    await w.run([{ k: 'a', ts: null }], undefined, undefined);
    assert.equal(w.letters[0]?.reason, 'schema_violation');
    assert.match(w.letters[0]?.error ?? '', /event time column ts is null/);
  });

  test('update mode emits changed windows each batch and evicts final ones without re-emitting', async () => {
    const w = await session({ type: 'tumbling', sizeMs: 10_000 }, 'update');
    assert.deepEqual(await w.run([{ k: 'b', ts: 1n * S }, { k: 'a', ts: 2n * S }], undefined, 0n), [
      { window_start: 0n, window_end: 10n * S, k: 'a', n: 1n },
      { window_start: 0n, window_end: 10n * S, k: 'b', n: 1n },
    ]);
    assert.deepEqual(await w.run([{ k: 'a', ts: 3n * S }], 0n, 10n * S), [{ window_start: 0n, window_end: 10n * S, k: 'a', n: 2n }]);
    assert.equal(w.state.stats().rows, 0);
    assert.deepEqual(await w.run([], 10n * S, 10n * S), []);
  });

  test('session windows merge, and a record that would merge into an emitted session is late', async () => {
    const w = await session({ type: 'session', gapMs: 5_000 }, 'append');
    assert.deepEqual(await w.run([{ k: 'a', ts: 10n * S }, { k: 'a', ts: 20n * S }, { k: 'a', ts: 14n * S }], undefined, 16n * S), []);
    // 17 s bridges [10, 19) and [20, 25) into [10, 25).
    assert.deepEqual(await w.run([{ k: 'a', ts: 17n * S }], 16n * S, 25n * S), [{ window_start: 10n * S, window_end: 25n * S, k: 'a', n: 4n }]);
    // 22 s: its own session [22, 27) is not final, but it lies inside the emitted [10, 25).
    await w.run([{ k: 'a', ts: 22n * S }, { k: 'a', ts: 26n * S }], 25n * S, 25n * S);
    assert.deepEqual(
      w.letters.map((l) => [l.reason, l.eventTime, l.windowStart, l.windowEnd]),
      [['late', 22n * S, 10n * S, 25n * S]],
    );
    assert.deepEqual(await w.run([], 25n * S, 31n * S), [{ window_start: 26n * S, window_end: 31n * S, k: 'a', n: 1n }]);
    assert.equal(w.state.stats().rows, 1, 'the emitted session is remembered while an on-time record could still reach it');
    await w.run([], 31n * S, 36n * S);
    assert.equal(w.state.stats().rows, 0, 'then forgotten');
  });

  test('exact aggregates: long sums past 2^53, decimal sums and averages, NaN doubles across a restart', async () => {
    const aggregates: WindowTransform['aggregates'] = [
      { name: 'sl', fn: 'sum', column: 'l' },
      { name: 'al', fn: 'avg', column: 'l' },
      { name: 'sm', fn: 'sum', column: 'm' },
      { name: 'am', fn: 'avg', column: 'm' },
      { name: 'sd', fn: 'sum', column: 'd' },
      { name: 'xd', fn: 'max', column: 'd' },
      { name: 'nd', fn: 'count', column: 'd' },
    ];
    const w = await session({ type: 'tumbling', sizeMs: 10_000 }, 'append', aggregates);
    const big = 2n ** 62n;
    await w.run(
      [
        { k: 'a', ts: 1n, l: big, m: 1050n, d: 1.5 },
        { k: 'a', ts: 2n, l: big + 1n, m: 25n, d: Number.NaN },
        { k: 'a', ts: 3n, l: null, m: null, d: null },
      ],
      undefined,
      0n,
    );
    const restored = new InMemoryStateStore({ checkpoints: w.state.checkpoints });
    await w.state.checkpoint(0);
    await restored.restore(0);
    const operator = createWindowOperator({ id: '0:window', transform: transformOf({ type: 'tumbling', sizeMs: 10_000 }, aggregates), outputMode: 'append' });
    await operator.outputFields(INPUT);
    const rows = await operator.process([], { stream: 's', batchId: 1, batchTimestampMs: 0, watermark: 0n, nextWatermark: 10n * S, state: restored, deadLetter: () => undefined });
    assert.deepEqual(rows, [{ window_start: 0n, window_end: 10n * S, k: 'a', sl: 2n * big + 1n, al: Number(big) + 0.5, sm: 1075n, am: 5.375, sd: Number.NaN, xd: Number.NaN, nd: 2n }]);
  });
});
