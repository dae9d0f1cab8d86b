/**
 * Builds one Arrow column (`Data`) from the engine's JS values (src/engine/duckdb/value-forms.ts),
 * writing the buffers directly so every value lands exactly: 64-bit integers and timestamps through
 * bigint, decimals through their unscaled bigint, dates and timestamps parsed from DuckDB text.
 *
 * `null` and `undefined` are nulls. A value of the wrong JS type for its column is refused with
 * INVALID_ARGUMENT rather than coerced into something else.
 */
import { makeData, type Data, type DataType } from 'apache-arrow';
import { StrataError } from '../../core/index.ts';
import type { ColumnKind } from './column-kind.ts';
import { decimalToUnscaled, writeDecimal128 } from './decimal-text.ts';
import { toJsonText } from './json-text.ts';
import { dateToEpochDays, timestampToEpoch } from './temporal-text.ts';

type TypedArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

const NUMBER_ARRAYS = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

const encoder = new TextEncoder();

function wrongValue(kind: ColumnKind, value: unknown): StrataError {
  return new StrataError(
    'INVALID_ARGUMENT',
    `Cannot store a ${typeof value} (${String(value).slice(0, 40)}) in a result column stored as ${kind.tag}.`,
    { kind: kind.tag, valueType: typeof value },
  );
}

function toNumber(kind: ColumnKind, value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw wrongValue(kind, value);
}

function toBigInt(kind: ColumnKind, value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim());
  throw wrongValue(kind, value);
}

function toText(kind: ColumnKind, value: unknown): string {
  switch (kind.tag) {
    case 'json':
      return toJsonText(value);
    case 'big-integer':
      return String(toBigInt(kind, value));
    default:
      return typeof value === 'string' ? value : toJsonText(value);
  }
}

function toBytes(kind: ColumnKind, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  throw wrongValue(kind, value);
}

/** Validity bitmap (bit set = valid) and null count; no bitmap at all when nothing is null. */
function validity(values: readonly unknown[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, index) => {
    if (value === null || value === undefined) nullCount++;
    else bitmap[index >> 3] = (bitmap[index >> 3] ?? 0) | (1 << (index & 7));
  });
  return { nullBitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

function variableWidth(kind: ColumnKind, values: readonly unknown[], type: DataType): Data {
  const chunks: Uint8Array[] = [];
  const valueOffsets = new Int32Array(values.length + 1);
  let size = 0;
  values.forEach((value, index) => {
    if (value !== null && value !== undefined) {
      const bytes = kind.tag === 'binary' ? toBytes(kind, value) : encoder.encode(toText(kind, value));
      chunks.push(bytes);
      size += bytes.byteLength;
    }
    valueOffsets[index + 1] = size;
  });
  const data = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.byteLength;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- makeData's overloads are keyed by the static type
  return makeData({ type: type as any, length: values.length, ...validity(values), valueOffsets, data } as any);
}

/** The Arrow column of `values` stored as `kind`. */
export function encodeColumn(kind: ColumnKind, values: readonly unknown[]): Data {
  const length = values.length;
  const present = (fill: (value: unknown, index: number) => void): void =>
    values.forEach((value, index) => {
      if (value !== null && value !== undefined) fill(value, index);
    });
  let data: TypedArray | BigInt64Array | BigUint64Array;
  switch (kind.tag) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'float32':
    case 'float64': {
      const array = new NUMBER_ARRAYS[kind.tag](length);
      present((value, index) => (array[index] = toNumber(kind, value)));
      data = array;
      break;
    }
    case 'int64': {
      const array = new BigInt64Array(length);
      present((value, index) => (array[index] = toBigInt(kind, value)));
      data = array;
      break;
    }
    case 'uint64': {
      const array = new BigUint64Array(length);
      present((value, index) => (array[index] = toBigInt(kind, value)));
      data = array;
      break;
    }
    case 'bool': {
      const array = new Uint8Array(Math.ceil(length / 8));
      present((value, index) => {
        if (typeof value !== 'boolean') throw wrongValue(kind, value);
        if (value) array[index >> 3] = (array[index >> 3] ?? 0) | (1 << (index & 7));
      });
      data = array;
      break;
    }
    case 'decimal': {
      const array = new Uint32Array(length * 4);
      present((value, index) => writeDecimal128(array, index, decimalToUnscaled(value, kind.scale)));
      data = array;
      break;
    }
    case 'date': {
      const array = new Int32Array(length);
      present((value, index) => {
        if (typeof value !== 'string') throw wrongValue(kind, value);
        array[index] = dateToEpochDays(value);
      });
      data = array;
      break;
    }
    case 'timestamp': {
      const array = new BigInt64Array(length);
      present((value, index) => {
        if (typeof value !== 'string') throw wrongValue(kind, value);
        array[index] = timestampToEpoch(value, kind.unit);
      });
      data = array;
      break;
    }
    case 'big-integer':
    case 'text':
    case 'json':
    case 'binary':
      return variableWidth(kind, values, kind.arrow);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- makeData's overloads are keyed by the static type
  return makeData({ type: kind.arrow as any, length, ...validity(values), data } as any);
}
