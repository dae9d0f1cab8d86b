/**
 * Reads back, from files just written, the few metrics `RETURN_STATS` cannot give exactly:
 *
 * - NaN counts: DuckDB only says `has_nan`; when it is true the NaNs are counted with one query.
 * - String/binary/fixed bounds that DuckDB cut short: its Parquet writer keeps at most 256 bytes of a
 *   min/max, and when it cannot cut a max cleanly it writes a looser one (a max of `xééé…` becomes
 *   `y`) or none at all. The footer's `min_is_exact`/`max_is_exact` (read via `parquet_metadata`, no
 *   data pages) tell which columns need it; those get `min(left(col, 17))`, which has the same first
 *   16 code points as the true min and tells whether the value was longer than 16.
 *
 * Leaves inside lists and maps are never measured (no bounds there; their NaN count is omitted).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IcebergValue } from '../schema/values.ts';
import { canonicalToValue } from './canonical-values.ts';
import type { LeafStats, MeasuredValues } from './column-metrics.ts';
import { quoteIdent, quoteString } from './duckdb-types.ts';
import type { ParquetLeaf } from './parquet-leaves.ts';

export interface WrittenFileStats {
  readonly path: string;
  readonly statsByKey: ReadonlyMap<string, LeafStats>;
}

/** Prefix length read for cut-short bounds: one more code point than truncate(16) keeps. */
const PREFIX = 17;

export async function measureFiles(
  connection: DuckDBConnection,
  leaves: readonly ParquetLeaf[],
  files: readonly WrittenFileStats[],
): Promise<MeasuredValues[]> {
  const byteLeaves = leaves.filter((l) => !l.repeated && ['string', 'binary', 'fixed'].includes(l.type.kind));
  const inexact = await inexactColumns(connection, byteLeaves, files);
  const results: MeasuredValues[] = [];
  for (const file of files) {
    const nanLeaves = leaves.filter(
      (l) => !l.repeated && (l.type.kind === 'float' || l.type.kind === 'double') && file.statsByKey.get(l.statsKey)?.get('has_nan') === 'true',
    );
    const boundLeaves = byteLeaves.filter((l) => inexact.get(file.path)?.has(l.columnIndex) === true);
    results.push(await measureFile(connection, file.path, nanLeaves, boundLeaves));
  }
  return results;
}

/** Per file, the leaf column indexes whose footer min/max are missing or not exact while values exist. */
async function inexactColumns(
  connection: DuckDBConnection,
  byteLeaves: readonly ParquetLeaf[],
  files: readonly WrittenFileStats[],
): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  if (byteLeaves.length === 0 || files.length === 0) return out;
  const reader = await connection.runAndReadAll(
    `SELECT file_name, column_id,
       bool_and(coalesce(min_is_exact AND max_is_exact, stats_null_count = num_values, false)) AS exact
     FROM parquet_metadata([${files.map((f) => quoteString(f.path)).join(', ')}])
     WHERE column_id IN (${byteLeaves.map((l) => l.columnIndex).join(', ')})
     GROUP BY ALL`,
  );
  for (const [fileName, columnId, exact] of reader.getRows()) {
    if (exact === true) continue;
    const set = out.get(String(fileName)) ?? new Set<number>();
    set.add(Number(columnId));
    out.set(String(fileName), set);
  }
  return out;
}

async function measureFile(
  connection: DuckDBConnection,
  path: string,
  nanLeaves: readonly ParquetLeaf[],
  boundLeaves: readonly ParquetLeaf[],
): Promise<MeasuredValues> {
  const nanCounts = new Map<number, number>();
  const bounds = new Map<number, { min: IcebergValue; max: IcebergValue }>();
  if (nanLeaves.length === 0 && boundLeaves.length === 0) return { nanCounts, bounds };
  // statsKey is the quoted path (`"st"."a"`); behind the table alias it cannot be taken for a table name.
  const column = (leaf: ParquetLeaf) => `__f.${leaf.statsKey}`;
  const prefix = (leaf: ParquetLeaf) => {
    const c = column(leaf);
    if (leaf.type.kind === 'string') return `left(${c}, ${PREFIX})`;
    if (leaf.type.kind === 'binary') return `from_hex(left(hex(${c}), ${2 * PREFIX}))`;
    return c; // fixed: bounds are kept whole
  };
  const selects = [
    ...nanLeaves.map((l, i) => `count(*) FILTER (WHERE isnan(${column(l)})) AS ${quoteIdent(`n${i}`)}`),
    ...boundLeaves.flatMap((l, i) => [`min(${prefix(l)}) AS ${quoteIdent(`lo${i}`)}`, `max(${prefix(l)}) AS ${quoteIdent(`hi${i}`)}`]),
  ];
  const reader = await connection.runAndReadAll(
    `SELECT ${selects.join(', ')} FROM read_parquet(${quoteString(path)}, hive_partitioning = false) AS __f`,
  );
  const row = reader.getRows()[0] ?? [];
  nanLeaves.forEach((l, i) => nanCounts.set(l.fieldId, Number(row[i] ?? 0)));
  boundLeaves.forEach((l, i) => {
    const base = nanLeaves.length + 2 * i;
    bounds.set(l.fieldId, { min: canonicalToValue(row[base] ?? null, l.type), max: canonicalToValue(row[base + 1] ?? null, l.type) });
  });
  return { nanCounts, bounds };
}
