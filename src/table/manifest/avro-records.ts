/**
 * Avro binary encoding of records through avsc, with Avro `long` mapped to `bigint`.
 *
 * Why a custom long: avsc's default long is a JS number and throws beyond 2^53, but Iceberg snapshot
 * ids are random 63-bit values. Every `long` here — whether written `"long"` or
 * `{"type": "long", "logicalType": "timestamp-micros"}` — decodes to a bigint and must be written
 * as one. Other logical types are left to the caller (avsc ignores them without `logicalTypes`).
 *
 * Compiled types are cached by schema text: scan planning decodes many manifests of one schema.
 */
import avsc from 'avsc';
import { StrataError, messageOf } from '../../core/index.ts';
import type { AvroBlock } from './avro-container.ts';
import { corrupt } from './avro-container.ts';

const bigintLong = avsc.types.LongType.__with({
  fromBuffer: (buf: Buffer): bigint => buf.readBigInt64LE(0),
  toBuffer: (n: bigint): Buffer => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (json: unknown): bigint => BigInt(json as number | string),
  toJSON: (n: bigint): number => Number(n),
  isValid: (n: unknown): boolean => typeof n === 'bigint' && BigInt.asIntN(64, n) === n,
  compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
});

const cache = new Map<string, avsc.Type>();
const CACHE_LIMIT = 64;

/** The avsc type of a schema (JSON text), longs as bigint. Throws what avsc throws for a bad schema. */
export function compileAvroType(schemaJson: string): avsc.Type {
  let type = cache.get(schemaJson);
  if (type === undefined) {
    type = avsc.Type.forSchema(JSON.parse(schemaJson) as avsc.Schema, {
      typeHook: (schema) => (isLongSchema(schema) ? bigintLong : undefined),
    });
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
    cache.set(schemaJson, type);
  }
  return type;
}

function isLongSchema(schema: unknown): boolean {
  if (schema === 'long') return true;
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'long';
}

/** Encode one record; a value that does not fit the schema is the caller's bug (INVALID_ARGUMENT). */
export function encodeRecord(type: avsc.Type, value: unknown, what: string): Uint8Array {
  try {
    const buf = type.toBuffer(value);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  } catch (error) {
    throw new StrataError('INVALID_ARGUMENT', `Cannot encode ${what} as Avro: ${messageOf(error)}`, {}, { cause: error });
  }
}

/**
 * Decode every record of every block; a short or overlong block is a CORRUPT_FILE naming `path`.
 * Assumes every record takes at least one byte (true of manifests and manifest lists), so a garbage
 * record count cannot make it loop over billions of empty records.
 */
export function decodeRecords(type: avsc.Type, blocks: readonly AvroBlock[], path: string): unknown[] {
  const out: unknown[] = [];
  blocks.forEach((block, b) => {
    if (block.count > block.data.length) {
      throw corrupt(path, `block ${b} claims ${block.count} records in only ${block.data.length} bytes`);
    }
    const buf = Buffer.from(block.data.buffer, block.data.byteOffset, block.data.length);
    let pos = 0;
    for (let i = 0; i < block.count; i++) {
      let decoded: { value: unknown; offset: number };
      try {
        decoded = type.decode(buf, pos);
      } catch (error) {
        throw corrupt(path, `record ${i} of block ${b} does not decode (${messageOf(error)})`, error);
      }
      if (decoded.offset < 0) throw corrupt(path, `block ${b} ends inside record ${i} of ${block.count}`);
      out.push(decoded.value);
      pos = decoded.offset;
    }
    if (pos !== buf.length) throw corrupt(path, `block ${b} has ${buf.length - pos} bytes after its ${block.count} records`);
  });
  return out;
}
