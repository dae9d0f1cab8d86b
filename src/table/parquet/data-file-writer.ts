/**
 * Writes rows as Iceberg Parquet data files with DuckDB and returns, per file, everything a manifest
 * entry needs: the typed partition tuple, its path, record count, size and column metrics by field id.
 *
 * How a write goes:
 * 1. The source is cast to the schema's exact types into a temporary table, together with each
 *    row's partition values (partition-expressions.ts) and a partition index: the dense rank of the
 *    partition tuple. The index is the only thing DuckDB partitions by, so directory names never need
 *    parsing and long string partition values never become (too long) directory names.
 * 2. Rows breaking the schema are refused before anything is written (required-checks.ts).
 * 3. `COPY … (FORMAT parquet, PARTITION_BY (index), FIELD_IDS …, COMPRESSION zstd, RETURN_STATS)`
 *    writes the files; each returned row names its file and partition index, which maps back to the
 *    typed tuple read from the temporary table.
 * 4. `fixed[L]` columns, which DuckDB writes as BYTE_ARRAY, become FIXED_LEN_BYTE_ARRAY(L) as the spec
 *    asks (fixed-column-rewriter.ts); only those columns' sizes and the file size change.
 * 5. `RETURN_STATS` becomes Iceberg metrics (column-metrics.ts), with the few exact values DuckDB
 *    cannot report measured from the written files (file-measurements.ts).
 *
 * With `targetFileSizeBytes`, partitions whose file came out bigger than the target are written
 * again by their own COPY with DuckDB's `FILE_SIZE_BYTES`, which rotates files (it cannot be combined
 * with `PARTITION_BY`). The common case, everything below the target, costs one COPY. DuckDB checks
 * the size between row groups (122,880 rows by default), so a file can overshoot by a row group.
 *
 * @example
 *   const files = await writeDataFiles({ connection, source: 'SELECT * FROM staging_orders', schema, spec, stagingDir: '/tmp/w' });
 *   // files[0].partitionPath === 'order_day=2024-01-31', files[0].lowerBounds.get(1) …
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { DuckDBMapValue } from '@duckdb/node-api';
import { StrataError, messageOf } from '../../core/index.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import type { Schema } from '../schema/schema.ts';
import type { IcebergValue } from '../schema/values.ts';
import { columnMetrics } from './column-metrics.ts';
import type { LeafStats } from './column-metrics.ts';
import { canonicalToValue } from './canonical-values.ts';
import { duckdbType, fieldIdsClause, quoteIdent, quoteString } from './duckdb-types.ts';
import { measureFiles } from './file-measurements.ts';
import type { WrittenFileStats } from './file-measurements.ts';
import { rewriteFixedColumns } from './fixed-column-rewriter.ts';
import { parquetLeaves } from './parquet-leaves.ts';
import type { ParquetLeaf } from './parquet-leaves.ts';
import { partitionColumns } from './partition-expressions.ts';
import type { PartitionColumn } from './partition-expressions.ts';
import { partitionPath } from './partition-path.ts';
import { rowChecks } from './required-checks.ts';

export interface WrittenDataFile {
  /** Absolute local path of the Parquet file. */
  readonly localPath: string;
  /** Partition values in the spec's field order, typed by each transform's result type. */
  readonly partition: readonly IcebergValue[];
  /** `name=value/…` with Java-compatible human strings, URL-encoded; '' when unpartitioned. */
  readonly partitionPath: string;
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
  readonly columnSizes: ReadonlyMap<number, number>;
  readonly valueCounts: ReadonlyMap<number, number>;
  readonly nullValueCounts: ReadonlyMap<number, number>;
  /** Only for float/double columns whose NaN count is known exactly (see column-metrics.ts). */
  readonly nanValueCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds: ReadonlyMap<number, Uint8Array>;
}

