/**
 * How Iceberg types become DuckDB SQL types, and the `FIELD_IDS` option that makes DuckDB's Parquet
 * writer stamp every column with its Iceberg field id (ids are how Iceberg finds a column after a
 * rename, so a data file without them is unreadable by field id).
 *
 * What DuckDB 1.5 writes, checked with `parquet_schema()` against the spec's Parquet appendix:
 *
 * | Iceberg           | Parquet written by DuckDB                          | matches the spec? |
 * | ----------------- | -------------------------------------------------- | ----------------- |
 * | boolean           | BOOLEAN                                            | yes               |
 * | int / date        | INT32 (INT_32 / DATE)                              | yes               |
 * | long              | INT64                                              | yes               |
 * | float / double    | FLOAT / DOUBLE                                     | yes               |
 * | decimal(P ≤ 9)    | INT32 DECIMAL                                      | yes               |
 * | decimal(P ≤ 18)   | INT64 DECIMAL                                      | yes               |
 * | decimal(P > 18)   | FIXED_LEN_BYTE_ARRAY(16) DECIMAL                   | spec asks for the minimum width (e.g. 9 bytes for P=20); readers take 16 |
 * | time              | INT64 TIME(MICROS, isAdjustedToUTC=false)          | yes               |
 * | timestamp         | INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false)     | yes               |
 * | timestamptz       | INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true)      | yes               |
 * | string            | BYTE_ARRAY UTF8                                    | yes               |
 * | uuid              | FIXED_LEN_BYTE_ARRAY(16) UUID                      | yes               |
 * | binary            | BYTE_ARRAY                                         | yes               |
 * | fixed[L]          | BYTE_ARRAY                                         | NO: spec asks for FIXED_LEN_BYTE_ARRAY(L); DuckDB has no fixed-length blob type. The writer checks the length, then fixed-column-rewriter.ts rewrites the column as FIXED_LEN_BYTE_ARRAY(L). |
 * | list / map        | 3-level LIST (`list`/`element`), MAP (`key_value`/`key`/`value`) | yes |
 * | required field    | OPTIONAL repetition                                | NO: DuckDB writes every column OPTIONAL (even NOT NULL table columns); the writer refuses nulls in required fields before writing, so the data still obeys the schema. |
 */
import type { Schema } from '../schema/schema.ts';
import type { IcebergType } from '../schema/types.ts';

/** A SQL identifier, double-quoted with inner quotes doubled: `we"ird` → `"we""ird"`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal: `it's` → `'it''s'`. */
export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The DuckDB SQL type of an Iceberg type: `decimal(10, 2)` → `DECIMAL(10,2)`, `list<int>` →
 * `INTEGER[]`, `struct<a: string>` → `STRUCT("a" VARCHAR)`.
 *
 * Gotcha: `fixed[L]` is a plain `BLOB`, so its length is not enforced by the type; writers must check it.
 */
export function duckdbType(type: IcebergType): string {
  switch (type.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INTEGER';
    case 'long':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMPTZ';
    case 'string':
      return 'VARCHAR';
    case 'uuid':
      return 'UUID';
    case 'fixed':
    case 'binary':
      return 'BLOB';
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
    case 'list':
      return `${duckdbType(type.element)}[]`;
    case 'map':
      return `MAP(${duckdbType(type.key)}, ${duckdbType(type.value)})`;
  }
}

/**
 * The value of DuckDB's `FIELD_IDS` COPY option for a schema's top-level columns:
 * `{"id": 1, "st": {__duckdb_field_id: 3, "a": 4}, "l": {__duckdb_field_id: 6, element: 7},
 * "m": {__duckdb_field_id: 8, key: 9, value: 10}}`.
 */
export function fieldIdsClause(schema: Schema): string {
  return `{${schema.fields.map((f) => `${quoteIdent(f.name)}: ${fieldIdsOf(f.id, f.type)}`).join(', ')}}`;
}

function fieldIdsOf(id: number, type: IcebergType): string {
  switch (type.kind) {
    case 'struct':
      return nested(id, type.fields.map((f) => `${quoteIdent(f.name)}: ${fieldIdsOf(f.id, f.type)}`));
    case 'list':
      return nested(id, [`element: ${fieldIdsOf(type.elementId, type.element)}`]);
    case 'map':
      return nested(id, [`key: ${fieldIdsOf(type.keyId, type.key)}`, `value: ${fieldIdsOf(type.valueId, type.value)}`]);
    default:
      return String(id);
  }
}

function nested(id: number, children: readonly string[]): string {
  return `{${['__duckdb_field_id: ' + String(id), ...children].join(', ')}}`;
}
