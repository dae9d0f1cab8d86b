/**
 * The two halves of the PyIceberg interop check: run the Python reader (pyiceberg_reader.py) over a
 * batch of reads in one process (PyIceberg's import alone costs about a second), and put Strata's
 * view of a table in the same JSON shape PyIceberg's view comes back in, so tests compare with one
 * `deepStrictEqual`.
 *
 * Gotcha: snapshot ids exceed 2^53, so both sides carry them as decimal strings.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DuckDbRuntime, Schema, Snapshot, TableMetadata } from '../../src/table/index.ts';
import { schemaToJson, specToJson } from '../../src/table/index.ts';

const READER = fileURLToPath(new URL('./pyiceberg_reader.py', import.meta.url));

export interface PyRead {
  readonly metadata: string;
  readonly snapshot_id?: string;
  readonly ref?: string;
  /** A PyIceberg row filter string (`"d < '1970-01-01'"`), so PyIceberg prunes with its own code. */
  readonly row_filter?: string;
  /** Top-level columns to read (default all). */
  readonly selected_fields?: readonly string[];
  /** Where the reader writes the scan's rows as Parquet. */
  readonly out: string;
}

export interface MetadataView {
  readonly 'format-version': number;
  readonly 'table-uuid': string;
  readonly location: string;
  readonly 'current-schema-id': number;
  readonly schemas: readonly unknown[];
  readonly 'default-spec-id': number;
  readonly 'partition-specs': readonly unknown[];
  readonly 'last-partition-id': number;
  readonly 'current-snapshot-id': string | null;
  readonly snapshots: readonly unknown[];
  readonly 'snapshot-log': readonly unknown[];
  readonly refs: Readonly<Record<string, unknown>>;
  readonly 'last-sequence-number': string;
}

export interface PyReadResult {
  readonly error?: string;
  readonly metadata: MetadataView;
  /** The schema PyIceberg projected the scan with (the snapshot's schema when time travelling). */
  readonly projection: unknown;
  /** Data files PyIceberg planned after its own pruning. */
  readonly files: number;
  readonly rows: number;
}

/** Why PyIceberg cannot run here, or undefined when it can. */
export function pyicebergUnavailable(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import pyiceberg.table, pyarrow.parquet'], { encoding: 'utf8' });
  if (probe.error) return `python3 is not runnable (${probe.error.message})`;
  if (probe.status !== 0) return `python3 cannot import pyiceberg/pyarrow (pip install -r requirements-test.txt): ${probe.stderr.trim()}`;
  return undefined;
}

