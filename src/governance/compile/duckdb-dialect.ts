/**
 * Masks rendered as DuckDB SQL. Every mask keeps the column's DuckDB type where the kind can (a
 * masked BIGINT is still a BIGINT, a masked DATE still a DATE), so queries, joins and UNIONs over a
 * governed table keep binding the same way for every principal.
 *
 * Rules shared by every kind:
 * - NULL stays NULL: a mask hides values, not whether there is one.
 * - A kind that cannot apply to the column's type (round on a string, partial on a number, bucket
 *   on a boolean) or has unusable parameters (negative keepLast, width ≤ 0, empty hash key) gives
 *   `CAST(NULL AS <type>)`: fail closed, never the raw value.
 * - Results that would overflow the type (rounding 99.99 in a DECIMAL(4,2) to 100) become NULL
 *   (TRY_CAST) instead of failing the whole query.
 *
 * `hash` is HMAC-SHA256 (keyed-hash.ts) over the UTF-8 text of `CAST(value AS VARCHAR)` (binary:
 * the bytes themselves), rendered per type so equal values stay equal and joinable across columns
 * and tables masked with the same key (`42` as INTEGER, BIGINT or VARCHAR hashes alike):
 *
 * | type              | hashed value                                                          |
 * | ----------------- | --------------------------------------------------------------------- |
 * | string            | 64 lowercase hex digits                                               |
 * | long              | BIGINT from the first 15 hex digits (0 ≤ n < 2^60)                   |
 * | int               | INTEGER from the first 8 hex digits, shifted to −2^31 … 2^31−1        |
 * | float, double     | that BIGINT as FLOAT / DOUBLE (FLOAT may merge near values)           |
 * | decimal(p, s)     | the BIGINT's last min(p, 18, 38 − s) decimal digits, scaled by 10^−s  |
 * | uuid              | the first 32 hex digits as a UUID                                     |
 * | binary, fixed[n]  | the 32 digest bytes (fixed: the first n; n > 32: NULL)                |
 * | anything else     | NULL (dates, times, booleans, nested: no useful hashed form)         |
 *
 * Narrower forms collide sooner (INTEGER: expect a collision among ~77,000 distinct values),
 * which joins on hashed ids should allow for.
 */
import { duckdbType, type IcebergType } from '../../table/index.ts';
import type { MaskFunction } from '../model.ts';
import { compileMask } from './mask-kinds.ts';
import { hmacPads } from './keyed-hash.ts';
import type { PolicyDialect } from './policy-dialect.ts';
import { replaceValueIdentifier } from './policy-text.ts';

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const BUCKET_UNITS: ReadonlySet<string> = new Set(['year', 'month', 'day', 'hour']);

export const duckDbDialect: PolicyDialect = {
  name: 'duckdb',
  quoteIdent,
  quoteString,
  maskExpression: (fn, column, icebergType, hashKey) =>
    compileMask(
      { sqlType: duckdbType, quoteString, hash: hashMask, round: roundMask, bucket: bucketMask, expression: (sql, value) => replaceValueIdentifier(sql, value) },
      fn,
      column,
      icebergType,
      hashKey,
    ),
};

/** The leftmost digits worth rounding a decimal to: one place past its integer digits (all values round to 0 there). */
export function decimalRoundFloor(type: { readonly precision: number; readonly scale: number }): number {
  return -(type.precision - type.scale) - 1;
}

