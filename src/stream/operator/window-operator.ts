/**
 * Windowed aggregation over event time, with state in the stream's state store.
 *
 * Tumbling and sliding windows keep one state entry per (window, group); session windows one per
 * group holding its open sessions. Per batch:
 * 1. Each record is placed in its windows. A record whose windows all ended at or before the
 *    watermark in force (`context.watermark`) is late → dead letter (reason `late`, with the latest
 *    window it missed and the watermark). For sliding windows, windows of a record that are already
 *    final are skipped, so a final window is never emitted twice.
 * 2. Append mode: every window ending at or before the batch's new watermark is emitted once and
 *    evicted. Update mode: every window the batch changed is emitted with its current values, and
 *    windows ending at or before the new watermark are evicted (already emitted).
 * Output rows: window_start, window_end, the group-by columns, the aggregates; ordered by window
 * start, then group, so the output is deterministic.
 */
import { StrataError } from '../../core/index.ts';
import { Types, field, type NestedField } from '../../table/index.ts';
import {
  WINDOW_END,
  WINDOW_START,
  type BatchContext,
  positionOf,
  type OutputMode,
  type RowFields,
  type StreamOperator,
  type StreamRow,
  type WindowTransform,
} from '../model/index.ts';
import { isoOfMicros, windowsOf } from '../time/index.ts';
import { compileAggregate, type Accumulator, type Aggregate } from './aggregates.ts';
import { groupKey } from './group-key.ts';

interface WindowState {
  readonly start: bigint;
  readonly end: bigint;
  readonly group: readonly unknown[];
  readonly acc: readonly Accumulator[];
}

interface SessionState {
  readonly group: readonly unknown[];
  /** Open sessions of the group, sorted by start, never overlapping. */
  readonly sessions: readonly { readonly start: bigint; readonly end: bigint; readonly acc: readonly Accumulator[] }[];
}

const MS = 1000n;

