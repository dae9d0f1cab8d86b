/**
 * The window and dedup operators against independent, brute-force computations: random events
 * (negative times, nulls, very late records, empty batches) in random micro-batches with a random
 * allowed lateness, run through `runBatches` (which also crashes, replays and restarts the operator
 * from serialised state at random). The expectations are recomputed per batch from the full event
 * lists, without the operator's incremental state or the time/ helpers:
 * - watermark before batch n = (max event time of batches < n) − lateness;
 * - fixed windows are enumerated from a global grid of starts, sessions by sorting and splitting.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../core/index.ts';
import { Types, field } from '../../table/index.ts';
import type { DeadLetter, OutputMode, StreamRow, WindowSpec, WindowTransform } from '../model/index.ts';
import { createDedupOperator } from './dedup-operator.ts';
import { runBatches, type BatchOutcome } from './operator-harness.ts';
import { createWindowOperator } from './window-operator.ts';

const S = 1_000_000n;
const INPUT = [field(1, 'k', Types.string, true), field(2, 'v', Types.long), field(3, 'ts', Types.timestamptz)];
const KEYS = ['a', 'b', 'c'];

interface Event {
  readonly k: string;
  readonly v: bigint | null;
  readonly ts: bigint | null;
}

interface Scenario {
  readonly batches: Event[][];
  readonly latenessMs: number;
  readonly random: () => number;
}

function scenario(seed: number): Scenario {
  const random = new SeededRandom(seed);
  const batches: Event[][] = [];
  let clock = BigInt(random.int(-60, 60)) * S;
  for (let b = random.int(6, 14); b > 0; b--) {
    const batch: Event[] = [];
    for (let i = random.int(0, 25); i > 0; i--) {
      // Quarter-second steps: events land exactly on window ends and watermarks often.
      clock += BigInt(random.int(0, 4)) * 250_000n;
      const jitter = BigInt(random.int(-14, 10)) * 250_000n;
      const veryLate = random.next() < 0.05 ? -30n * S : 0n;
      batch.push({
        k: random.pick(KEYS),
        v: random.next() < 0.1 ? null : BigInt(random.int(-20, 80)) * (random.next() < 0.1 ? 10n ** 15n : 1n),
        ts: random.next() < 0.02 ? null : clock + jitter + veryLate,
      });
    }
    batches.push(batch);
  }
  return { batches, latenessMs: random.pick([0, 1_000, 4_000, 10_000]), random: () => random.next() };
}

/** Watermark before each batch, straight from the definition. */
function watermarksBefore(batches: readonly Event[][], latenessMs: number): (bigint | undefined)[] {
  const result: (bigint | undefined)[] = [];
  let seen: bigint[] = [];
  for (const batch of batches) {
    result.push(seen.length === 0 ? undefined : seen.reduce((a, b) => (b > a ? b : a)) - BigInt(latenessMs) * 1000n);
    seen = [...seen, ...batch.flatMap((e) => (e.ts === null ? [] : [e.ts]))];
  }
  return result;
}

interface Totals {
  count: bigint;
  countV: bigint;
  sum: bigint | null;
  min: bigint | null;
  max: bigint | null;
  values: bigint[];
}

const empty = (): Totals => ({ count: 0n, countV: 0n, sum: null, min: null, max: null, values: [] });

function addTo(totals: Totals, v: bigint | null): void {
  totals.count++;
  if (v === null) return;
  totals.countV++;
  totals.sum = (totals.sum ?? 0n) + v;
  totals.min = totals.min === null || v < totals.min ? v : totals.min;
  totals.max = totals.max === null || v > totals.max ? v : totals.max;
  totals.values.push(v);
}

function expectedRow(start: bigint, end: bigint, k: string, totals: Totals): StreamRow {
  const avg = totals.values.length === 0 ? null : Number(totals.values.reduce((a, b) => a + b, 0n)) / totals.values.length;
  return { window_start: start, window_end: end, k, n: totals.count, nv: totals.countV, total: totals.sum, low: totals.min, high: totals.max, mean: avg };
}