function roundMask(column: string, type: IcebergType, sqlType: string, digits: number): string | undefined {
  if (!isNumber(type) || !Number.isInteger(digits)) return undefined;
  if (type.kind === 'decimal') {
    // DuckDB's decimal round gives a constant 0 (also for NULL) once the digits reach past the
    // type's integer digits, even where the true result is 10^n: round in DECIMAL(38, s), no
    // further left than one digit past the column's integer digits (everything rounds to 0 there).
    const floor = Math.max(digits, decimalRoundFloor(type));
    return `CASE WHEN ${column} IS NULL THEN NULL ELSE TRY_CAST(round(CAST(${column} AS DECIMAL(38,${type.scale})), ${floor}) AS ${sqlType}) END`;
  }
  // Integers round in HUGEINT: DuckDB's integer round wraps past the type's limit.
  const value = type.kind === 'int' || type.kind === 'long' ? `CAST(${column} AS HUGEINT)` : column;
  return `TRY_CAST(round(${value}, ${digits}) AS ${sqlType})`;
}

function isNumber(type: IcebergType): boolean {
  return ['int', 'long', 'float', 'double', 'decimal'].includes(type.kind);
}

function hashMask(column: string, type: IcebergType, hashKey: string): string | undefined {
  const pads = hmacPads(hashKey);
  if (!pads) return undefined;
  const bytes = type.kind === 'binary' || type.kind === 'fixed' ? column : type.kind === 'string' ? `encode(${column})` : `encode(CAST(${column} AS VARCHAR))`;
  const hex = `sha256(from_hex('${pads.outer}') || from_hex(sha256(from_hex('${pads.inner}') || ${bytes})))`;
  const first15 = `CAST('0x' || substr(${hex}, 1, 15) AS BIGINT)`;
  switch (type.kind) {
    case 'string':
      return hex;
    case 'long':
      return first15;
    case 'int':
      return `CAST(CAST('0x' || substr(${hex}, 1, 8) AS BIGINT) - 2147483648 AS INTEGER)`;
    case 'float':
      return `CAST(${first15} AS FLOAT)`;
    case 'double':
      return `CAST(${first15} AS DOUBLE)`;
    case 'decimal': {
      // DuckDB reads `<digits>e-<scale>` into the target width before scaling, so go through
      // DECIMAL(38, s) and keep digits + s within its 38.
      const digits = Math.min(type.precision, 18, 38 - type.scale);
      const text = `CAST(${first15} % ${10n ** BigInt(digits)} AS VARCHAR) || 'e-${type.scale}'`;
      return `CAST(CAST(${text} AS DECIMAL(38,${type.scale})) AS DECIMAL(${type.precision},${type.scale}))`;
    }
    case 'uuid':
      return `CAST(substr(${hex}, 1, 32) AS UUID)`;
    case 'binary':
      return `from_hex(${hex})`;
    case 'fixed':
      return type.length <= 32 ? `from_hex(substr(${hex}, 1, ${type.length * 2}))` : undefined;
    default:
      return undefined;
  }
}

function bucketMask(column: string, type: IcebergType, sqlType: string, fn: Extract<MaskFunction, { kind: 'bucket' }>): string | undefined {
  const { width, unit } = fn;
  if (isNumber(type)) {
    if (width === undefined || !Number.isFinite(width) || width <= 0) return undefined;
    const w = String(width);
    switch (type.kind) {
      case 'int':
      case 'long': {
        // Exact integer floor to a multiple (`//` truncates toward zero, `%` keeps the dividend's sign).
        if (!Number.isInteger(width)) return undefined;
        const v = `CAST(${column} AS HUGEINT)`;
        return `TRY_CAST(${v} - (((${v} % ${w}) + ${w}) % ${w}) AS ${sqlType})`;
      }
      case 'decimal':
        return `TRY_CAST(${column} - (((${column} % ${w}) + ${w}) % ${w}) AS ${sqlType})`;
      default:
        return `CAST(floor(${column} / ${w}) * ${w} AS ${sqlType})`;
    }
  }
  if (unit === undefined || !BUCKET_UNITS.has(unit)) return undefined;
  switch (type.kind) {
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return `CAST(date_trunc('${unit}', ${column}) AS ${sqlType})`;
    case 'time':
      return `CAST(date_trunc('${unit}', DATE '2000-01-01' + ${column}) AS TIME)`;
    default:
      return undefined;
  }
}
