/**
 * Small numeric helpers for the benchmarks: timing, percentiles and number formatting.
 * Percentiles use the nearest-rank method, so p95 of 50 samples is the 48th smallest — a real
 * observation, never an interpolated one.
 */

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}

/** Run `fn` and return its result and the elapsed milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = now();
  const value = await fn();
  return { value, ms: now() - start };
}

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
}

/** Nearest-rank percentile (`p` in 0..100) of unsorted samples; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  const mean = n === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / n;
  return {
    n,
    mean,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    min: n === 0 ? NaN : Math.min(...samples),
    max: n === 0 ? NaN : Math.max(...samples),
  };
}

/** `12.3` style: one decimal below 100, none above; '—' for NaN. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** A ratio as `3.2×`; '—' when undefined. */
export function ratio(numerator: number, denominator: number): string {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return '—';
  const r = numerator / denominator;
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}×`;
}

/** A markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