export function createWindowOperator(options: { id: string; transform: WindowTransform; outputMode: OutputMode }): StreamOperator {
  const { id, transform, outputMode } = options;
  if (transform.window.type === 'session' && outputMode === 'update') {
    throw new StrataError('STREAM_INVALID', `Session windows need output_mode: append: a session that merges with another changes its start, which an upsert key cannot follow`, {
      transform: id,
    });
  }
  let aggregates: readonly Aggregate[] = [];
  return {
    id,
    outputFields(input: RowFields): Promise<RowFields> {
      const time = input.find((f) => f.name === transform.timeColumn);
      if (!time || (time.type.kind !== 'timestamp' && time.type.kind !== 'timestamptz')) {
        return Promise.reject(
          new StrataError('STREAM_INVALID', `Window time column ${transform.timeColumn} must be a timestamp or timestamptz column of the window's input; the input has ${describe(input)}`, {
            transform: id,
          }),
        );
      }
      const groups: NestedField[] = [];
      for (const name of transform.groupBy) {
        const column = input.find((f) => f.name === name);
        if (!column) return Promise.reject(new StrataError('STREAM_INVALID', `Window group_by column ${name} is not in the window's input (${describe(input)})`, { transform: id }));
        groups.push(column);
      }
      try {
        aggregates = transform.aggregates.map((a) => compileAggregate(a, input));
      } catch (error) {
        return Promise.reject(error as Error);
      }
      let nextId = 1;
      return Promise.resolve([
        field(nextId++, WINDOW_START, Types.timestamptz, true),
        field(nextId++, WINDOW_END, Types.timestamptz, true),
        ...groups.map((g) => ({ ...g, id: nextId++ })),
        ...aggregates.map((a) => field(nextId++, a.name, a.outputType)),
      ]);
    },
    process(rows: readonly StreamRow[], context: BatchContext): Promise<StreamRow[]> {
      if (aggregates.length !== transform.aggregates.length) return Promise.reject(new StrataError('INVALID_ARGUMENT', `Window ${id}: outputFields() must run before process()`));
      return Promise.resolve(transform.window.type === 'session' ? processSessions(rows, context) : processWindows(rows, context));
    },
  };

  function processWindows(rows: readonly StreamRow[], context: BatchContext): StreamRow[] {
    const spec = transform.window as Exclude<WindowTransform['window'], { type: 'session' }>;
    const state = context.state.namespace<WindowState>(id);
    const watermark = context.watermark;
    const changed = new Set<string>();
    for (const row of rows) {
      const t = eventTime(row, context);
      if (t === undefined) continue;
      const windows = windowsOf(spec, t);
      const open = watermark === undefined ? windows : windows.filter((w) => w.end > watermark);
      if (open.length === 0) {
        const missed = windows[windows.length - 1];
        late(row, t, context, missed);
        continue;
      }
      const group = transform.groupBy.map((g) => row[g] ?? null);
      for (const window of open) {
        const key = `${window.start}|${groupKey(group)}`;
        const current = state.get(key) ?? { start: window.start, end: window.end, group, acc: aggregates.map((a) => a.empty()) };
        state.put(key, { ...current, acc: current.acc.map((acc, i) => (aggregates[i] as Aggregate).add(acc, row)) });
        changed.add(key);
      }
    }
    const next = context.nextWatermark;
    const emitted: { key: string; window: WindowState }[] = [];
    const evicted: string[] = [];
    if (outputMode === 'update') for (const key of changed) emitted.push({ key, window: state.get(key) as WindowState });
    if (next !== undefined) {
      for (const [key, window] of state.entries()) {
        if (window.end > next) continue;
        evicted.push(key);
        if (outputMode === 'append') emitted.push({ key, window });
      }
    }
    for (const key of evicted) state.delete(key);
    return emitted.sort(byWindowThenKey).map(({ window }) => outputRow(window.start, window.end, window.group, window.acc));
  }

  function processSessions(rows: readonly StreamRow[], context: BatchContext): StreamRow[] {
    const gap = BigInt((transform.window as { gapMs: number }).gapMs) * MS;
    const state = context.state.namespace<SessionState>(id);
    const watermark = context.watermark;
    for (const row of rows) {
      const t = eventTime(row, context);
      if (t === undefined) continue;
      if (watermark !== undefined && t < watermark) {
        late(row, t, context, { start: t, end: t + gap });
        continue;
      }
      const group = transform.groupBy.map((g) => row[g] ?? null);
      const key = groupKey(group);
      const current = state.get(key) ?? { group, sessions: [] };
      let start = t;
      let end = t + gap;
      let acc: Accumulator[] = aggregates.map((a) => a.add(a.empty(), row));
      const kept: SessionState['sessions'][number][] = [];
      for (const session of current.sessions) {
        if (session.start < end && start < session.end) {
          start = session.start < start ? session.start : start;
          end = session.end > end ? session.end : end;
          acc = acc.map((a, i) => (aggregates[i] as Aggregate).merge(session.acc[i], a));
        } else {
          kept.push(session);
        }
      }
      kept.push({ start, end, acc });
      kept.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      state.put(key, { group, sessions: kept });
    }
    const next = context.nextWatermark;
    const emitted: { key: string; window: WindowState }[] = [];
    if (next === undefined) return [];
    const updates: [string, SessionState | undefined][] = [];
    for (const [key, value] of state.entries()) {
      const closed = value.sessions.filter((s) => s.end <= next);
      if (closed.length === 0) continue;
      for (const s of closed) emitted.push({ key, window: { start: s.start, end: s.end, group: value.group, acc: s.acc } });
      const open = value.sessions.filter((s) => s.end > next);
      updates.push([key, open.length === 0 ? undefined : { group: value.group, sessions: open }]);
    }
    for (const [key, value] of updates) {
      if (value) state.put(key, value);
      else state.delete(key);
    }
    return emitted.sort(byWindowThenKey).map(({ window }) => outputRow(window.start, window.end, window.group, window.acc));
  }

  function eventTime(row: StreamRow, context: BatchContext): bigint | undefined {
    const t = row[transform.timeColumn];
    if (typeof t === 'bigint') return t;
    context.deadLetter({ reason: 'schema_violation', error: `event time column ${transform.timeColumn} is null`, position: positionOf(row), record: row });
    return undefined;
  }

  function late(row: StreamRow, t: bigint, context: BatchContext, missed: { start: bigint; end: bigint } | undefined): void {
    const watermark = context.watermark ?? 0n;
    context.deadLetter({
      reason: 'late',
      error: `event time ${isoOfMicros(t)} is behind the watermark ${isoOfMicros(watermark)}: its window${missed ? ` [${isoOfMicros(missed.start)}, ${isoOfMicros(missed.end)})` : ''} was already final`,
      position: positionOf(row),
      record: row,
      eventTime: t,
      ...(missed ? { windowStart: missed.start, windowEnd: missed.end } : {}),
      watermark,
    });
  }

  function outputRow(start: bigint, end: bigint, group: readonly unknown[], acc: readonly Accumulator[]): StreamRow {
    const row: StreamRow = { [WINDOW_START]: start, [WINDOW_END]: end };
    transform.groupBy.forEach((g, i) => (row[g] = group[i] ?? null));
    aggregates.forEach((a, i) => (row[a.name] = a.result(acc[i])));
    return row;
  }
}

function byWindowThenKey(a: { key: string; window: WindowState }, b: { key: string; window: WindowState }): number {
  if (a.window.start !== b.window.start) return a.window.start < b.window.start ? -1 : 1;
  const ga = groupKey(a.window.group);
  const gb = groupKey(b.window.group);
  return ga < gb ? -1 : ga > gb ? 1 : 0;
}

function describe(fields: RowFields): string {
  return fields.map((f) => f.name).join(', ') || 'no columns';
}
