/**
 * Event-time windows in microseconds. A window is the half-open interval [start, end): an event
 * exactly at a window's end belongs to the next one. Window starts are aligned to multiples of the
 * slide (tumbling: the size) counted from the Unix epoch, as in Spark and Flink, so windows line up
 * with wall-clock minutes and hours.
 */
import type { WindowSpec } from '../model/index.ts';

export interface Interval {
  readonly start: bigint;
  readonly end: bigint;
}

const MS = 1000n;

/** Floor division for bigint (rounds toward −∞, so negative times align too). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Every tumbling or sliding window containing event time `t` (µs), earliest first. Sessions: use sessions.ts. */
export function windowsOf(spec: Exclude<WindowSpec, { type: 'session' }>, t: bigint): Interval[] {
  const size = BigInt(spec.sizeMs) * MS;
  const slide = spec.type === 'tumbling' ? size : BigInt(spec.slideMs) * MS;
  const last = floorDiv(t, slide) * slide;
  const windows: Interval[] = [];
  for (let start = last; start > t - size; start -= slide) windows.unshift({ start, end: start + size });
  return windows;
}

/** The end of the last window containing `t`: once the watermark reaches it, every window of `t` is final. */
export function lastWindowEnd(spec: WindowSpec, t: bigint): bigint {
  if (spec.type === 'session') return t + BigInt(spec.gapMs) * MS;
  const windows = windowsOf(spec, t);
  return windows[windows.length - 1]?.end ?? t;
}

/** Watermark after a batch: max(current, max event time − lateness); it never moves back. */
export function nextWatermark(current: bigint | undefined, maxEventTime: bigint | undefined, maxLatenessMs: number): bigint | undefined {
  if (maxEventTime === undefined) return current;
  const candidate = maxEventTime - BigInt(maxLatenessMs) * MS;
  return current === undefined || candidate > current ? candidate : current;
}

/** µs since the epoch as ISO-8601 (ms precision), for messages. */
export function isoOfMicros(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString();
}