function transformOf(window: WindowSpec): WindowTransform {
  return {
    kind: 'window',
    window,
    timeColumn: 'ts',
    groupBy: ['k'],
    aggregates: [
      { name: 'n', fn: 'count' },
      { name: 'nv', fn: 'count', column: 'v' },
      { name: 'total', fn: 'sum', column: 'v' },
      { name: 'low', fn: 'min', column: 'v' },
      { name: 'high', fn: 'max', column: 'v' },
      { name: 'mean', fn: 'avg', column: 'v' },
    ],
  };
}

const byStartThenKey = (a: StreamRow, b: StreamRow): number => {
  const [x, y] = [a['window_start'] as bigint, b['window_start'] as bigint];
  if (x !== y) return x < y ? -1 : 1;
  const [p, q] = [a['k'] as string, b['k'] as string];
  return p < q ? -1 : p > q ? 1 : (a['window_end'] as bigint) < (b['window_end'] as bigint) ? -1 : 1;
};

/** avg is a double: compare it with a tolerance, everything else exactly. */
function assertRows(actual: readonly StreamRow[], expected: readonly StreamRow[], message: string): void {
  const strip = (rows: readonly StreamRow[]): StreamRow[] => rows.map(({ mean: _mean, ...rest }) => rest);
  assert.deepEqual(strip(actual), strip(expected), message);
  expected.forEach((row, i) => {
    const [a, e] = [actual[i]?.['mean'] as number | null, row['mean'] as number | null];
    if (e === null) assert.equal(a, null, message);
    else assert.ok(a !== null && Math.abs(a - e) <= Math.abs(e) * 1e-12 + 1e-9, `${message}: avg ${a} vs ${e}`);
  });
}

function lateLetter(e: Event, watermark: bigint, start: bigint, end: bigint): Partial<DeadLetter> {
  return { reason: 'late', eventTime: e.ts as bigint, windowStart: start, windowEnd: end, watermark, record: { ...e } };
}

function summarize(letters: readonly DeadLetter[]): Partial<DeadLetter>[] {
  return letters.map((l) => ({
    reason: l.reason,
    ...(l.record === undefined ? {} : { record: l.record }),
    ...(l.eventTime === undefined ? {} : { eventTime: l.eventTime }),
    ...(l.windowStart === undefined ? {} : { windowStart: l.windowStart, windowEnd: l.windowEnd as bigint }),
    ...(l.watermark === undefined ? {} : { watermark: l.watermark }),
  }));
}

const floorTo = (t: bigint, step: bigint): bigint => {
  const r = ((t % step) + step) % step;
  return t - r;
};

/** Expected per-batch output of a tumbling/sliding window, enumerating windows from a global grid. */
function bruteForceFixed(spec: Exclude<WindowSpec, { type: 'session' }>, mode: OutputMode, sc: Scenario): { rows: StreamRow[]; letters: Partial<DeadLetter>[] }[] {
  const size = BigInt(spec.sizeMs) * 1000n;
  const slide = spec.type === 'tumbling' ? size : BigInt(spec.slideMs) * 1000n;
  const times = sc.batches.flat().flatMap((e) => (e.ts === null ? [] : [e.ts]));
  const grid: bigint[] = [];
  if (times.length > 0) {
    const lo = times.reduce((a, b) => (b < a ? b : a));
    const hi = times.reduce((a, b) => (b > a ? b : a));
    for (let start = floorTo(lo - size, slide); start <= hi; start += slide) grid.push(start);
  }
  const before = watermarksBefore(sc.batches, sc.latenessMs);
  const contributions: { batch: number; start: bigint; e: Event }[] = [];
  const result: { rows: StreamRow[]; letters: Partial<DeadLetter>[] }[] = [];
  for (const [n, batch] of sc.batches.entries()) {
    const w = before[n];
    const after = before[n + 1] ?? watermarksBefore([...sc.batches, []], sc.latenessMs)[n + 1];
    const letters: Partial<DeadLetter>[] = [];
    const changed = new Set<string>();
    for (const e of batch) {
      if (e.ts === null) {
        letters.push({ reason: 'schema_violation', record: { ...e } });
        continue;
      }
      const t = e.ts;
      const containing = grid.filter((start) => start <= t && t < start + size);
      const open = containing.filter((start) => w === undefined || start + size > w);
      if (open.length === 0) {
        const latest = containing[containing.length - 1] as bigint;
        letters.push(lateLetter(e, w as bigint, latest, latest + size));
        continue;
      }
      for (const start of open) {
        contributions.push({ batch: n, start, e });
        changed.add(`${start}|${e.k}`);
      }
    }
    const rows: StreamRow[] = [];
    const windows = new Map<string, { start: bigint; k: string; totals: Totals }>();
    for (const c of contributions) {
      const key = `${c.start}|${c.e.k}`;
      const entry = windows.get(key) ?? { start: c.start, k: c.e.k, totals: empty() };
      addTo(entry.totals, c.e.v);
      windows.set(key, entry);
    }
    for (const [key, { start, k, totals }] of windows) {
      const end = start + size;
      const emit = mode === 'update' ? changed.has(key) : after !== undefined && end <= after && (w === undefined || end > w);
      if (emit) rows.push(expectedRow(start, end, k, totals));
    }
    result.push({ rows: rows.sort(byStartThenKey), letters });
  }
  return result;
}

