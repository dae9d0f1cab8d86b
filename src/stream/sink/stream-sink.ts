/**
 * The stream's Iceberg sink: one snapshot per micro-batch, carrying the batch's markers
 * (model/batch-commit.ts) — the stream's commit point.
 *
 * - append: the batch's rows are appended (a batch with no output rows still commits an empty
 *   snapshot: its summary records how far the source was read).
 * - upsert: rows replace the rows with the same keys (the last row of a key in a batch wins). It is
 *   copy-on-write: the partitions the batch touches are rewritten as their rows minus the replaced
 *   keys plus the batch (`overwritePartitions`); an unpartitioned table, or one partitioned by bucket
 *   or truncate, is rewritten whole. Partition upsert sinks by time (`day(window_start)`) to keep
 *   each batch's rewrite small.
 * The commit is refused inside the retry loop if the table already has this batch; the sink then
 * returns that commit instead (a replayed batch that had in fact committed).
 */
import { StrataError } from '../../core/index.ts';
import type { Catalog, PartitionFieldInput } from '../../catalog/index.ts';
import { ensureTable } from '../../catalog/index.ts';
import { quoteSqlIdent, withFreshIds, type DuckDbRuntime, type NestedField, type Table } from '../../table/index.ts';
import { duckdbType } from '../../table/index.ts';
import { batchCommitSummary, lastBatchCommit, refuseCommittedBatch, type BatchCommit, type RowFields, type SinkDefinition, type StreamRow } from '../model/index.ts';
import { loadBatch } from '../batch/index.ts';
import { groupKey } from '../operator/index.ts';
import { partitionExpression, partitionField } from './partition-terms.ts';

export interface StreamSink {
  readonly table: string;
  /** The newest batch of this stream committed on the table's main branch. */
  lastCommit(): Promise<(BatchCommit & { readonly snapshotId: bigint }) | undefined>;
  commit(rows: readonly StreamRow[], commit: BatchCommit): Promise<{ snapshotId: bigint; rows: number }>;
}

export interface StreamSinkOptions {
  readonly catalog: Catalog;
  readonly runtime: DuckDbRuntime;
  readonly stream: string;
  readonly sink: SinkDefinition;
  /** The columns the chain produces. */
  readonly fields: RowFields;
}

export async function openStreamSink(options: StreamSinkOptions): Promise<StreamSink> {
  const { catalog, runtime, stream, sink, fields } = options;
  const partitionBy = sink.partitionBy.map(partitionField);
  await ensureDatabase(catalog, sink.table);
  const table = await ensureTable(catalog, sink.table, renumber(fields), { partitionBy });
  const tableFields = table.schema().fields;
  const known = new Set(tableFields.map((f) => f.name));
  const unknown = fields.filter((f) => !known.has(f.name));
  if (unknown.length > 0) {
    throw new StrataError(
      'STREAM_INVALID',
      `Stream ${stream} produces column(s) ${unknown.map((f) => f.name).join(', ')} that its sink ${sink.table} does not have (it has ${tableFields.map((f) => f.name).join(', ')}); add them (ALTER TABLE … ADD COLUMN) or change the transforms`,
      { stream, table: sink.table },
    );
  }
  if (sink.mode === 'upsert') {
    const missing = sink.keys.filter((k) => !fields.some((f) => f.name === k));
    if (sink.keys.length === 0 || missing.length > 0) {
      throw new StrataError('STREAM_INVALID', `Upsert sink ${sink.table} needs keys among the stream's columns (${fields.map((f) => f.name).join(', ')}); missing: ${missing.join(', ') || 'no keys given'}`, {
        stream,
      });
    }
  }
  const produced = new Set(fields.map((f) => f.name));
  /** The batch table's rows in the sink's column order (columns the stream lacks are NULL). */
  const projection = (alias: string): string =>
    tableFields.map((f) => (produced.has(f.name) ? `${alias}.${quoteSqlIdent(f.name)}` : `CAST(NULL AS ${duckdbType(f.type)}) AS ${quoteSqlIdent(f.name)}`)).join(', ');

  return {
    table: sink.table,
    async lastCommit() {
      return lastBatchCommit(await (await catalog.loadTable(sink.table)).refresh(), stream);
    },
    async commit(rows, commit) {
      const target = await catalog.loadTable(sink.table);
      const already = lastBatchCommit(await target.refresh(), stream);
      if (already && already.batchId >= commit.batchId) return { snapshotId: already.snapshotId, rows: 0 };
      const written = sink.mode === 'upsert' ? lastPerKey(rows, sink.keys) : rows;
      const batch = await loadBatch(runtime, fields, written);
      const write = { summary: batchCommitSummary(commit), validate: refuseCommittedBatch(stream, commit.batchId) };
      try {
        const source = `SELECT ${projection('b')} FROM ${quoteSqlIdent(batch.name)} AS b`;
        const result =
          sink.mode === 'append' ? await target.append({ sql: source }, write) : await upsert(target, source, batch.name, sink.keys, partitionBy, projection, write);
        return { snapshotId: result.snapshot.snapshotId, rows: written.length };
      } catch (error) {
        if (StrataError.is(error, 'COMMIT_CONFLICT') && error.details['duplicate'] === true) {
          const landed = lastBatchCommit(await target.refresh(), stream);
          if (landed && landed.batchId >= commit.batchId) return { snapshotId: landed.snapshotId, rows: 0 };
        }
        throw error;
      } finally {
        await batch.drop();
      }
    },
  };
}

