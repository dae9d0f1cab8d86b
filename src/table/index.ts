// The table plane: Apache Iceberg v2 tables written and read by Strata's own code.
export * from './schema/types.ts';
export type { IcebergValue } from './schema/values.ts';
export {
  schema,
  schemaFromJson,
  schemaToJson,
  indexSchema,
  findField,
  findFieldByName,
  highestFieldId,
  type Schema,
  type IndexedField,
} from './schema/schema.ts';
export { updateSchema, type SchemaUpdate, type ColumnPath, type AddColumnOptions } from './schema/schema-update.ts';
export { withFreshIds } from './schema/fresh-ids.ts';
export {
  UNPARTITIONED,
  PARTITION_DATA_ID_START,
  specFromJson,
  specToJson,
  type PartitionField,
  type PartitionSpec,
} from './partition/partition-spec.ts';
export { parseTransform, partitionType, type Transform } from './partition/transforms.ts';
export { updateSpec, type SpecUpdate } from './partition/spec-update.ts';
export { serializeValue, deserializeValue, compareValues } from './serde/single-value.ts';
export * from './expressions/index.ts';
export type { DataFile, ManifestEntry } from './manifest/data-file.ts';
export { FileContent, EntryStatus } from './manifest/data-file.ts';
export type { ManifestFile, FieldSummary } from './manifest/manifest-file.ts';
export * from './metadata/snapshot.ts';
export * from './metadata/table-metadata.ts';
export * from './metadata/metadata-update.ts';
export { newTableMetadata, applyUpdates, checkRequirements, type NewTableOptions } from './metadata/metadata-builder.ts';
export { metadataFromJson, metadataToJson, parseSnapshot, parseRef, parseSortOrder } from './metadata/metadata-json.ts';
export { keyOf, readMetadataFile, writeNewMetadataFile, newMetadataLocation, metadataVersionOf } from './metadata/metadata-io.ts';
export type { TableOperations } from './commit/table-operations.ts';
export { ObjectStoreTableOperations } from './commit/object-store-table-operations.ts';
export { commitWithRetry, COMMIT_NUM_RETRIES, COMMIT_MIN_WAIT_MS, COMMIT_MAX_WAIT_MS } from './commit/commit-retry.ts';
export { onCommitEvent, type CommitEvent } from './commit/commit-events.ts';
export type { SnapshotResult } from './commit/snapshot-producer.ts';
export { readManifestList, readManifestEntries } from './io/manifest-io.ts';
export { reachableFiles } from './io/reachable-files.ts';
export { DuckDbRuntime, type DuckDbRuntimeOptions } from './io/duckdb-runtime.ts';
export { duckdbType, quoteIdent as quoteSqlIdent } from './parquet/duckdb-types.ts';
export { TARGET_FILE_SIZE, type DataSource } from './write/stage-data-files.ts';
export { TableScan, type ScanOptions, type ScanPlan, type ScanStats, type FileScanTask } from './scan/table-scan.ts';
export { Table, type WriteOptions } from './table.ts';