/** Expected per-batch output of a session window: sessions recomputed from all accepted events. */
function bruteForceSessions(gapMs: number, sc: Scenario): { rows: StreamRow[]; letters: Partial<DeadLetter>[] }[] {
  const gap = BigInt(gapMs) * 1000n;
  const before = watermarksBefore([...sc.batches, []], sc.latenessMs);
  const accepted: Event[] = [];
  const emitted = new Map<string, { start: bigint; end: bigint }[]>();
  const result: { rows: StreamRow[]; letters: Partial<DeadLetter>[] }[] = [];
  for (const [n, batch] of sc.batches.entries()) {
    const w = before[n];
    const after = before[n + 1];
    const letters: Partial<DeadLetter>[] = [];
    for (const e of batch) {
      if (e.ts === null) {
        letters.push({ reason: 'schema_violation', record: { ...e } });
        continue;
      }
      const done = emitted.get(e.k) ?? [];
      const lastDone = done.reduce<{ start: bigint; end: bigint } | undefined>((a, b) => (a === undefined || b.end > a.end ? b : a), undefined);
      if (w !== undefined && e.ts + gap <= w) letters.push(lateLetter(e, w, e.ts, e.ts + gap));
      else if (w !== undefined && lastDone && e.ts < lastDone.end) letters.push(lateLetter(e, w, lastDone.start, lastDone.end));
      else accepted.push(e);
    }
    const rows: StreamRow[] = [];
    for (const k of KEYS) {
      const events = accepted.filter((e) => e.k === k).sort((x, y) => ((x.ts as bigint) < (y.ts as bigint) ? -1 : 1));
      let current: Event[] = [];
      const sessions: Event[][] = [];
      for (const e of events) {
        const last = current[current.length - 1];
        if (last && (e.ts as bigint) >= (last.ts as bigint) + gap) {
          sessions.push(current);
          current = [];
        }
        current.push(e);
      }
      if (current.length > 0) sessions.push(current);
      for (const session of sessions) {
        const start = session[0]?.ts as bigint;
        const end = (session[session.length - 1]?.ts as bigint) + gap;
        const done = emitted.get(k) ?? [];
        if (after === undefined || end > after || done.some((d) => d.start === start && d.end === end)) continue;
        const totals = empty();
        for (const e of session) addTo(totals, e.v);
        rows.push(expectedRow(start, end, k, totals));
        emitted.set(k, [...done, { start, end }]);
      }
    }
    result.push({ rows: rows.sort(byStartThenKey), letters });
  }
  return result;
}

function toRows(batches: readonly Event[][]): StreamRow[][] {
  return batches.map((batch) => batch.map((e) => ({ ...e })));
}

function compare(outcomes: readonly BatchOutcome[], expected: readonly { rows: StreamRow[]; letters: Partial<DeadLetter>[] }[], seed: number): void {
  assert.equal(outcomes.length, expected.length);
  outcomes.forEach((outcome, n) => {
    assertRows(outcome.rows, expected[n]?.rows ?? [], `seed ${seed}, batch ${n}: rows`);
    assert.deepEqual(summarize(outcome.letters), expected[n]?.letters, `seed ${seed}, batch ${n}: dead letters`);
  });
}

