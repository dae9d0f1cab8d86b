/**
 * Windowed aggregation over event time, with state in the stream's state store
 * (`context.state.namespace(id)`; plain data only, so checkpoints and restores are exact).
 *
 * Per batch:
 * 1. Each record is placed in its windows (time/windows.ts, time/sessions.ts). A record with a null
 *    time column → dead letter `schema_violation`. A record is late → dead letter `late` (not
 *    aggregated) when, against the watermark in force W (`context.watermark`, from earlier batches):
 *    - tumbling/sliding: every window it belongs to ends at or before W. The letter names the latest
 *      of them. A sliding record with some windows still open counts only in those, so a window
 *      already emitted is never emitted twice;
 *    - session: its own session [t, t + gap) ends at or before W, or t falls before the end of a
 *      session of its key that was already emitted (it would merge into a final session). The
 *      letter names that window. This keeps emitted sessions of a key disjoint.
 *    The letter's `position` is the record's source position (`positionOf`), '' for rows a SQL
 *    transform made.
 * 2. Append mode: every window ending at or before `context.nextWatermark` is emitted once and
 *    evicted. Update mode (not for sessions): every window the batch changed is emitted with its
 *    current values; windows ending at or before `nextWatermark` are evicted without another row.
 * Output rows are ordered by window start, then group key (then end), so the same input, state and
 * context always give the same output.
 *
 * State: tumbling/sliding keep one entry per (window, group); sessions one per group holding its
 * open sessions and the last emitted one, kept until the watermark passes its end by a gap (after
 * that no on-time record can reach it).
 *
 * Gotcha: `outputFields` must run before `process` (it compiles the aggregates from the input
 * types; the runner's buildChain does this).
 */
import { StrataError } from '../../core/index.ts';
import { Types, field, typeToString, type NestedField } from '../../table/index.ts';
import {
  WINDOW_END,
  WINDOW_START,
  positionOf,
  type BatchContext,
  type OutputMode,
  type RowFields,
  type StreamOperator,
  type StreamRow,
  type WindowTransform,
} from '../model/index.ts';
import { addToSessions, isoOfMicros, microsOfMillis, windowsOf, type FixedWindowSpec, type Interval, type Session } from '../time/index.ts';
import { compileAggregate, type Accumulator, type Aggregate } from './aggregates.ts';
import { groupKey } from './group-key.ts';

/** State of one (window, group) of a tumbling or sliding window. */
interface WindowState {
  readonly start: bigint;
  readonly end: bigint;
  readonly group: unknown[];
  readonly acc: Accumulator[];
}

/** State of one group of a session window. */
interface SessionGroupState {
  readonly group: unknown[];
  /** Open sessions, sorted by start, disjoint. */
  readonly sessions: { readonly start: bigint; readonly end: bigint; readonly acc: Accumulator[] }[];
  /** The latest session already emitted, while an on-time record could still overlap it. */
  readonly closed: { readonly start: bigint; readonly end: bigint } | null;
}

interface Emitted {
  readonly start: bigint;
  readonly end: bigint;
  readonly group: readonly unknown[];
  readonly groupKey: string;
  readonly acc: readonly Accumulator[];
}

/** Column types a group-by may use: values that compare by value (no struct, list or map). */
const GROUPABLE = new Set(['boolean', 'int', 'long', 'float', 'double', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'fixed', 'binary']);

