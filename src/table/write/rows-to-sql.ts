/**
 * Turns JS rows into a DuckDB query with the table's column names and exact types, so that small
 * in-memory writes (tests, the demo, API calls) go through the same Parquet writer as SQL sources.
 * Values are rendered as typed SQL literals, never interpolated raw.
 *
 * Accepted JS values per Iceberg type: numbers/bigints for numeric types, numbers or decimal
 * strings for decimals, `Date` or ISO strings for date/time/timestamp, strings for uuid,
 * Uint8Array for binary/fixed, plain objects for structs, arrays for lists, `Map` or plain objects
 * for maps.
 */
import { StrataError } from '../../core/index.ts';
import { duckdbType } from '../parquet/duckdb-types.ts';
import type { Schema } from '../schema/schema.ts';
import type { IcebergType } from '../schema/types.ts';
import { typeToString } from '../schema/types.ts';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function rowsToSql(schema: Schema, rows: readonly Record<string, unknown>[]): string {
  const columns = schema.fields.map((f) => quoteIdent(f.name)).join(', ');
  if (rows.length === 0) {
    const nulls = schema.fields.map((f) => `CAST(NULL AS ${duckdbType(f.type)}) AS ${quoteIdent(f.name)}`).join(', ');
    return `SELECT ${nulls} WHERE false`;
  }
  const known = new Set(schema.fields.map((f) => f.name));
  const tuples = rows.map((row, i) => {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        throw new StrataError('INVALID_ARGUMENT', `Row ${i} has a column "${key}" that the table does not have`, { row: i, column: key });
      }
    }
    return `(${schema.fields.map((f) => literal(row[f.name], f.type, `row ${i}, column ${f.name}`)).join(', ')})`;
  });
  return `SELECT * FROM (VALUES ${tuples.join(', ')}) AS t(${columns})`;
}

function literal(value: unknown, type: IcebergType, where: string): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${duckdbType(type)})`;
  return `CAST(${rawLiteral(value, type, where)} AS ${duckdbType(type)})`;
}

function rawLiteral(value: unknown, type: IcebergType, where: string): string {
  const bad = () =>
    new StrataError('INVALID_ARGUMENT', `Value at ${where} (${describe(value)}) is not a valid ${typeToString(type)}`, { where });
  switch (type.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw bad();
      return value ? 'TRUE' : 'FALSE';
    case 'int':
    case 'long':
      if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return String(value);
      throw bad();
    case 'float':
    case 'double':
      if (typeof value === 'bigint') return String(value);
      if (typeof value !== 'number') throw bad();
      return Number.isFinite(value) ? String(value) : quoteString(Number.isNaN(value) ? 'NaN' : value > 0 ? 'inf' : '-inf');
    case 'decimal':
      if (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && /^[-+]?\d*\.?\d+$/.test(value))) {
        return quoteString(String(value));
      }
      throw bad();
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      if (value instanceof Date) {
        const iso = value.toISOString();
        if (type.kind === 'date') return quoteString(iso.slice(0, 10));
        if (type.kind === 'time') return quoteString(iso.slice(11, 23));
        return quoteString(type.kind === 'timestamptz' ? iso : iso.slice(0, 23).replace('T', ' '));
      }
      if (typeof value !== 'string') throw bad();
      return quoteString(value);
    case 'string':
    case 'uuid':
      if (typeof value !== 'string') throw bad();
      return quoteString(value);
    case 'binary':
    case 'fixed':
      if (!(value instanceof Uint8Array)) throw bad();
      return `from_hex(${quoteString(Buffer.from(value).toString('hex'))})`;
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) throw bad();
      const obj = value as Record<string, unknown>;
      const parts = type.fields.map((f) => `${quoteIdent(f.name)} := ${literal(obj[f.name], f.type, `${where}.${f.name}`)}`);
      return `struct_pack(${parts.join(', ')})`;
    }
    case 'list':
      if (!Array.isArray(value)) throw bad();
      return `[${value.map((v, i) => literal(v, type.element, `${where}[${i}]`)).join(', ')}]`;
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : typeof value === 'object' ? Object.entries(value as object) : undefined;
      if (!entries) throw bad();
      if (entries.length === 0) return 'MAP {}';
      return `MAP {${entries.map(([k, v]) => `${literal(k, type.key, `${where} key`)}: ${literal(v, type.value, `${where}[${String(k)}]`)}`).join(', ')}}`;
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${typeof value} ${text.length > 40 ? text.slice(0, 40) + '…' : text}`;
}
