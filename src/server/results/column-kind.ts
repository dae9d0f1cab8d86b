/**
 * How a result column of a given DuckDB type (the engine's `ColumnInfo.type` text, e.g. `BIGINT`,
 * `DECIMAL(10,2)`, `TIMESTAMP WITH TIME ZONE`, `INTEGER[]`) is stored in Arrow:
 *
 * | DuckDB type                                  | Arrow type                     | notes                                   |
 * | -------------------------------------------- | ------------------------------ | --------------------------------------- |
 * | TINYINT … BIGINT, UTINYINT … UBIGINT         | Int8 … Int64, Uint8 … Uint64   | 64-bit as bigint                        |
 * | HUGEINT, UHUGEINT, BIGNUM                    | Utf8 (decimal digits)          | no 128-bit integer type in Arrow        |
 * | FLOAT, DOUBLE                                | Float32, Float64               |                                         |
 * | DECIMAL(p, s)                                | Decimal128(p, s)               | exact: unscaled value via bigint        |
 * | BOOLEAN                                      | Bool                           |                                         |
 * | VARCHAR, UUID, ENUM, TIME*, BIT, JSON, GEOMETRY | Utf8                        | the engine's text as is                 |
 * | DATE                                         | Date32 (days)                  |                                         |
 * | TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS         | Timestamp(µs)                  |                                         |
 * | TIMESTAMP_NS                                 | Timestamp(ns)                  | keeps the nanoseconds                   |
 * | TIMESTAMP WITH TIME ZONE                     | Timestamp(µs, 'UTC')           |                                         |
 * | BLOB                                         | Binary                         |                                         |
 * | LIST, ARRAY, STRUCT, MAP, UNION, INTERVAL, anything else | Utf8 JSON text     | see json-text.ts                        |
 *
 * Every Arrow field also carries the DuckDB type text in its metadata (`strata.duckdb_type`).
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  TimeUnit,
  Timestamp,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type DataType,
} from 'apache-arrow';
import type { TimestampUnit } from './temporal-text.ts';

export type ColumnKind =
  | { readonly tag: 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32'; readonly arrow: DataType }
  | { readonly tag: 'int64' | 'uint64'; readonly arrow: DataType }
  | { readonly tag: 'float32' | 'float64'; readonly arrow: DataType }
  | { readonly tag: 'bool'; readonly arrow: DataType }
  | { readonly tag: 'decimal'; readonly arrow: DataType; readonly scale: number }
  | { readonly tag: 'big-integer' | 'text' | 'json'; readonly arrow: DataType }
  | { readonly tag: 'date'; readonly arrow: DataType }
  | { readonly tag: 'timestamp'; readonly arrow: DataType; readonly unit: TimestampUnit; readonly utc: boolean }
  | { readonly tag: 'binary'; readonly arrow: DataType };

const SIMPLE: Readonly<Record<string, () => ColumnKind>> = {
  TINYINT: () => ({ tag: 'int8', arrow: new Int8() }),
  SMALLINT: () => ({ tag: 'int16', arrow: new Int16() }),
  INTEGER: () => ({ tag: 'int32', arrow: new Int32() }),
  BIGINT: () => ({ tag: 'int64', arrow: new Int64() }),
  UTINYINT: () => ({ tag: 'uint8', arrow: new Uint8() }),
  USMALLINT: () => ({ tag: 'uint16', arrow: new Uint16() }),
  UINTEGER: () => ({ tag: 'uint32', arrow: new Uint32() }),
  UBIGINT: () => ({ tag: 'uint64', arrow: new Uint64() }),
  HUGEINT: () => ({ tag: 'big-integer', arrow: new Utf8() }),
  UHUGEINT: () => ({ tag: 'big-integer', arrow: new Utf8() }),
  BIGNUM: () => ({ tag: 'big-integer', arrow: new Utf8() }),
  VARINT: () => ({ tag: 'big-integer', arrow: new Utf8() }),
  FLOAT: () => ({ tag: 'float32', arrow: new Float32() }),
  DOUBLE: () => ({ tag: 'float64', arrow: new Float64() }),
  BOOLEAN: () => ({ tag: 'bool', arrow: new Bool() }),
  DATE: () => ({ tag: 'date', arrow: new DateDay() }),
  TIMESTAMP: () => timestamp('us', false),
  TIMESTAMP_S: () => timestamp('us', false),
  TIMESTAMP_MS: () => timestamp('us', false),
  TIMESTAMP_NS: () => timestamp('ns', false),
  'TIMESTAMP WITH TIME ZONE': () => timestamp('us', true),
  TIMESTAMPTZ: () => timestamp('us', true),
  BLOB: () => ({ tag: 'binary', arrow: new Binary() }),
};

const TEXT_TYPES = new Set(['VARCHAR', 'UUID', 'TIME', 'TIME_NS', 'TIME WITH TIME ZONE', 'TIMETZ', 'BIT', 'JSON', 'GEOMETRY']);

function timestamp(unit: TimestampUnit, utc: boolean): ColumnKind {
  const arrow = new Timestamp(unit === 'ns' ? TimeUnit.NANOSECOND : TimeUnit.MICROSECOND, utc ? 'UTC' : null);
  return { tag: 'timestamp', arrow, unit, utc };
}

/** The storage of a column of DuckDB type `typeText` (see the table above). */
export function columnKindOf(typeText: string): ColumnKind {
  const type = typeText.trim().toUpperCase();
  const simple = SIMPLE[type];
  if (simple !== undefined) return simple();
  if (TEXT_TYPES.has(type) || type.startsWith('VARCHAR') || type.startsWith('ENUM(')) return { tag: 'text', arrow: new Utf8() };
  const decimal = /^(?:DECIMAL|NUMERIC)(?:\((\d+)\s*,\s*(\d+)\))?$/.exec(type);
  if (decimal !== null) {
    const precision = Number(decimal[1] ?? 18);
    const scale = Number(decimal[2] ?? 3);
    if (precision >= 1 && precision <= 38 && scale <= precision) {
      return { tag: 'decimal', arrow: new Decimal(scale, precision, 128), scale };
    }
  }
  return { tag: 'json', arrow: new Utf8() };
}
