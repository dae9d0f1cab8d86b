/**
 * Iceberg's "binary single-value serialization" (spec Appendix D): how one value is stored as bytes in
 * manifest lower/upper bounds and in manifest-list partition summaries. Also the ordering Iceberg uses
 * for values of one type, which pruning needs to compare literals with those bounds.
 *
 * Gotchas:
 * - Decimals are the unscaled value as two's-complement big-endian in the *minimum* number of bytes
 *   (14.20 at scale 2 → 1420 → `05 8c`), not a fixed width.
 * - A bound written before an int → long or float → double promotion is still 4 bytes; reading a
 *   long/double from 4 bytes widens the old value, as the Java reference does.
 * - Strings compare by UTF-8 bytes (= code points), which is NOT JavaScript's `<` (UTF-16 units).
 *
 * @example
 *   serializeValue(Types.int, 1)            // → 01 00 00 00
 *   deserializeValue(Types.long, bytes)     // → 1n
 */
import { StrataError } from '../../core/index.ts';
import type { PrimitiveType } from '../schema/types.ts';
import { primitiveToString } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Serialize one non-null value of `type`; throws INVALID_ARGUMENT when the JS value has the wrong shape. */
export function serializeValue(type: PrimitiveType, value: IcebergValue): Uint8Array {
  if (value === null) throw wrongValue(type, value, 'null has no single-value encoding');
  switch (type.kind) {
    case 'boolean':
      return Uint8Array.of(expectBoolean(type, value) ? 1 : 0);
    case 'int':
    case 'date': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, expectInt(type, value), true);
      return out;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, expectBigint(type, value), true);
      return out;
    }
    case 'float': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setFloat32(0, expectNumber(type, value), true);
      return out;
    }
    case 'double': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, expectNumber(type, value), true);
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw wrongValue(type, value, 'expected a string');
      return utf8Encoder.encode(value);
    case 'uuid':
      return uuidToBytes(expectUuid(type, value));
    case 'fixed': {
      const bytes = expectBytes(type, value);
      if (bytes.length !== type.length) throw wrongValue(type, value, `expected exactly ${type.length} bytes, got ${bytes.length}`);
      return bytes.slice();
    }
    case 'binary':
      return expectBytes(type, value).slice();
    case 'decimal':
      return bigintToMinimalBytes(expectBigint(type, value));
  }
}

/** Read one value of `type` from its single-value encoding; throws CORRUPT_FILE for a wrong length. */
export function deserializeValue(type: PrimitiveType, bytes: Uint8Array): IcebergValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (...lengths: number[]) => {
    if (!lengths.includes(bytes.length)) {
      throw new StrataError(
        'CORRUPT_FILE',
        `A ${primitiveToString(type)} value must be ${lengths.join(' or ')} bytes, found ${bytes.length}; the bound or partition summary is corrupt`,
        { type: primitiveToString(type), length: bytes.length },
      );
    }
  };
  switch (type.kind) {
    case 'boolean':
      need(1);
      return bytes[0] !== 0;
    case 'int':
    case 'date':
      need(4);
      return view.getInt32(0, true);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      need(4, 8);
      // 4 bytes: a bound written while the column was still an int (int → long promotion).
      return bytes.length === 4 ? BigInt(view.getInt32(0, true)) : view.getBigInt64(0, true);
    case 'float':
      need(4);
      return view.getFloat32(0, true);
    case 'double':
      need(4, 8);
      return bytes.length === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
    case 'string':
      try {
        return utf8Decoder.decode(bytes);
      } catch (error) {
        throw new StrataError('CORRUPT_FILE', 'A string value is not valid UTF-8', {}, { cause: error });
      }
    case 'uuid':
      need(16);
      return bytesToUuid(bytes);
    case 'fixed':
      need(type.length);
      return bytes.slice();
    case 'binary':
      return bytes.slice();
    case 'decimal':
      if (bytes.length === 0) need(1);
      return minimalBytesToBigint(bytes);
  }
}

/**
 * Iceberg's order for two values of the same type; negative, zero or positive like `Array.sort`.
 * `null` sorts before every value. Floats: -0.0 < 0.0 and NaN sorts after +Infinity (NaN equals NaN),
 * matching Java's `Float.compare`. Strings by code point (= UTF-8 bytes unsigned), binary/fixed
 * unsigned lexicographic, uuid by its 16 bytes unsigned.
 */
