/**
 * A DuckDB relation over Iceberg data files that reads columns by Parquet field id, so files written
 * under older schemas read correctly under the current one: renamed columns take their new name,
 * promoted types (int → long, float → double, wider decimals) are cast, and columns added after a
 * file was written read as NULL. It uses `read_parquet(…, schema = MAP {id: {name, type,
 * default_value}})`, which matches top-level columns by field id.
 *
 * Limits (DuckDB 1.5):
 * - Inside a struct (also a struct in a list or map) fields are matched by *name*, not id: a nested
 *   field added later reads as NULL, but a renamed nested field reads as NULL too, and a struct
 *   whose fields were all renamed fails to bind ("STRUCT to STRUCT cast must have at least one
 *   matching member"). Renames of nested fields need a per-file projection (not done here).
 * - Files without field ids (written by engines that do not add them) need Iceberg's name mapping,
 *   which this reader does not apply.
 *
 * @example
 *   const rel = readRelationSql({ files: [{ path: '/lake/t/data/a.parquet' }], schema });
 *   await connection.run(`SELECT count(*) FROM (${rel})`);
 */
import type { Schema } from '../schema/schema.ts';
import { duckdbType, quoteIdent, quoteString } from './duckdb-types.ts';

export interface ReadRelationOptions {
  readonly files: readonly { readonly path: string }[];
  /** The projected/current schema: the relation's columns, in this order, with these types. */
  readonly schema: Schema;
  /** Add Iceberg's `_file` metadata column (the data file's path), e.g. to apply position deletes. */
  readonly withFilePath?: boolean;
  /** Add Iceberg's `_pos` metadata column (the row's 0-based position in its file). */
  readonly withRowPosition?: boolean;
}

/** Iceberg's reserved metadata column names. */
export const FILE_PATH_COLUMN = '_file';
export const ROW_POSITION_COLUMN = '_pos';

/**
 * SQL for a relation (use as `SELECT … FROM (<relation>)`) reading `files` by field id with the
 * schema's names and types. Hive-style `key=value` directories in paths are not turned into columns.
 * No files → a relation with the same columns and no rows.
 */
export function readRelationSql(opts: ReadRelationOptions): string {
  const { schema } = opts;
  const columns = schema.fields.map((f) => quoteIdent(f.name));
  const extra: string[] = [];
  if (opts.withFilePath === true) extra.push(`${quoteIdent(FILE_PATH_COLUMN)}`);
  if (opts.withRowPosition === true) extra.push(`file_row_number AS ${quoteIdent(ROW_POSITION_COLUMN)}`);

  if (opts.files.length === 0) {
    const nulls = schema.fields.map((f) => `CAST(NULL AS ${duckdbType(f.type)}) AS ${quoteIdent(f.name)}`);
    if (opts.withFilePath === true) nulls.push(`CAST(NULL AS VARCHAR) AS ${quoteIdent(FILE_PATH_COLUMN)}`);
    if (opts.withRowPosition === true) nulls.push(`CAST(NULL AS BIGINT) AS ${quoteIdent(ROW_POSITION_COLUMN)}`);
    return `SELECT ${nulls.join(', ')} LIMIT 0`;
  }

  const entries = schema.fields.map(
    (f) => `${f.id}: {name: ${quoteString(f.name)}, type: ${quoteString(duckdbType(f.type))}, default_value: NULL}`,
  );
  const args = [
    `[${opts.files.map((f) => quoteString(f.path)).join(', ')}]`,
    `schema = MAP {${entries.join(', ')}}`,
    'hive_partitioning = false',
    ...(opts.withFilePath === true ? [`filename = ${quoteString(FILE_PATH_COLUMN)}`] : []),
    ...(opts.withRowPosition === true ? ['file_row_number = true'] : []),
  ];
  return `SELECT ${[...columns, ...extra].join(', ')} FROM read_parquet(${args.join(', ')})`;
}