async function upsert(
  table: Table,
  batchSql: string,
  batchName: string,
  keys: readonly string[],
  partitionBy: readonly PartitionFieldInput[],
  projection: (alias: string) => string,
  write: Parameters<Table['overwrite']>[1],
): ReturnType<Table['overwrite']> {
  const current = await table.scan().toSql();
  const matches = keys.map((k) => `b.${quoteSqlIdent(k)} IS NOT DISTINCT FROM t.${quoteSqlIdent(k)}`).join(' AND ');
  const unreplaced = `NOT EXISTS (SELECT 1 FROM ${quoteSqlIdent(batchName)} AS b WHERE ${matches})`;
  const expressions = partitionBy.map((f) => ({ t: partitionExpression(f, 't'), b: partitionExpression(f, 'b') }));
  const partitioned = expressions.length > 0 && expressions.every((e) => e.t !== undefined);
  if (!partitioned) {
    const kept = `SELECT ${projection('t')} FROM (${current}) AS t WHERE ${unreplaced}`;
    return table.overwrite({ sql: `${kept} UNION ALL ${batchSql}` }, write);
  }
  const touched = `(${expressions.map((e) => e.t).join(', ')}) IN (SELECT DISTINCT ${expressions.map((e) => e.b).join(', ')} FROM ${quoteSqlIdent(batchName)} AS b)`;
  const kept = `SELECT ${projection('t')} FROM (${current}) AS t WHERE ${touched} AND ${unreplaced}`;
  return table.overwritePartitions({ sql: `${kept} UNION ALL ${batchSql}` }, write);
}

function lastPerKey(rows: readonly StreamRow[], keys: readonly string[]): StreamRow[] {
  const byKey = new Map<string, StreamRow>();
  for (const row of rows) {
    const key = groupKey(keys.map((k) => row[k] ?? null));
    byKey.delete(key);
    byKey.set(key, row);
  }
  return [...byKey.values()];
}

async function ensureDatabase(catalog: Catalog, table: string): Promise<void> {
  const database = table.slice(0, table.lastIndexOf('.'));
  if (!(await catalog.listNamespaces()).some((n) => n.join('.') === database)) {
    await catalog.createNamespace(database.split('.'), { zone: 'processed' }).catch((error: unknown) => {
      if (!StrataError.is(error, 'NAMESPACE_ALREADY_EXISTS')) throw error;
    });
  }
}

/** Fresh, unique field ids for a new table (operators number their output columns independently). */
function renumber(fields: RowFields): readonly NestedField[] {
  return withFreshIds({ schemaId: 0, fields }).schema.fields;
}