/** Runs every read in one Python process; a read PyIceberg rejects comes back with `error`. */
export function readWithPyIceberg(reads: readonly PyRead[]): PyReadResult[] {
  const run = spawnSync('python3', [READER], {
    input: JSON.stringify({ reads }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`pyiceberg_reader.py failed (status ${String(run.status)}):\n${run.stderr}`);
  const parsed = JSON.parse(run.stdout) as { reads: PyReadResult[] };
  if (parsed.reads.length !== reads.length) throw new Error(`pyiceberg_reader.py answered ${parsed.reads.length} of ${reads.length} reads`);
  return parsed.reads;
}

/** Strata's metadata in the shape pyiceberg_reader.py reports PyIceberg's. */
export function strataMetadataView(meta: TableMetadata): MetadataView {
  return {
    'format-version': meta.formatVersion,
    'table-uuid': meta.tableUuid,
    location: meta.location,
    'current-schema-id': meta.currentSchemaId,
    schemas: meta.schemas.map(schemaView),
    'default-spec-id': meta.defaultSpecId,
    'partition-specs': meta.partitionSpecs.map(specToJson),
    'last-partition-id': meta.lastPartitionId,
    'current-snapshot-id': meta.currentSnapshotId === null ? null : meta.currentSnapshotId.toString(),
    snapshots: meta.snapshots.map(snapshotView),
    'snapshot-log': meta.snapshotLog.map((e) => ({ 'snapshot-id': e.snapshotId.toString(), 'timestamp-ms': e.timestampMs })),
    refs: Object.fromEntries(
      Object.entries(meta.refs).map(([name, ref]) => [name, { 'snapshot-id': ref.snapshotId.toString(), type: ref.type }]),
    ),
    'last-sequence-number': meta.lastSequenceNumber.toString(),
  };
}

/**
 * Strata's schema JSON as PyIceberg dumps a schema: PyIceberg always writes
 * `identifier-field-ids` (empty when none), Strata leaves it out when empty.
 */
export function schemaView(s: Schema): unknown {
  return { 'identifier-field-ids': [], ...schemaToJson(s) };
}

function snapshotView(s: Snapshot): unknown {
  return {
    'snapshot-id': s.snapshotId.toString(),
    'parent-snapshot-id': s.parentSnapshotId === undefined ? null : s.parentSnapshotId.toString(),
    'sequence-number': s.sequenceNumber.toString(),
    'timestamp-ms': s.timestampMs,
    'manifest-list': s.manifestList,
    'schema-id': s.schemaId ?? null,
    summary: { ...s.summary },
  };
}

export interface RowComparison {
  readonly strataRows: number;
  readonly pyRows: number;
  /** Rows (as text) Strata returned that PyIceberg did not, with multiplicity (`EXCEPT ALL`). */
  readonly onlyInStrata: readonly string[];
  readonly onlyInPy: readonly string[];
  /** Column names of PyIceberg's Parquet, in order. */
  readonly pyColumns: readonly string[];
}

/**
 * Compares Strata's scan (`strataSql`) with the Parquet PyIceberg wrote, as multisets of rows with
 * every column cast to VARCHAR (both sides are DuckDB values of the same logical type by then, so the
 * text forms agree exactly when the values do; NaN renders as `nan` on both). `nullListAsEmpty`
 * columns compare a null list equal to an empty one, on both sides (a PyIceberg bug, see interop-cases.ts).
 */
export async function compareRows(
  runtime: DuckDbRuntime,
  strataSql: string,
  pyParquet: string,
  columns: readonly string[],
  nullListAsEmpty: readonly string[] = [],
): Promise<RowComparison> {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const cast = (c: string) => (nullListAsEmpty.includes(c) ? `coalesce(CAST(${quote(c)} AS VARCHAR), '[]')` : `CAST(${quote(c)} AS VARCHAR)`);
  const text = (alias: string) =>
    columns.length === 0 ? `SELECT 1 AS one FROM ${alias}` : `SELECT ${columns.map((c) => `${cast(c)} AS ${quote(c)}`).join(', ')} FROM ${alias}`;
  const sql = `
    WITH s AS (${strataSql}), p AS (SELECT * FROM read_parquet('${pyParquet.replaceAll("'", "''")}')),
         st AS (${text('s')}), pt AS (${text('p')})
    SELECT
      (SELECT count(*) FROM s)::INTEGER AS strata_rows,
      (SELECT count(*) FROM p)::INTEGER AS py_rows,
      (SELECT coalesce(list(CAST(x AS VARCHAR)), []) FROM (SELECT * FROM st EXCEPT ALL SELECT * FROM pt) AS x) AS only_strata,
      (SELECT coalesce(list(CAST(x AS VARCHAR)), []) FROM (SELECT * FROM pt EXCEPT ALL SELECT * FROM st) AS x) AS only_py`;
  const describe = `DESCRIBE SELECT * FROM read_parquet('${pyParquet.replaceAll("'", "''")}')`;
  const [row, pyColumns] = await runtime.withConnection(async (c) => [
    (await c.runAndReadAll(sql)).getRowObjectsJson()[0],
    (await c.runAndReadAll(describe)).getRowObjectsJson().map((r) => String(r['column_name'])),
  ]);
  if (!row) throw new Error('row comparison returned nothing');
  return {
    strataRows: Number(row['strata_rows']),
    pyRows: Number(row['py_rows']),
    onlyInStrata: row['only_strata'] as string[],
    onlyInPy: row['only_py'] as string[],
    pyColumns,
  };
}