export interface WriteDataFilesOptions {
  readonly connection: DuckDBConnection;
  /** A SQL query, or the name of a table or view, producing columns named like the schema's top-level fields (extra columns are ignored). */
  readonly source: string;
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  /** Local directory to write into; each call writes below a fresh subdirectory of it. */
  readonly stagingDir: string;
  /** Split partitions into files of about this size (see the module doc); unset → one file per partition. */
  readonly targetFileSizeBytes?: number;
}

const PIDX = '__strata_pidx';
const pcol = (i: number) => quoteIdent(`__strata_p${i}`);

export async function writeDataFiles(opts: WriteDataFilesOptions): Promise<WrittenDataFile[]> {
  const { connection, schema, spec } = opts;
  if (opts.targetFileSizeBytes !== undefined && !(opts.targetFileSizeBytes > 0)) {
    throw new StrataError('INVALID_ARGUMENT', `targetFileSizeBytes must be positive, got ${opts.targetFileSizeBytes}`, {
      targetFileSizeBytes: opts.targetFileSizeBytes,
    });
  }
  const source = sourceQuery(opts.source);
  await checkColumns(connection, source, schema);
  const id = randomUUID().replaceAll('-', '');
  const stage = quoteIdent(`__strata_stage_${id}`);
  const partitions = await partitionColumns(connection, spec, schema, '__c');
  await createStage(connection, stage, source, schema, partitions);
  try {
    const rowCount = await checkRows(connection, stage, schema);
    if (rowCount === 0) return [];
    const tuples = await partitionTuples(connection, stage, partitions);
    const outDir = resolve(opts.stagingDir, `write-${id}`);
    const leaves = parquetLeaves(schema);
    const written = await fixFixedColumns(await copyFiles(connection, stage, schema, outDir, opts.targetFileSizeBytes), leaves);
    const measured = await measureFiles(connection, leaves, written);
    return written.map((file, i) => {
      const tuple = tuples.get(file.partitionIndex);
      if (tuple === undefined) {
        throw new StrataError('WRITE_FAILED', `DuckDB wrote ${file.path} for unknown partition index ${file.partitionIndex}`, { path: file.path });
      }
      const m = columnMetrics(leaves, file.statsByKey, measured[i]);
      return {
        localPath: file.path,
        partition: tuple,
        partitionPath: partitionPath(partitions, tuple),
        recordCount: file.recordCount,
        fileSizeInBytes: file.fileSizeInBytes,
        columnSizes: m.columnSizes,
        valueCounts: m.valueCounts,
        nullValueCounts: m.nullValueCounts,
        ...(m.nanValueCounts.size > 0 ? { nanValueCounts: m.nanValueCounts } : {}),
        lowerBounds: m.lowerBounds,
        upperBounds: m.upperBounds,
      };
    });
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${stage}`);
  }
}

/** A query text as is; a bare relation name becomes `FROM name`. Trailing semicolons are dropped. */
function sourceQuery(source: string): string {
  const text = source.trim().replace(/[;\s]+$/, '');
  return /^(select|with|from|values|table|pivot|unpivot|\()/i.test(text) ? text : `FROM ${text}`;
}

async function checkColumns(connection: DuckDBConnection, source: string, schema: Schema): Promise<void> {
  let names: string[];
  try {
    // The newline keeps a trailing `-- comment` in the caller's SQL from swallowing the parenthesis.
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM (${source}\n) AS __s`);
    names = reader.getRows().map((row) => String(row[0]).toLowerCase());
  } catch (error) {
    throw new StrataError('INVALID_ARGUMENT', `The source of the write cannot be run: ${messageOf(error)}`, {}, { cause: error });
  }
  const missing = schema.fields.filter((f) => !names.includes(f.name.toLowerCase())).map((f) => f.name);
  const first = missing[0];
  if (first !== undefined) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `The source has no column "${first}"${missing.length > 1 ? ` (also missing: ${missing.slice(1).join(', ')})` : ''}; select every column of the table schema`,
      { column: first, missing },
    );
  }
}

