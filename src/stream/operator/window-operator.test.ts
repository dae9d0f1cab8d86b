/**
 * Window aggregation against an independent computation: random events in random micro-batches
 * (with lateness), run through the operator with a real state store — checkpointed and restored
 * into a fresh store ("another machine") at random batches — and compared with a brute-force
 * result computed window by window from the full event list.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../core/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../storage/index.ts';
import { Types, field } from '../../table/index.ts';
import { DEFAULT_STATE, type BatchContext, type DeadLetter, type OutputMode, type StateStore, type StreamRow, type WindowSpec, type WindowTransform } from '../model/index.ts';
import { openStateStore } from '../state/index.ts';
import { nextWatermark, windowsOf } from '../time/index.ts';
import { createWindowOperator } from './window-operator.ts';
import { createDedupOperator } from './dedup-operator.ts';

const S = 1_000_000n;
const INPUT = [field(1, 'k', Types.string, true), field(2, 'v', Types.long), field(3, 'ts', Types.timestamptz, true)];
const LATENESS_MS = 4_000;

function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

interface Event {
  readonly k: string;
  readonly v: bigint | null;
  readonly ts: bigint;
}

/** Events drifting forward with jitter and some very late ones, split into 8–15 batches. */
function randomBatches(random: () => number): Event[][] {
  const batches: Event[][] = [];
  let clock = 1_000n * S;
  const count = 8 + Math.floor(random() * 8);
  for (let b = 0; b < count; b++) {
    const batch: Event[] = [];
    const size = Math.floor(random() * 25);
    for (let i = 0; i < size; i++) {
      clock += BigInt(Math.floor(random() * 900)) * 1000n;
      const jitter = BigInt(Math.floor((random() - 0.6) * 6_000)) * 1000n;
      const late = random() < 0.05 ? -30n * S : 0n;
      batch.push({ k: ['a', 'b', 'c'][Math.floor(random() * 3)] ?? 'a', v: random() < 0.1 ? null : BigInt(Math.floor(random() * 100) - 20), ts: clock + jitter + late });
    }
    batches.push(batch);
  }
  return batches;
}

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshStore(lake: LocalObjectStore): Promise<StateStore> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-window-'));
  dirs.push(dir);
  return openStateStore({ store: lake, localDir: dir, settings: { ...DEFAULT_STATE, memoryBytes: 2_000, snapshotEvery: 3 } });
}

/** Runs the batches through the operator like the runner does; restarts from the lake at random. */
async function runOperator(transform: WindowTransform, mode: OutputMode, batches: Event[][], random: () => number): Promise<{ rows: StreamRow[]; late: DeadLetter[] }> {
  const lakeDir = await mkdtemp(join(tmpdir(), 'strata-window-lake-'));
  dirs.push(lakeDir);
  const lake = new LocalObjectStore(lakeDir);
  let state = await freshStore(lake);
  let operator = createWindowOperator({ id: '0:window', transform, outputMode: mode });
  await operator.outputFields(INPUT);
  let watermark: bigint | undefined;
  const rows: StreamRow[] = [];
  const late: DeadLetter[] = [];
  for (const [batchId, batch] of batches.entries()) {
    const input = batch.map((e) => ({ ...e }));
    const max = input.reduce<bigint | undefined>((m, e) => (m === undefined || e.ts > m ? e.ts : m), undefined);
    const next = nextWatermark(watermark, max, LATENESS_MS);
    state.beginBatch(batchId, batchId);
    const context: BatchContext = { stream: 's', batchId, batchTimestampMs: batchId, watermark, nextWatermark: next, state, deadLetter: (l) => late.push(l) };
    rows.push(...(await operator.process(input, context)));
    await state.checkpoint(batchId);
    watermark = next;
    if (random() < 0.3) {
      await state.close();
      state = await freshStore(lake);
      await state.restore(batchId);
      operator = createWindowOperator({ id: '0:window', transform, outputMode: mode });
      await operator.outputFields(INPUT);
    }
  }
  await state.close();
  return { rows, late };
}

