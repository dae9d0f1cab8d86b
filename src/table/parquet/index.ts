/**
 * The bridge between Iceberg tables and DuckDB for data files: writing Parquet with Iceberg field
 * ids and column metrics, and reading data files back by field id.
 */
export { duckdbType, fieldIdsClause, quoteIdent, quoteString } from './duckdb-types.ts';
export { writeDataFiles, type WriteDataFilesOptions, type WrittenDataFile } from './data-file-writer.ts';
export { readRelationSql, FILE_PATH_COLUMN, ROW_POSITION_COLUMN, type ReadRelationOptions } from './data-file-reader.ts';