async function createStage(
  connection: DuckDBConnection,
  stage: string,
  source: string,
  schema: Schema,
  partitions: readonly PartitionColumn[],
): Promise<void> {
  const casts = schema.fields.map((f) => `CAST(__s.${quoteIdent(f.name)} AS ${duckdbType(f.type)}) AS ${quoteIdent(f.name)}`);
  const pvalues = partitions.map((p, i) => `${p.sql} AS ${pcol(i)}`);
  const pidx =
    partitions.length === 0 ? '0' : `dense_rank() OVER (ORDER BY ${partitions.map((_, i) => `${pcol(i)} NULLS FIRST`).join(', ')}) - 1`;
  const sql = `CREATE TEMP TABLE ${stage} AS
    SELECT *, ${pidx} AS ${PIDX} FROM (
      SELECT ${['__c.*', ...pvalues].join(', ')} FROM (
        SELECT ${casts.join(', ')} FROM (${source}\n) AS __s
      ) AS __c
    ) ORDER BY ${PIDX}`;
  try {
    await connection.run(sql);
  } catch (error) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `The source rows cannot be converted to the table schema: ${messageOf(error)}`,
      {},
      { cause: error },
    );
  }
}

/** Refuses nulls in required fields and fixed values of the wrong length; returns the row count. */
async function checkRows(connection: DuckDBConnection, stage: string, schema: Schema): Promise<number> {
  const checks = rowChecks(schema, '__r');
  const counts = checks.map((c, i) => `count(*) FILTER (WHERE ${c.sql}) AS ${quoteIdent(`v${i}`)}`);
  const reader = await connection.runAndReadAll(`SELECT ${['count(*)', ...counts].join(', ')} FROM ${stage} AS __r`);
  const row = reader.getRows()[0] ?? [];
  checks.forEach((check, i) => {
    const bad = Number(row[i + 1] ?? 0);
    if (bad === 0) return;
    const message =
      check.problem === 'null'
        ? `Column "${check.column}" is required, but ${bad} row(s) have no value for it; fill or filter them, or make the column optional`
        : `Column "${check.column}" is ${check.expected ?? 'fixed'}, but ${bad} row(s) have a value of another length`;
    throw new StrataError('INVALID_ARGUMENT', message, { column: check.column, rows: bad, problem: check.problem });
  });
  return Number(row[0] ?? 0);
}