/** Brute force: which events count (per batch watermark), then every window's aggregates directly. */
function expectedWindows(spec: Exclude<WindowSpec, { type: 'session' }>, batches: Event[][]): Map<string, { count: bigint; sum: bigint | null; max: bigint | null }> {
  let watermark: bigint | undefined;
  const counted: { e: Event; start: bigint; end: bigint }[] = [];
  for (const batch of batches) {
    for (const e of batch) for (const w of windowsOf(spec, e.ts)) if (watermark === undefined || w.end > watermark) counted.push({ e, ...w });
    const max = batch.reduce<bigint | undefined>((m, e) => (m === undefined || e.ts > m ? e.ts : m), undefined);
    watermark = nextWatermark(watermark, max, LATENESS_MS);
  }
  const result = new Map<string, { count: bigint; sum: bigint | null; max: bigint | null }>();
  for (const { e, start, end } of counted) {
    if (watermark === undefined || end > watermark) continue; // not final yet
    const key = `${start}|${end}|${e.k}`;
    const acc = result.get(key) ?? { count: 0n, sum: null, max: null };
    result.set(key, {
      count: acc.count + 1n,
      sum: e.v === null ? acc.sum : (acc.sum ?? 0n) + e.v,
      max: e.v === null ? acc.max : acc.max === null || e.v > acc.max ? e.v : acc.max,
    });
  }
  return result;
}

function transformOf(window: WindowSpec): WindowTransform {
  return {
    kind: 'window',
    window,
    timeColumn: 'ts',
    groupBy: ['k'],
    aggregates: [
      { name: 'n', fn: 'count' },
      { name: 'total', fn: 'sum', column: 'v' },
      { name: 'top', fn: 'max', column: 'v' },
    ],
  };
}

function asMap(rows: readonly StreamRow[]): Map<string, { count: bigint; sum: bigint | null; max: bigint | null }> {
  const map = new Map<string, { count: bigint; sum: bigint | null; max: bigint | null }>();
  for (const r of rows) map.set(`${String(r['window_start'])}|${String(r['window_end'])}|${String(r['k'])}`, { count: r['n'] as bigint, sum: r['total'] as bigint | null, max: r['top'] as bigint | null });
  return map;
}

