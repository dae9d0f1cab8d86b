/**
 * Event-time windows in microseconds. A window is the half-open interval [start, end): an event
 * exactly at a window's end belongs to the next one. Window starts are aligned to multiples of the
 * slide (tumbling: the size) counted from the Unix epoch, as in Spark and Flink, so windows line up
 * with wall-clock minutes and hours — also before 1970 (negative times align downwards).
 *
 * Gotcha: a sliding window whose slide is longer than its size leaves gaps, so an event may belong
 * to no window; `windowsOf` then returns `[]`. Stream definitions refuse such windows.
 */
import type { WindowSpec } from '../model/index.ts';

export interface Interval {
  readonly start: bigint;
  readonly end: bigint;
}

/** A tumbling or sliding window (sessions depend on other events: see sessions.ts). */
export type FixedWindowSpec = Exclude<WindowSpec, { type: 'session' }>;

const US_PER_MS = 1000n;

/** Milliseconds (a definition's durations) as microseconds (event times). */
export function microsOfMillis(ms: number): bigint {
  return BigInt(ms) * US_PER_MS;
}

/** Floor division for bigint (rounds toward −∞, so negative times align too). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * Every tumbling or sliding window containing event time `t` (µs), earliest first.
 *
 * @example windowsOf({ type: 'sliding', sizeMs: 10_000, slideMs: 5_000 }, 12_000_000n)
 *   // → [{ start: 5_000_000n, end: 15_000_000n }, { start: 10_000_000n, end: 20_000_000n }]
 */
export function windowsOf(spec: FixedWindowSpec, t: bigint): Interval[] {
  const size = microsOfMillis(spec.sizeMs);
  const slide = spec.type === 'tumbling' ? size : microsOfMillis(spec.slideMs);
  const lastStart = floorDiv(t, slide) * slide;
  const windows: Interval[] = [];
  // A window [start, start + size) contains t iff t - size < start <= t.
  let first = lastStart;
  while (first - slide > t - size) first -= slide;
  for (let start = first; start <= lastStart; start += slide) if (start + size > t) windows.push({ start, end: start + size });
  return windows;
}

/** The end of the last window containing `t`: once the watermark reaches it, every window of `t` is final. */
export function lastWindowEnd(spec: WindowSpec, t: bigint): bigint {
  if (spec.type === 'session') return t + microsOfMillis(spec.gapMs);
  const windows = windowsOf(spec, t);
  return windows[windows.length - 1]?.end ?? t;
}

/**
 * The watermark after a batch: max(current, max event time of the batch − lateness). It never moves
 * back, and a batch without event times leaves it where it was.
 */
export function nextWatermark(current: bigint | undefined, maxEventTimeInBatch: bigint | undefined, maxLatenessMs: number): bigint | undefined {
  if (maxEventTimeInBatch === undefined) return current;
  const candidate = maxEventTimeInBatch - microsOfMillis(maxLatenessMs);
  return current === undefined || candidate > current ? candidate : current;
}

/** µs since the epoch as ISO-8601 (ms precision), for messages. */
export function isoOfMicros(micros: bigint): string {
  const ms = Number(floorDiv(micros, US_PER_MS));
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${micros}µs` : date.toISOString();
}
