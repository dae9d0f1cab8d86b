/**
 * Metadata tables: `db.t$snapshots`, `db.t$history`, `db.t$files`, `db.t$partitions`, `db.t$refs`,
 * read like any table (`SELECT * FROM db.orders$snapshots ORDER BY committed_at`). Quote the name
 * when the table name needs quoting anyway: `db."my table$files"`. Each becomes a small inline
 * relation built from the table's metadata (and, for files and partitions, its manifests at the
 * chosen snapshot, so `db.t$files FOR VERSION AS OF 123` lists that snapshot's files).
 */
import { StrataError, stringifyJson } from '../core/index.ts';
import { ancestorsOf, partitionType, type Table, type ScanOptions } from '../table/index.ts';
import { toSparkSql } from './spark-target.ts';

export const METADATA_TABLES = ['snapshots', 'history', 'files', 'partitions', 'refs'] as const;
export type MetadataTableKind = (typeof METADATA_TABLES)[number];

interface Column {
  readonly name: string;
  readonly type: string;
}

type Cell = string | number | bigint | boolean | null;

export function isMetadataTable(kind: string): kind is MetadataTableKind {
  return (METADATA_TABLES as readonly string[]).includes(kind);
}

/** SQL for the relation behind `table$kind`. */
export async function metadataTableSql(table: Table, kind: MetadataTableKind, scan: ScanOptions, dialect: 'duckdb' | 'spark' = 'duckdb'): Promise<string> {
  const sql = await metadataSql(table, kind, scan, dialect === 'duckdb' ? (type) => type : (type) => SPARK_TYPES[type] ?? type);
  return dialect === 'duckdb' ? sql : toSparkSql(sql);
}

/** The Spark names of the DuckDB types the metadata tables use. */
const SPARK_TYPES: Readonly<Record<string, string>> = { TIMESTAMPTZ: 'TIMESTAMP', VARCHAR: 'STRING', INTEGER: 'INT' };

async function metadataSql(table: Table, kind: MetadataTableKind, scan: ScanOptions, typeName: (duckdbType: string) => string): Promise<string> {
  const relation = (columns: readonly Column[], rows: readonly (readonly Cell[])[]): string =>
    relationSql(columns.map((c) => ({ ...c, type: typeName(c.type) })), rows);
  const meta = table.metadata();
  switch (kind) {
    case 'snapshots':
      return relation(
        [
          { name: 'committed_at', type: 'TIMESTAMPTZ' },
          { name: 'snapshot_id', type: 'BIGINT' },
          { name: 'parent_id', type: 'BIGINT' },
          { name: 'operation', type: 'VARCHAR' },
          { name: 'manifest_list', type: 'VARCHAR' },
          { name: 'summary', type: 'VARCHAR' },
        ],
        meta.snapshots.map((s) => [
          new Date(s.timestampMs).toISOString(),
          s.snapshotId,
          s.parentSnapshotId ?? null,
          s.summary.operation,
          s.manifestList,
          stringifyJson(s.summary),
        ]),
      );
    case 'history': {
      const current = new Set(ancestorsOf(meta, meta.currentSnapshotId ?? undefined).map((s) => s.snapshotId));
      return relation(
        [
          { name: 'made_current_at', type: 'TIMESTAMPTZ' },
          { name: 'snapshot_id', type: 'BIGINT' },
          { name: 'parent_id', type: 'BIGINT' },
          { name: 'is_current_ancestor', type: 'BOOLEAN' },
        ],
        meta.snapshotLog.map((entry) => [
          new Date(entry.timestampMs).toISOString(),
          entry.snapshotId,
          meta.snapshots.find((s) => s.snapshotId === entry.snapshotId)?.parentSnapshotId ?? null,
          current.has(entry.snapshotId),
        ]),
      );
    }
    case 'refs':
      return relation(
        [
          { name: 'name', type: 'VARCHAR' },
          { name: 'type', type: 'VARCHAR' },
          { name: 'snapshot_id', type: 'BIGINT' },
          { name: 'max_reference_age_in_ms', type: 'BIGINT' },
          { name: 'min_snapshots_to_keep', type: 'INTEGER' },
          { name: 'max_snapshot_age_in_ms', type: 'BIGINT' },
        ],
        Object.entries(meta.refs).map(([name, ref]) => [
          name,
          ref.type.toUpperCase(),
          ref.snapshotId,
          ref.maxRefAgeMs ?? null,
          ref.minSnapshotsToKeep ?? null,
          ref.maxSnapshotAgeMs ?? null,
        ]),
      );
    case 'files':
    case 'partitions': {
      const plan = await table.scan(scan).planFiles();
      const partitionText = (specId: number, values: readonly unknown[]): string => {
        const spec = meta.partitionSpecs.find((s) => s.specId === specId);
        if (!spec || spec.fields.length === 0) return '{}';
        const names = partitionType(spec, plan.schema).fields.map((f) => f.name);
        const record: Record<string, unknown> = {};
        names.forEach((n, i) => {
          const v = values[i];
          record[n] = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : (v ?? null);
        });
        return stringifyJson(record);
      };
      if (kind === 'files') {
        return relation(
          [
            { name: 'content', type: 'INTEGER' },
            { name: 'file_path', type: 'VARCHAR' },
            { name: 'file_format', type: 'VARCHAR' },
            { name: 'spec_id', type: 'INTEGER' },
            { name: 'partition', type: 'VARCHAR' },
            { name: 'record_count', type: 'BIGINT' },
            { name: 'file_size_in_bytes', type: 'BIGINT' },
          ],
          plan.tasks.map(({ file }) => [
            file.content,
            file.filePath,
            file.fileFormat,
            file.specId,
            partitionText(file.specId, file.partition),
            file.recordCount,
            file.fileSizeInBytes,
          ]),
        );
      }
      const groups = new Map<string, { specId: number; partition: string; records: number; files: number; bytes: number }>();
      for (const { file } of plan.tasks) {
        const partition = partitionText(file.specId, file.partition);
        const key = `${file.specId}|${partition}`;
        const group = groups.get(key) ?? { specId: file.specId, partition, records: 0, files: 0, bytes: 0 };
        group.records += file.recordCount;
        group.files += 1;
        group.bytes += file.fileSizeInBytes;
        groups.set(key, group);
      }
      return relation(
        [
          { name: 'partition', type: 'VARCHAR' },
          { name: 'spec_id', type: 'INTEGER' },
          { name: 'record_count', type: 'BIGINT' },
          { name: 'file_count', type: 'INTEGER' },
          { name: 'total_data_file_size_in_bytes', type: 'BIGINT' },
        ],
        [...groups.values()].map((g) => [g.partition, g.specId, g.records, g.files, g.bytes]),
      );
    }
    default:
      throw new StrataError('INVALID_ARGUMENT', `Unknown metadata table ${String(kind)}`);
  }
}

function relationSql(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  const select = columns.map((c, i) => `CAST(${rows.length === 0 ? 'NULL' : `col${i}`} AS ${c.type}) AS "${c.name}"`).join(', ');
  if (rows.length === 0) return `SELECT ${select} LIMIT 0`;
  const values = rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ');
  return `SELECT ${select} FROM (VALUES ${values}) AS v(${columns.map((_, i) => `col${i}`).join(', ')})`;
}

function literal(value: Cell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}