describe('window operator vs brute force', () => {
  for (const spec of [{ type: 'tumbling', sizeMs: 5_000 }, { type: 'sliding', sizeMs: 6_000, slideMs: 2_000 }] as const) {
    test(`${spec.type}, append mode: every final window once, with exact aggregates; late records dead-lettered (20 seeds)`, async () => {
      for (let seed = 1; seed <= 20; seed++) {
        const random = seeded(seed);
        const batches = randomBatches(random);
        const { rows, late } = await runOperator(transformOf(spec), 'append', batches, random);
        const keys = rows.map((r) => `${String(r['window_start'])}|${String(r['k'])}`);
        assert.equal(new Set(keys).size, keys.length, `seed ${seed}: a window was emitted twice`);
        assert.deepEqual(asMap(rows), expectedWindows(spec, batches), `seed ${seed}`);
        for (const letter of late) {
          assert.equal(letter.reason, 'late');
          assert.ok(letter.watermark !== undefined && letter.windowEnd !== undefined && letter.windowEnd <= letter.watermark, `seed ${seed}: a late record's window must have ended by the watermark`);
        }
      }
    });
  }

  test('tumbling, update mode: the last emitted value of each window equals the brute force, and changed windows are re-emitted', async () => {
    const spec = { type: 'tumbling', sizeMs: 5_000 } as const;
    for (let seed = 30; seed < 40; seed++) {
      const random = seeded(seed);
      const batches = randomBatches(random);
      const { rows } = await runOperator(transformOf(spec), 'update', batches, random);
      const latest = asMap(rows); // later rows overwrite earlier ones: what an upsert sink keeps
      const expected = expectedWindows(spec, batches);
      for (const [key, value] of expected) assert.deepEqual(latest.get(key), value, `seed ${seed}: window ${key}`);
    }
  });

  test('session windows (append): sessions equal the gap-merge of on-time events', async () => {
    const gap = 3n * S;
    for (let seed = 50; seed < 65; seed++) {
      const random = seeded(seed);
      const batches = randomBatches(random);
      const { rows, late } = await runOperator({ ...transformOf({ type: 'session', gapMs: 3_000 }), aggregates: [{ name: 'n', fn: 'count' }, { name: 'total', fn: 'sum', column: 'v' }, { name: 'top', fn: 'max', column: 'v' }] }, 'append', batches, random);
      // Independent: on-time events (t ≥ watermark at arrival), merged per key by gap, final by the last watermark.
      let watermark: bigint | undefined;
      const onTime: Event[] = [];
      for (const batch of batches) {
        for (const e of batch) if (watermark === undefined || e.ts >= watermark) onTime.push(e);
        const max = batch.reduce<bigint | undefined>((m, e) => (m === undefined || e.ts > m ? e.ts : m), undefined);
        watermark = nextWatermark(watermark, max, LATENESS_MS);
      }
      const expected = new Map<string, { count: bigint; sum: bigint | null; max: bigint | null }>();
      for (const k of ['a', 'b', 'c']) {
        const times = onTime.filter((e) => e.k === k).sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
        let session: Event[] = [];
        const flush = (): void => {
          if (session.length === 0) return;
          const start = session[0]?.ts ?? 0n;
          const end = (session.at(-1)?.ts ?? 0n) + gap;
          if (watermark !== undefined && end <= watermark) {
            const values = session.map((e) => e.v).filter((v): v is bigint => v !== null);
            expected.set(`${start}|${end}|${k}`, {
              count: BigInt(session.length),
              sum: values.length === 0 ? null : values.reduce((a, b) => a + b, 0n),
              max: values.length === 0 ? null : values.reduce((a, b) => (b > a ? b : a)),
            });
          }
          session = [];
        };
        for (const e of times) {
          const last = session.at(-1);
          if (last && e.ts >= last.ts + gap) flush();
          session.push(e);
        }
        flush();
      }
      assert.deepEqual(asMap(rows), expected, `seed ${seed}`);
      assert.equal(late.length, batches.flat().length - onTime.length, `seed ${seed}: every record behind the watermark is a dead letter`);
    }
  });

  test('an update-mode session window is refused with the reason', () => {
    assert.throws(() => createWindowOperator({ id: '0:window', transform: transformOf({ type: 'session', gapMs: 1000 }), outputMode: 'update' }), { code: 'STREAM_INVALID', message: /upsert key/ });
  });

  test('outputFields checks the time column and the aggregates against the input', async () => {
    const bad = createWindowOperator({ id: '0:window', transform: { ...transformOf({ type: 'tumbling', sizeMs: 1000 }), timeColumn: 'k' }, outputMode: 'append' });
    await assert.rejects(bad.outputFields(INPUT), { code: 'STREAM_INVALID', message: /timestamp/ });
    const sumOfString = createWindowOperator({ id: '0:window', transform: { ...transformOf({ type: 'tumbling', sizeMs: 1000 }), aggregates: [{ name: 's', fn: 'sum', column: 'k' }] }, outputMode: 'append' });
    await assert.rejects(sumOfString.outputFields(INPUT), { code: 'STREAM_INVALID', message: /numeric/ });
    const good = createWindowOperator({ id: '0:window', transform: transformOf({ type: 'tumbling', sizeMs: 1000 }), outputMode: 'append' });
    assert.deepEqual(
      (await good.outputFields(INPUT)).map((f) => `${f.name}:${f.type.kind}`),
      ['window_start:timestamptz', 'window_end:timestamptz', 'k:string', 'n:long', 'total:long', 'top:long'],
    );
  });
});

describe('dedup operator', () => {
  test('drops repeats within the watermark, forgets keys behind it, dead-letters records behind it', async () => {
    const lakeDir = await mkdtemp(join(tmpdir(), 'strata-dedup-lake-'));
    dirs.push(lakeDir);
    const state = await freshStore(new LocalObjectStore(lakeDir));
    const dedup = createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['k'] }, timeColumn: 'ts' });
    await dedup.outputFields(INPUT);
    const letters: DeadLetter[] = [];
    const ctx = (batchId: number, watermark: bigint | undefined, next: bigint | undefined): BatchContext => ({
      stream: 's',
      batchId,
      batchTimestampMs: batchId,
      watermark,
      nextWatermark: next,
      state,
      deadLetter: (l) => letters.push(l),
    });
    const row = (k: string, seconds: number): StreamRow => ({ k, v: 1n, ts: BigInt(seconds) * S });
    assert.deepEqual((await dedup.process([row('a', 10), row('a', 11), row('b', 12)], ctx(0, undefined, 8n * S))).map((r) => r['k']), ['a', 'b']);
    assert.deepEqual((await dedup.process([row('a', 13), row('c', 13)], ctx(1, 8n * S, 11n * S))).map((r) => r['k']), ['c'], 'a is still remembered');
    // The watermark passed a's first time (10 s): a is forgotten, so a new a passes; a record at 5 s is late.
    assert.deepEqual((await dedup.process([row('a', 20), row('z', 5)], ctx(2, 11n * S, 15n * S))).map((r) => r['k']), ['a']);
    assert.equal(letters.length, 1);
    assert.equal(letters[0]?.reason, 'late');
    await state.close();
  });
});