export function createWindowOperator(options: { id: string; transform: WindowTransform; outputMode: OutputMode }): StreamOperator {
  const { id, transform, outputMode } = options;
  validateSpec(id, transform, outputMode);
  let aggregates: readonly Aggregate[] | undefined;

  return {
    id,
    outputFields(input: RowFields): Promise<RowFields> {
      try {
        const { groups, compiled } = checkInput(id, transform, input);
        aggregates = compiled;
        let nextId = 1;
        return Promise.resolve([
          field(nextId++, WINDOW_START, Types.timestamptz, true),
          field(nextId++, WINDOW_END, Types.timestamptz, true),
          ...groups.map((g) => ({ ...g, id: nextId++ })),
          ...compiled.map((a) => field(nextId++, a.name, a.outputType)),
        ]);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    process(rows: readonly StreamRow[], context: BatchContext): Promise<StreamRow[]> {
      if (!aggregates) return Promise.reject(new StrataError('INVALID_ARGUMENT', `Window operator ${id}: call outputFields() before process() (it compiles the aggregates)`));
      const emitted = transform.window.type === 'session' ? processSessions(aggregates, rows, context) : processWindows(aggregates, transform.window, rows, context);
      return Promise.resolve(emitted.sort(byWindowThenGroup).map((w) => outputRow(aggregates as readonly Aggregate[], w)));
    },
  };

  function processWindows(aggs: readonly Aggregate[], spec: FixedWindowSpec, rows: readonly StreamRow[], context: BatchContext): Emitted[] {
    const state = context.state.namespace<WindowState>(id);
    const watermark = context.watermark;
    const changed = new Set<string>();
    for (const row of rows) {
      const t = eventTime(row, context);
      if (t === undefined) continue;
      const windows = windowsOf(spec, t);
      const open = watermark === undefined ? windows : windows.filter((w) => w.end > watermark);
      const latest = windows[windows.length - 1];
      if (open.length === 0 && latest && watermark !== undefined) {
        late(row, t, watermark, latest, 'every window it belongs to has ended', context);
        continue;
      }
      const group = transform.groupBy.map((g) => row[g] ?? null);
      const gk = groupKey(group);
      for (const window of open) {
        const key = `${window.start}|${gk}`;
        const current = state.get(key) ?? { start: window.start, end: window.end, group, acc: aggs.map((a) => a.empty()) };
        state.put(key, { ...current, acc: current.acc.map((acc, i) => (aggs[i] as Aggregate).add(acc, row)) });
        changed.add(key);
      }
    }
    const next = context.nextWatermark;
    const emitted: Emitted[] = [];
    if (outputMode === 'update') {
      for (const key of changed) {
        const window = state.get(key) as WindowState;
        emitted.push({ ...window, groupKey: groupKey(window.group) });
      }
    }
    if (next !== undefined) {
      const evicted: string[] = [];
      for (const [key, window] of state.entries()) {
        if (window.end > next) continue;
        evicted.push(key);
        if (outputMode === 'append') emitted.push({ ...window, groupKey: groupKey(window.group) });
      }
      for (const key of evicted) state.delete(key);
    }
    return emitted;
  }

  function processSessions(aggs: readonly Aggregate[], rows: readonly StreamRow[], context: BatchContext): Emitted[] {
    const gap = microsOfMillis((transform.window as { gapMs: number }).gapMs);
    const state = context.state.namespace<SessionGroupState>(id);
    const watermark = context.watermark;
    const mergeAccs = (a: Accumulator[], b: Accumulator[]): Accumulator[] => a.map((acc, i) => (aggs[i] as Aggregate).merge(acc, b[i]));
    for (const row of rows) {
      const t = eventTime(row, context);
      if (t === undefined) continue;
      const group = transform.groupBy.map((g) => row[g] ?? null);
      const key = groupKey(group);
      const current = state.get(key) ?? { group, sessions: [], closed: null };
      if (watermark !== undefined && t + gap <= watermark) {
        late(row, t, watermark, { start: t, end: t + gap }, 'its session ends at or before the watermark', context);
        continue;
      }
      if (watermark !== undefined && current.closed && t < current.closed.end) {
        late(row, t, watermark, current.closed, 'it would merge into a session of its group that was already emitted', context);
        continue;
      }
      const sessions = addToSessions<Accumulator[]>(
        current.sessions.map((s) => ({ start: s.start, end: s.end, value: s.acc })),
        t,
        gap,
        aggs.map((a) => a.add(a.empty(), row)),
        mergeAccs,
      );
      state.put(key, { group: current.group, sessions: sessions.map((s: Session<Accumulator[]>) => ({ start: s.start, end: s.end, acc: s.value })), closed: current.closed });
    }
    const next = context.nextWatermark;
    if (next === undefined) return [];
    const emitted: Emitted[] = [];
    const updates: [string, SessionGroupState | undefined][] = [];
    for (const [key, entry] of state.entries()) {
      const final = entry.sessions.filter((s) => s.end <= next);
      const open = entry.sessions.filter((s) => s.end > next);
      let closed = entry.closed;
      for (const s of final) {
        emitted.push({ start: s.start, end: s.end, group: entry.group, groupKey: key, acc: s.acc });
        if (!closed || s.end > closed.end) closed = { start: s.start, end: s.end };
      }
      if (closed && closed.end + gap <= next) closed = null;
      if (final.length === 0 && closed === entry.closed) continue;
      updates.push([key, open.length === 0 && closed === null ? undefined : { group: entry.group, sessions: open, closed }]);
    }
    for (const [key, value] of updates) {
      if (value) state.put(key, value);
      else state.delete(key);
    }
    return emitted;
  }

  function eventTime(row: StreamRow, context: BatchContext): bigint | undefined {
    const t = row[transform.timeColumn];
    if (typeof t === 'bigint') return t;
    context.deadLetter({
      reason: 'schema_violation',
      error:
        t === null || t === undefined
          ? `Window ${id}: event time column ${transform.timeColumn} is null, so the record belongs to no window`
          : `Window ${id}: event time column ${transform.timeColumn} holds a ${typeof t}, not a timestamp (µs as bigint)`,
      position: positionOf(row),
      record: row,
    });
    return undefined;
  }

  function late(row: StreamRow, t: bigint, watermark: bigint, missed: Interval, why: string, context: BatchContext): void {
    context.deadLetter({
      reason: 'late',
      error: `Late record: event time ${isoOfMicros(t)} is behind the watermark ${isoOfMicros(watermark)} and ${why} (window [${isoOfMicros(missed.start)}, ${isoOfMicros(missed.end)}) is already final); raise the source's max lateness to accept such records`,
      position: positionOf(row),
      record: row,
      eventTime: t,
      windowStart: missed.start,
      windowEnd: missed.end,
      watermark,
    });
  }

  function outputRow(aggs: readonly Aggregate[], window: Emitted): StreamRow {
    const row: StreamRow = { [WINDOW_START]: window.start, [WINDOW_END]: window.end };
    transform.groupBy.forEach((g, i) => (row[g] = window.group[i] ?? null));
    aggs.forEach((a, i) => (row[a.name] = a.result(window.acc[i])));
    return row;
  }
}

function validateSpec(id: string, transform: WindowTransform, outputMode: OutputMode): void {
  const w = transform.window;
  const positive = (ms: number): boolean => Number.isSafeInteger(ms) && ms > 0;
  const fail = (message: string): never => {
    throw new StrataError('STREAM_INVALID', `Window ${id}: ${message}`, { transform: id });
  };
  if (w.type === 'tumbling' && !positive(w.sizeMs)) fail(`a tumbling window needs a positive whole size in ms, got ${w.sizeMs}`);
  if (w.type === 'sliding' && (!positive(w.sizeMs) || !positive(w.slideMs) || w.slideMs > w.sizeMs)) {
    fail(`a sliding window needs a positive whole size and slide in ms with slide ≤ size, got size ${w.sizeMs}, slide ${w.slideMs}`);
  }
  if (w.type === 'session') {
    if (!positive(w.gapMs)) fail(`a session window needs a positive whole gap in ms, got ${w.gapMs}`);
    if (outputMode === 'update') {
      fail(`session windows need output_mode: append: a later record can merge sessions and move a session's start, which an upsert key (window_start, window_end, groups) cannot follow`);
    }
  }
}

function checkInput(id: string, transform: WindowTransform, input: RowFields): { groups: NestedField[]; compiled: Aggregate[] } {
  const fail = (message: string, column: string): never => {
    throw new StrataError('STREAM_INVALID', `Window ${id}: ${message}`, { transform: id, column });
  };
  const columns = input.map((f) => f.name).join(', ') || 'no columns';
  const time = input.find((f) => f.name === transform.timeColumn);
  if (!time) fail(`time column ${transform.timeColumn} is not in the window's input (${columns})`, transform.timeColumn);
  else if (time.type.kind !== 'timestamp' && time.type.kind !== 'timestamptz') {
    fail(`time column ${time.name} is ${typeToString(time.type)}; it must be a timestamp or timestamptz`, time.name);
  }
  const groups: NestedField[] = [];
  for (const name of transform.groupBy) {
    const column = input.find((f) => f.name === name);
    if (!column) return fail(`group_by column ${name} is not in the window's input (${columns})`, name);
    if (!GROUPABLE.has(column.type.kind)) fail(`group_by column ${name} is ${typeToString(column.type)}; group by a primitive column (not struct, list or map)`, name);
    groups.push(column);
  }
  const compiled = transform.aggregates.map((a) => compileAggregate(a, input));
  const names = new Set<string>();
  for (const name of [WINDOW_START, WINDOW_END, ...transform.groupBy, ...compiled.map((a) => a.name)]) {
    if (names.has(name)) fail(`output column ${name} appears twice; rename the aggregate`, name);
    names.add(name);
  }
  return { groups, compiled };
}

function byWindowThenGroup(a: Emitted, b: Emitted): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  if (a.groupKey !== b.groupKey) return a.groupKey < b.groupKey ? -1 : 1;
  return a.end < b.end ? -1 : a.end > b.end ? 1 : 0;
}
