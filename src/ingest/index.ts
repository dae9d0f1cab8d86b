// The ingest plane: landing files (ndjson, json, csv, parquet) in raw-zone Iceberg tables, with every bad record quarantined.
export { ingest } from './ingest.ts';
export { parseSchemaFile } from './schema-file.ts';
export type { IngestOptions, IngestResult, IngestFileResult, IngestFormat, IngestProgress } from './ingest-types.ts';
export type { QuarantineCode } from './bad-record.ts';
export { QUARANTINE_FIELDS, INGEST_DATE, SOURCE_FILE, SOURCE_LINE } from './lineage.ts';
