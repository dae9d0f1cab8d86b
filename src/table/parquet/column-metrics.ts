/**
 * Iceberg column metrics of one data file, built from DuckDB's `RETURN_STATS` (one MAP of strings
 * per leaf column: min, max, null_count, num_values, column_size_bytes, has_nan), keyed by field id.
 *
 * Choices, matching Iceberg's Java Parquet writer:
 * - column sizes, value counts and null counts are kept for every leaf, including leaves inside
 *   lists and maps, where they count Parquet levels: each element, plus one entry for every null or
 *   empty list/map (so `value_counts` of `tags.element` is not the number of rows);
 * - bounds only for leaves reached through structs alone: inside a list or map a min/max says nothing
 *   about a row, so none is written (Java's `shouldStoreBounds` does the same);
 * - strings/binary bounds are truncated to 16 code points/bytes (bound-truncation.ts); `fixed[L]`
 *   bounds stay whole, since a shorter value would not decode as a `fixed[L]`;
 * - float/double bounds: DuckDB leaves NaN out of min/max, so they stay valid; a zero lower bound is
 *   written as -0.0 and a zero upper bound as +0.0, because DuckDB treats -0.0 = 0.0 while Iceberg
 *   orders -0.0 before 0.0. NaN counts come from `has_nan` (false → 0) or, when NaNs exist, from a
 *   count the caller supplies; without one the NaN count is omitted.
 */
import { serializeValue } from '../serde/single-value.ts';
import type { IcebergValue } from '../schema/values.ts';
import { truncateLowerBinary, truncateLowerString, truncateUpperBinary, truncateUpperString } from './bound-truncation.ts';
import type { ParquetLeaf } from './parquet-leaves.ts';
import { parseStatValue } from './stat-values.ts';

export interface ColumnMetrics {
  readonly columnSizes: Map<number, number>;
  readonly valueCounts: Map<number, number>;
  readonly nullValueCounts: Map<number, number>;
  readonly nanValueCounts: Map<number, number>;
  readonly lowerBounds: Map<number, Uint8Array>;
  readonly upperBounds: Map<number, Uint8Array>;
}

/** One leaf's stats as DuckDB reports them (all strings). */
export type LeafStats = ReadonlyMap<string, string>;

/** Values measured by reading the file back, for what `RETURN_STATS` cannot give exactly. */
export interface MeasuredValues {
  /** Exact NaN counts by field id. */
  readonly nanCounts: ReadonlyMap<number, number>;
  /** Exact min/max by field id, replacing the reported ones (strings may be cut to ≥ 17 code points). */
  readonly bounds: ReadonlyMap<number, { readonly min: IcebergValue; readonly max: IcebergValue }>;
}

export const NO_MEASUREMENTS: MeasuredValues = { nanCounts: new Map(), bounds: new Map() };

export function columnMetrics(
  leaves: readonly ParquetLeaf[],
  statsByKey: ReadonlyMap<string, LeafStats>,
  measured: MeasuredValues = NO_MEASUREMENTS,
): ColumnMetrics {
  const metrics: ColumnMetrics = {
    columnSizes: new Map(),
    valueCounts: new Map(),
    nullValueCounts: new Map(),
    nanValueCounts: new Map(),
    lowerBounds: new Map(),
    upperBounds: new Map(),
  };
  for (const leaf of leaves) {
    const stats = statsByKey.get(leaf.statsKey);
    if (stats === undefined) continue;
    const id = leaf.fieldId;
    setCount(metrics.columnSizes, id, stats.get('column_size_bytes'));
    setCount(metrics.valueCounts, id, stats.get('num_values'));
    setCount(metrics.nullValueCounts, id, stats.get('null_count'));
    if (leaf.type.kind === 'float' || leaf.type.kind === 'double') {
      const nanCount = stats.get('has_nan') === 'false' ? 0 : measured.nanCounts.get(id);
      if (nanCount !== undefined) metrics.nanValueCounts.set(id, nanCount);
    }
    if (leaf.repeated) continue;
    const override = measured.bounds.get(id);
    const min = override !== undefined ? override.min : parseReported(leaf, stats.get('min'));
    const max = override !== undefined ? override.max : parseReported(leaf, stats.get('max'));
    const lower = min === null || min === undefined ? undefined : lowerBound(leaf, min);
    const upper = max === null || max === undefined ? undefined : upperBound(leaf, max);
    if (lower !== undefined) metrics.lowerBounds.set(id, lower);
    if (upper !== undefined) metrics.upperBounds.set(id, upper);
  }
  return metrics;
}

function setCount(map: Map<number, number>, id: number, text: string | undefined): void {
  if (text !== undefined && /^\d+$/.test(text)) map.set(id, Number(text));
}

function parseReported(leaf: ParquetLeaf, text: string | undefined): IcebergValue | undefined {
  return text === undefined ? undefined : parseStatValue(leaf.type, text);
}

function lowerBound(leaf: ParquetLeaf, value: Exclude<IcebergValue, null>): Uint8Array | undefined {
  switch (leaf.type.kind) {
    case 'string':
      return typeof value === 'string' ? serializeValue(leaf.type, truncateLowerString(value)) : undefined;
    case 'binary':
      return value instanceof Uint8Array ? serializeValue(leaf.type, truncateLowerBinary(value)) : undefined;
    case 'float':
    case 'double':
      return serializeValue(leaf.type, value === 0 ? -0 : value);
    default:
      return serializeValue(leaf.type, value);
  }
}

function upperBound(leaf: ParquetLeaf, value: Exclude<IcebergValue, null>): Uint8Array | undefined {
  switch (leaf.type.kind) {
    case 'string': {
      const upper = typeof value === 'string' ? truncateUpperString(value) : undefined;
      return upper === undefined ? undefined : serializeValue(leaf.type, upper);
    }
    case 'binary': {
      const upper = value instanceof Uint8Array ? truncateUpperBinary(value) : undefined;
      return upper === undefined ? undefined : serializeValue(leaf.type, upper);
    }
    case 'float':
    case 'double':
      return serializeValue(leaf.type, value === 0 ? 0 : value);
    default:
      return serializeValue(leaf.type, value);
  }
}