export function compareValues(type: PrimitiveType, a: IcebergValue, b: IcebergValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  switch (type.kind) {
    case 'boolean':
      return Number(expectBoolean(type, a)) - Number(expectBoolean(type, b));
    case 'int':
    case 'date':
      return expectInt(type, a) - expectInt(type, b);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'decimal':
      return compareBigints(expectBigint(type, a), expectBigint(type, b));
    case 'float':
    case 'double':
      return compareFloats(expectNumber(type, a), expectNumber(type, b));
    case 'string':
      if (typeof a !== 'string' || typeof b !== 'string') throw wrongValue(type, typeof a === 'string' ? b : a, 'expected a string');
      return compareStrings(a, b);
    case 'uuid':
      return compareBytes(uuidToBytes(expectUuid(type, a)), uuidToBytes(expectUuid(type, b)));
    case 'fixed':
    case 'binary':
      return compareBytes(expectBytes(type, a), expectBytes(type, b));
  }
}

/** Java `Double.compare` order: -0.0 < 0.0, NaN greatest and equal to itself. */
export function compareFloats(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  if (a !== b) return a < b ? -1 : 1;
  if (a === 0) {
    const negA = Object.is(a, -0);
    const negB = Object.is(b, -0);
    return negA === negB ? 0 : negA ? -1 : 1;
  }
  return 0;
}

/** Compare two strings by Unicode code point, which equals comparing their UTF-8 bytes unsigned. */
export function compareStrings(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(j) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return (a.length - i > 0 ? 1 : 0) - (b.length - j > 0 ? 1 : 0);
}

/** Unsigned lexicographic byte order; a prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two's-complement big-endian in the fewest bytes that keep the sign (0 → `00`, 128 → `00 80`, -1 → `ff`). */
export function bigintToMinimalBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, v));
    out.push(byte);
    v >>= 8n; // arithmetic shift: keeps the sign
    const signBitSet = (byte & 0x80) !== 0;
    if ((v === 0n && !signBitSet) || (v === -1n && signBitSet)) break;
  }
  return Uint8Array.from(out.reverse());
}

/** Inverse of {@link bigintToMinimalBytes}: any length of two's-complement big-endian bytes. */
export function minimalBytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, v);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The 16 bytes of a canonical uuid string, most significant first. */
export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.toLowerCase();
  if (!UUID_PATTERN.test(hex)) {
    throw new StrataError('INVALID_ARGUMENT', `"${uuid}" is not a uuid; expected 8-4-4-4-12 hex digits`, { value: uuid });
  }
  const digits = hex.replaceAll('-', '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The lowercase canonical string of 16 uuid bytes. */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function expectBoolean(type: PrimitiveType, value: IcebergValue): boolean {
  if (typeof value !== 'boolean') throw wrongValue(type, value, 'expected a boolean');
  return value;
}
function expectInt(type: PrimitiveType, value: IcebergValue): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw wrongValue(type, value, 'expected a 32-bit integer number');
  }
  return value;
}
function expectNumber(type: PrimitiveType, value: IcebergValue): number {
  if (typeof value !== 'number') throw wrongValue(type, value, 'expected a number');
  return value;
}
function expectBigint(type: PrimitiveType, value: IcebergValue): bigint {
  if (typeof value !== 'bigint') throw wrongValue(type, value, 'expected a bigint');
  if (type.kind !== 'decimal' && BigInt.asIntN(64, value) !== value) throw wrongValue(type, value, 'out of the 64-bit range');
  return value;
}
function expectBytes(type: PrimitiveType, value: IcebergValue): Uint8Array {
  if (!(value instanceof Uint8Array)) throw wrongValue(type, value, 'expected a Uint8Array');
  return value;
}
function expectUuid(type: PrimitiveType, value: IcebergValue): string {
  if (typeof value !== 'string') throw wrongValue(type, value, 'expected a uuid string');
  return value;
}

function wrongValue(type: PrimitiveType, value: IcebergValue, why: string): StrataError {
  const shown = value instanceof Uint8Array ? `${value.length} bytes` : typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  return new StrataError('INVALID_ARGUMENT', `Cannot use ${shown} as a ${primitiveToString(type)} value: ${why}`, {
    type: primitiveToString(type),
  });
}
