/**
 * Writes a data source as Parquet data files of a table: DuckDB writes them into a local staging
 * directory (parquet/data-file-writer.ts), then each file moves into the lake under
 * `<table>/data/<partition path>/<uuid>.parquet` and becomes a DataFile ready to commit.
 * Nothing is visible to readers until a snapshot that references the files is committed; files of
 * a failed write are orphans that table maintenance removes.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileContent, type DataFile } from '../manifest/data-file.ts';
import { keyOf } from '../metadata/metadata-io.ts';
import { currentSchema, defaultSpec, type TableMetadata } from '../metadata/table-metadata.ts';
import { writeDataFiles } from '../parquet/data-file-writer.ts';
import type { DuckDbRuntime } from '../io/duckdb-runtime.ts';
import type { TableOperations } from '../commit/table-operations.ts';
import { rowsToSql } from './rows-to-sql.ts';

/** Rows to write: a DuckDB query, or in-memory JS rows. */
export type DataSource = { readonly sql: string } | { readonly rows: readonly Record<string, unknown>[] };

/** Table property: target data file size in bytes (Iceberg's name; default 512 MB as in Iceberg). */
export const TARGET_FILE_SIZE = 'write.target-file-size-bytes';

export async function stageDataFiles(
  ops: TableOperations,
  meta: TableMetadata,
  runtime: DuckDbRuntime,
  source: DataSource,
): Promise<DataFile[]> {
  const schema = currentSchema(meta);
  const spec = defaultSpec(meta);
  const sql = 'sql' in source ? source.sql : rowsToSql(schema, source.rows);
  const stagingDir = await mkdtemp(join(runtime.tempDirectory, 'stage-'));
  try {
    const target = Number(meta.properties[TARGET_FILE_SIZE] ?? 512 * 1024 * 1024);
    const written = await runtime.withConnection((connection) =>
      writeDataFiles({ connection, source: sql, schema, spec, stagingDir, targetFileSizeBytes: target }),
    );
    const store = ops.store;
    return await Promise.all(
      written.map(async (file): Promise<DataFile> => {
        const dir = file.partitionPath ? `${meta.location}/data/${file.partitionPath}` : `${meta.location}/data`;
        const location = `${dir}/${randomUUID()}.parquet`;
        await store.put(keyOf(store, location), createReadStream(file.localPath));
        return {
          content: FileContent.Data,
          filePath: location,
          fileFormat: 'PARQUET',
          specId: spec.specId,
          partition: file.partition,
          recordCount: file.recordCount,
          fileSizeInBytes: file.fileSizeInBytes,
          columnSizes: file.columnSizes,
          valueCounts: file.valueCounts,
          nullValueCounts: file.nullValueCounts,
          ...(file.nanValueCounts ? { nanValueCounts: file.nanValueCounts } : {}),
          lowerBounds: file.lowerBounds,
          upperBounds: file.upperBounds,
        };
      }),
    );
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}