describe('window operator vs brute force', () => {
  const fixed: [string, Exclude<WindowSpec, { type: 'session' }>][] = [
    ['tumbling', { type: 'tumbling', sizeMs: 5_000 }],
    ['sliding', { type: 'sliding', sizeMs: 6_000, slideMs: 2_000 }],
    ['sliding (size not a multiple of slide)', { type: 'sliding', sizeMs: 5_000, slideMs: 3_000 }],
  ];
  for (const [name, spec] of fixed) {
    for (const mode of ['append', 'update'] as const) {
      test(`${name}, ${mode} mode: rows and dead letters of every batch (25 seeds, crashes and restarts)`, async () => {
        for (let seed = 1; seed <= 25; seed++) {
          const sc = scenario(seed);
          const outcomes = await runBatches(() => createWindowOperator({ id: '0:window', transform: transformOf(spec), outputMode: mode }), toRows(sc.batches), {
            input: INPUT,
            timeColumn: 'ts',
            latenessMs: sc.latenessMs,
            random: sc.random,
          });
          compare(outcomes, bruteForceFixed(spec, mode, sc), seed);
        }
      });
    }
  }

  test('session, append mode: rows and dead letters of every batch (40 seeds, crashes and restarts)', async () => {
    for (let seed = 100; seed < 140; seed++) {
      const sc = scenario(seed);
      const gapMs = [500, 1_500, 3_000][seed % 3] as number;
      const outcomes = await runBatches(() => createWindowOperator({ id: '0:window', transform: transformOf({ type: 'session', gapMs }), outputMode: 'append' }), toRows(sc.batches), {
        input: INPUT,
        timeColumn: 'ts',
        latenessMs: sc.latenessMs,
        random: sc.random,
      });
      compare(outcomes, bruteForceSessions(gapMs, sc), seed);
    }
  });

  test('restarts from serialised state change nothing: runs with and without crashes give identical output', async () => {
    for (const spec of [{ type: 'sliding', sizeMs: 4_000, slideMs: 1_000 }, { type: 'session', gapMs: 2_000 }] as const) {
      for (let seed = 200; seed < 210; seed++) {
        const sc = scenario(seed);
        const make = (): ReturnType<typeof createWindowOperator> => createWindowOperator({ id: '0:window', transform: transformOf(spec), outputMode: 'append' });
        const options = { input: INPUT, timeColumn: 'ts', latenessMs: sc.latenessMs };
        const straight = await runBatches(make, toRows(sc.batches), options);
        const crashing = await runBatches(make, toRows(sc.batches), { ...options, random: () => (sc.random() < 0.5 ? 0 : 0.99) });
        assert.deepEqual(crashing, straight, `seed ${seed}`);
      }
    }
  });
});

describe('dedup operator vs brute force', () => {
  test('with event time: first of each key within the watermark passes, late records are dead letters (40 seeds)', async () => {
    for (let seed = 300; seed < 340; seed++) {
      const sc = scenario(seed);
      const outcomes = await runBatches(() => createDedupOperator({ id: '0:dedup', transform: { kind: 'dedup', keys: ['k', 'v'] }, timeColumn: 'ts' }), toRows(sc.batches), {
        input: INPUT,
        timeColumn: 'ts',
        latenessMs: sc.latenessMs,
        random: sc.random,
      });
      // Brute force: a record duplicates an earlier passed record with the same keys if that one
      // passed in this batch or its event time is not behind this batch's watermark.
      const before = watermarksBefore(sc.batches, sc.latenessMs);
      const passed: { batch: number; e: Event }[] = [];
      sc.batches.forEach((batch, n) => {
        const w = before[n];
        const rows: StreamRow[] = [];
        const letters: Partial<DeadLetter>[] = [];
        for (const e of batch) {
          if (e.ts === null) letters.push({ reason: 'schema_violation', record: { ...e } });
          else if (w !== undefined && e.ts < w) letters.push({ reason: 'late', record: { ...e }, eventTime: e.ts, watermark: w });
          else if (!passed.some((p) => p.e.k === e.k && p.e.v === e.v && (p.batch === n || (p.e.ts as bigint) >= (w as bigint)))) {
            passed.push({ batch: n, e });
            rows.push({ ...e });
          }
        }
        assert.deepEqual(outcomes[n]?.rows, rows, `seed ${seed}, batch ${n}: rows`);
        assert.deepEqual(summarize(outcomes[n]?.letters ?? []), letters, `seed ${seed}, batch ${n}: dead letters`);
      });
    }
  });
});
