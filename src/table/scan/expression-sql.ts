/**
 * Renders a bound predicate as a DuckDB SQL condition over the table's column names, for the
 * row-level filter that runs after file pruning. Negative operators keep Iceberg's semantics
 * (`notEqual` is true for null), so the SQL result equals the Iceberg evaluator's.
 */
import { formatDecimal } from '../partition/human-string.ts';
import { MICROS_PER_DAY, floorDivBig, formatDate } from '../partition/time-util.ts';
import type { BoundExpression, BoundPredicate } from '../expressions/index.ts';
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { duckdbType } from '../parquet/duckdb-types.ts';

export function expressionToSql(expr: BoundExpression): string {
  switch (expr.kind) {
    case 'true':
      return 'TRUE';
    case 'false':
      return 'FALSE';
    case 'and':
      return `(${expressionToSql(expr.left)} AND ${expressionToSql(expr.right)})`;
    case 'or':
      return `(${expressionToSql(expr.left)} OR ${expressionToSql(expr.right)})`;
    case 'not':
      return `(NOT COALESCE(${expressionToSql(expr.child)}, FALSE))`;
    case 'predicate':
      return predicateToSql(expr);
  }
}

function columnSql(p: BoundPredicate): string {
  return p.column
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

function predicateToSql(p: BoundPredicate): string {
  const col = columnSql(p);
  const lit = (i = 0) => literalSql(p.type, p.literals[i] ?? null);
  switch (p.op) {
    case 'isNull':
      return `(${col} IS NULL)`;
    case 'notNull':
      return `(${col} IS NOT NULL)`;
    case 'isNaN':
      return `COALESCE(isnan(${col}), FALSE)`;
    case 'notNaN':
      return `(${col} IS NULL OR NOT isnan(${col}))`;
    case 'lt':
      return `COALESCE(${col} < ${lit()}, FALSE)`;
    case 'ltEq':
      return `COALESCE(${col} <= ${lit()}, FALSE)`;
    case 'gt':
      return `COALESCE(${col} > ${lit()}, FALSE)`;
    case 'gtEq':
      return `COALESCE(${col} >= ${lit()}, FALSE)`;
    case 'eq':
      return `COALESCE(${col} = ${lit()}, FALSE)`;
    case 'notEq':
      return `(${col} IS NULL OR ${col} <> ${lit()})`;
    case 'in':
      return `COALESCE(${col} IN (${p.literals.map((_, i) => lit(i)).join(', ')}), FALSE)`;
    case 'notIn':
      return `(${col} IS NULL OR ${col} NOT IN (${p.literals.map((_, i) => lit(i)).join(', ')}))`;
    case 'startsWith':
      return `COALESCE(starts_with(${col}, ${lit()}), FALSE)`;
    case 'notStartsWith':
      return `(${col} IS NULL OR NOT starts_with(${col}, ${lit()}))`;
  }
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A typed DuckDB literal for an Iceberg value. */
export function literalSql(type: PrimitiveType, value: IcebergValue): string {
  if (value === null) return `CAST(NULL AS ${duckdbType(type)})`;
  switch (type.kind) {
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'int':
    case 'long':
      return `CAST(${String(value)} AS ${duckdbType(type)})`;
    case 'float':
    case 'double': {
      const n = Number(value);
      return `CAST(${quote(Number.isNaN(n) ? 'NaN' : Number.isFinite(n) ? String(n) : n > 0 ? 'inf' : '-inf')} AS ${duckdbType(type)})`;
    }
    case 'decimal':
      return `CAST(${quote(formatDecimal(value as bigint, type.scale))} AS ${duckdbType(type)})`;
    case 'date':
      return `DATE ${quote(formatDate(value as number))}`;
    case 'time':
      return `TIME ${quote(timeText(value as bigint))}`;
    case 'timestamp':
      return `CAST(${quote(timestampText(value as bigint))} AS TIMESTAMP)`;
    case 'timestamptz':
      return `CAST(${quote(timestampText(value as bigint) + '+00')} AS TIMESTAMPTZ)`;
    case 'string':
      return quote(value as string);
    case 'uuid':
      return `CAST(${quote(value as string)} AS UUID)`;
    case 'binary':
    case 'fixed':
      return `from_hex(${quote(Buffer.from(value as Uint8Array).toString('hex'))})`;
  }
}

/** `HH:MM:SS.ffffff`: the full form DuckDB's casts accept, never abbreviated. */
function timeText(microsOfDay: bigint): string {
  const micros = Number(microsOfDay);
  const two = (n: number) => String(n).padStart(2, '0');
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}.${fraction}`;
}

function timestampText(micros: bigint): string {
  const days = floorDivBig(micros, MICROS_PER_DAY);
  return `${formatDate(Number(days))} ${timeText(micros - days * MICROS_PER_DAY)}`;
}
