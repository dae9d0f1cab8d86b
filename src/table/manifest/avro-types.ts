/**
 * Iceberg primitive types in Avro (spec Appendix A, "Avro"), both ways, and the conversion of values
 * between Strata's in-memory form (schema/values.ts) and what avsc reads and writes.
 *
 * | Iceberg        | Avro                                                                 |
 * | -------------- | -------------------------------------------------------------------- |
 * | date           | int, logicalType date                                                |
 * | time           | long, logicalType time-micros                                        |
 * | timestamp[tz]  | long, logicalType timestamp-micros, adjust-to-utc false / true       |
 * | uuid           | fixed 16, logicalType uuid                                           |
 * | fixed[L]       | fixed L                                                              |
 * | binary         | bytes                                                                |
 * | decimal(P, S)  | fixed of the fewest bytes that hold P digits, logicalType decimal    |
 *
 * Gotchas: Avro `fixed` types are *named* and a name may be defined only once per schema, so each
 * fixed gets a name unique to its field id. Decimals are sign-extended to the fixed width.
 */
import { StrataError } from '../../core/index.ts';
import type { PrimitiveType } from '../schema/types.ts';
import { primitiveToString } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { bigintToMinimalBytes, bytesToUuid, minimalBytesToBigint, uuidToBytes } from '../serde/single-value.ts';

export type AvroSchemaJson = string | { readonly [key: string]: unknown } | readonly unknown[];

/** The Avro schema of an Iceberg primitive; `fieldId` makes names of fixed types unique. */
export function primitiveToAvro(type: PrimitiveType, fieldId: number): AvroSchemaJson {
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return type.kind;
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': type.kind === 'timestamptz' };
    case 'uuid':
      return { type: 'fixed', name: `uuid_fixed_${fieldId}`, size: 16, logicalType: 'uuid' };
    case 'fixed':
      return { type: 'fixed', name: `fixed_${type.length}_${fieldId}`, size: type.length };
    case 'decimal':
      return {
        type: 'fixed',
        name: `decimal_${type.precision}_${type.scale}_${fieldId}`,
        size: decimalBytes(type.precision),
        logicalType: 'decimal',
        precision: type.precision,
        scale: type.scale,
      };
  }
}

/**
 * The Iceberg primitive an Avro schema (already resolved, not a union) stands for, or undefined when
 * it is not one Iceberg writes (nested types, enums, ...).
 */
export function avroToPrimitive(schema: unknown): PrimitiveType | undefined {
  if (typeof schema === 'string') return avroToPrimitive({ type: schema });
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const s = schema as Record<string, unknown>;
  const logical = s['logicalType'];
  switch (s['type']) {
    case 'boolean':
    case 'float':
    case 'double':
      return { kind: s['type'] };
    case 'int':
      return { kind: logical === 'date' ? 'date' : 'int' };
    case 'long':
      if (logical === 'time-micros') return { kind: 'time' };
      if (logical === 'timestamp-micros') return { kind: s['adjust-to-utc'] === true ? 'timestamptz' : 'timestamp' };
      return { kind: 'long' };
    case 'string':
      return { kind: logical === 'uuid' ? 'uuid' : 'string' };
    case 'bytes':
      return logical === 'decimal' ? decimalOf(s) : { kind: 'binary' };
    case 'fixed':
      if (logical === 'decimal') return decimalOf(s);
      if (logical === 'uuid' && s['size'] === 16) return { kind: 'uuid' };
      return typeof s['size'] === 'number' ? { kind: 'fixed', length: s['size'] } : undefined;
    default:
      return undefined;
  }
}

function decimalOf(s: Record<string, unknown>): PrimitiveType | undefined {
  const { precision, scale } = s;
  if (typeof precision !== 'number') return undefined;
  return { kind: 'decimal', precision, scale: typeof scale === 'number' ? scale : 0 };
}

/** Fewest bytes of two's complement that hold every unscaled value of `precision` digits. */
export function decimalBytes(precision: number): number {
  const max = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (max > (1n << BigInt(8 * bytes - 1)) - 1n) bytes++;
  return bytes;
}

/** A Strata value as avsc wants it for the Avro form of `type`; null stays null. */
export function toAvroValue(type: PrimitiveType, value: IcebergValue, what: string): unknown {
  if (value === null) return null;
  const wrong = (expected: string) =>
    new StrataError('INVALID_ARGUMENT', `${what} must be ${expected} for type ${primitiveToString(type)}`, {
      type: primitiveToString(type),
    });
  switch (type.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('a boolean');
      return value;
    case 'int':
    case 'date':
      if (typeof value !== 'number' || !Number.isInteger(value) || value !== (value | 0)) throw wrong('a 32-bit integer number');
      return value;
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw wrong('a number');
      return value;
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      if (typeof value !== 'bigint' || BigInt.asIntN(64, value) !== value) throw wrong('a 64-bit bigint');
      return value;
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case 'uuid':
      if (typeof value !== 'string') throw wrong('a uuid string');
      return toBuffer(uuidToBytes(value));
    case 'fixed':
      if (!(value instanceof Uint8Array) || value.length !== type.length) throw wrong(`a Uint8Array of ${type.length} bytes`);
      return toBuffer(value);
    case 'binary':
      if (!(value instanceof Uint8Array)) throw wrong('a Uint8Array');
      return toBuffer(value);
    case 'decimal': {
      if (typeof value !== 'bigint') throw wrong('a bigint (the unscaled value)');
      const size = decimalBytes(type.precision);
      const minimal = bigintToMinimalBytes(value);
      if (minimal.length > size || value >= 10n ** BigInt(type.precision) || value <= -(10n ** BigInt(type.precision))) {
        throw wrong(`an unscaled value of at most ${type.precision} digits`);
      }
      const out = Buffer.alloc(size, value < 0n ? 0xff : 0x00);
      out.set(minimal, size - minimal.length);
      return out;
    }
  }
}

/**
 * A value avsc decoded back into Strata's form. `fail` builds the error (a CORRUPT_FILE naming the
 * file) for a value of the wrong shape.
 */
export function fromAvroValue(type: PrimitiveType, value: unknown, fail: (why: string) => Error): IcebergValue {
  if (value === null || value === undefined) return null;
  const expect = (ok: boolean) => {
    if (!ok) throw fail(`expected a ${primitiveToString(type)} value`);
  };
  switch (type.kind) {
    case 'boolean':
      expect(typeof value === 'boolean');
      return value as boolean;
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      expect(typeof value === 'number');
      return value as number;
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      expect(typeof value === 'bigint');
      return value as bigint;
    case 'string':
      expect(typeof value === 'string');
      return value as string;
    case 'uuid':
      if (typeof value === 'string') return value.toLowerCase(); // Avro's own uuid: a string
      expect(value instanceof Uint8Array && value.length === 16);
      return bytesToUuid(value as Uint8Array);
    case 'fixed':
    case 'binary':
      expect(value instanceof Uint8Array);
      return Uint8Array.from(value as Uint8Array);
    case 'decimal':
      expect(value instanceof Uint8Array && value.length > 0);
      return minimalBytesToBigint(value as Uint8Array);
  }
}

/** A Buffer view of the same bytes (avsc checks `Buffer.isBuffer` when it writes bytes and fixed). */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
