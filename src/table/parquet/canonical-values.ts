/**
 * A "canonical" SQL form for each Iceberg primitive: a DuckDB expression whose result maps to the
 * Iceberg in-memory value (values.ts) one-to-one and exactly — dates as day numbers, times and
 * timestamps as epoch microseconds, decimals as their unscaled integer, uuids as text. Partition
 * values are computed in this form in SQL and read back into JS with {@link canonicalToValue};
 * the bucket UDF receives its argument in this form too.
 *
 * Gotchas:
 * - `epoch_us(TIMESTAMPTZ)` is UTC whatever the session `TimeZone`, unlike `year()`/`date_trunc()`
 *   on TIMESTAMPTZ, which follow the session zone.
 * - A decimal's unscaled value comes from its text (`-0.50` → `-050` → -50): DuckDB always prints all
 *   `scale` digits, and multiplying by 10^scale could overflow DECIMAL(38, S).
 */
import { DuckDBBlobValue } from '@duckdb/node-api';
import type { DuckDBValue } from '@duckdb/node-api';
import { StrataError } from '../../core/index.ts';
import type { PrimitiveType } from '../schema/types.ts';
import { primitiveToString } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';

/** The DuckDB type name of the canonical form (used for UDF parameters). */
export type CanonicalSqlType = 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'HUGEINT' | 'FLOAT' | 'DOUBLE' | 'VARCHAR' | 'BLOB';

export function canonicalSqlType(type: PrimitiveType): CanonicalSqlType {
  switch (type.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
    case 'date':
      return 'INTEGER';
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return 'BIGINT';
    case 'decimal':
      return 'HUGEINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'string':
    case 'uuid':
      return 'VARCHAR';
    case 'fixed':
    case 'binary':
      return 'BLOB';
  }
}

/** The canonical form of `expr`, a SQL expression of the DuckDB type of `type` (see duckdb-types.ts). */
export function canonicalExpr(expr: string, type: PrimitiveType): string {
  switch (type.kind) {
    case 'date':
      return `CAST((${expr}) - DATE '1970-01-01' AS INTEGER)`;
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return `epoch_us(${expr})`;
    case 'decimal':
      return `CAST(replace(CAST((${expr}) AS VARCHAR), '.', '') AS HUGEINT)`;
    case 'uuid':
      return `lower(CAST((${expr}) AS VARCHAR))`;
    default:
      return expr;
  }
}

/** A value DuckDB returned for a canonical-form expression, as the Iceberg value of `type`. */
export function canonicalToValue(raw: DuckDBValue, type: PrimitiveType): IcebergValue {
  if (raw === null) return null;
  switch (type.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      break;
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      if (typeof raw === 'number' || typeof raw === 'bigint') return Number(raw);
      break;
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'decimal':
      if (typeof raw === 'number' || typeof raw === 'bigint') return BigInt(raw);
      break;
    case 'string':
    case 'uuid':
      if (typeof raw === 'string') return raw;
      break;
    case 'fixed':
    case 'binary':
      if (raw instanceof DuckDBBlobValue) return raw.bytes;
      break;
  }
  throw new StrataError('INVALID_ARGUMENT', `DuckDB returned ${String(raw)} where a ${primitiveToString(type)} was expected`, {
    type: primitiveToString(type),
  });
}