async function partitionTuples(
  connection: DuckDBConnection,
  stage: string,
  partitions: readonly PartitionColumn[],
): Promise<Map<number, IcebergValue[]>> {
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT ${[PIDX, ...partitions.map((_, i) => pcol(i))].join(', ')} FROM ${stage}`,
  );
  const tuples = new Map<number, IcebergValue[]>();
  for (const [index, ...values] of reader.getRows()) {
    tuples.set(
      Number(index),
      partitions.map((p, i) => canonicalToValue(values[i] ?? null, p.resultType)),
    );
  }
  return tuples;
}

interface CopiedFile extends WrittenFileStats {
  readonly partitionIndex: number;
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
}

async function copyFiles(
  connection: DuckDBConnection,
  stage: string,
  schema: Schema,
  outDir: string,
  targetFileSizeBytes: number | undefined,
): Promise<CopiedFile[]> {
  const columns = schema.fields.map((f) => quoteIdent(f.name)).join(', ');
  const options = `FORMAT parquet, FIELD_IDS ${fieldIdsClause(schema)}, COMPRESSION zstd, FILENAME_PATTERN 'data_{uuid}', RETURN_STATS`;
  const copy = async (sql: string, partitionIndex: number | undefined): Promise<CopiedFile[]> => {
    try {
      const reader = await connection.runAndReadAll(sql);
      const files = reader.getRowObjects().map((row) => copiedFile(row, partitionIndex));
      // With FILE_SIZE_BYTES, DuckDB can leave an empty file behind; a data file with no rows is useless.
      for (const f of files) if (f.recordCount === 0) await rm(f.path, { force: true });
      return files.filter((f) => f.recordCount > 0);
    } catch (error) {
      if (StrataError.is(error)) throw error;
      throw new StrataError('WRITE_FAILED', `Writing Parquet files to ${outDir} failed: ${messageOf(error)}`, { dir: outDir }, { cause: error });
    }
  };
  const files = await copy(
    `COPY (SELECT ${columns}, ${PIDX} FROM ${stage}) TO ${quoteString(outDir)} (${options}, PARTITION_BY (${PIDX}))`,
    undefined,
  );
  if (targetFileSizeBytes === undefined) return files;
  // FILE_SIZE_BYTES cannot be combined with PARTITION_BY: rewrite only the partitions that came out too big.
  const oversized = new Set(files.filter((f) => f.fileSizeInBytes > targetFileSizeBytes).map((f) => f.partitionIndex));
  if (oversized.size === 0) return files;
  const kept: CopiedFile[] = [];
  for (const file of files) {
    if (oversized.has(file.partitionIndex)) await rm(file.path, { force: true });
    else kept.push(file);
  }
  for (const index of [...oversized].sort((a, b) => a - b)) {
    const dir = resolve(outDir, `split-${index}`);
    kept.push(
      ...(await copy(
        `COPY (SELECT ${columns} FROM ${stage} WHERE ${PIDX} = ${index}) TO ${quoteString(dir)} (${options}, FILE_SIZE_BYTES ${Math.ceil(targetFileSizeBytes)})`,
        index,
      )),
    );
  }
  return kept;
}

/** Rewrites `fixed[L]` columns as FIXED_LEN_BYTE_ARRAY(L) and refreshes the file and column sizes that changes. */
async function fixFixedColumns(files: CopiedFile[], leaves: readonly ParquetLeaf[]): Promise<CopiedFile[]> {
  const fixed = leaves.flatMap((l) => (l.type.kind === 'fixed' ? [{ leaf: l, length: l.type.length }] : []));
  if (fixed.length === 0) return files;
  const out: CopiedFile[] = [];
  for (const file of files) {
    const result = await rewriteFixedColumns(file.path, fixed.map((f) => ({ path: f.leaf.parquetPath, length: f.length })));
    const statsByKey = new Map(file.statsByKey);
    fixed.forEach((f, i) => {
      const stats = statsByKey.get(f.leaf.statsKey);
      if (stats !== undefined) statsByKey.set(f.leaf.statsKey, new Map(stats).set('column_size_bytes', String(result.columnSizes[i] ?? 0)));
    });
    out.push({ ...file, fileSizeInBytes: result.fileSizeInBytes, statsByKey });
  }
  return out;
}

function copiedFile(row: Record<string, DuckDBValue>, partitionIndex: number | undefined): CopiedFile {
  const keys = mapEntries(row['partition_keys'] ?? null);
  const index = partitionIndex ?? Number(keys.get(PIDX));
  const path = String(row['filename']);
  if (!Number.isInteger(index)) {
    throw new StrataError('WRITE_FAILED', `DuckDB did not report the partition of ${path}`, { path });
  }
  const statsByKey = new Map<string, LeafStats>();
  for (const [key, stats] of mapEntries(row['column_statistics'] ?? null)) {
    statsByKey.set(key, new Map([...mapEntries(stats)].map(([k, v]) => [k, String(v)])));
  }
  return {
    path,
    partitionIndex: index,
    recordCount: Number(row['count']),
    fileSizeInBytes: Number(row['file_size_bytes']),
    statsByKey,
  };
}

function mapEntries(value: DuckDBValue): Map<string, DuckDBValue> {
  const out = new Map<string, DuckDBValue>();
  if (value instanceof DuckDBMapValue) for (const e of value.entries) out.set(String(e.key), e.value);
  return out;
}
