/**
 * A small, schema-less Thrift compact-protocol codec for Parquet's footer and page headers.
 *
 * Why schema-less: Strata edits a handful of fields in structs it does not own (FileMetaData,
 * ColumnMetaData, PageHeader, OffsetIndex, …) and must carry every other field — including ones
 * added by Parquet versions newer than this code — through unchanged. A struct is therefore kept as
 * its ordered list of `(id, wire type, value)` fields; callers read and set the few fields they know
 * by id (the ids are those of parquet.thrift). Re-encoding an untouched struct yields the bytes it was
 * decoded from, as long as the writer used the canonical (shortest) forms, which Thrift's own
 * libraries — and so DuckDB, Arrow and parquet-java — always do.
 *
 * Wire format (Thrift's compact protocol spec): integers other than i8 are zigzag varints; a field
 * header is one byte `delta << 4 | type` when the id grows by 1..15, else the type byte followed by the
 * zigzag id; booleans in a struct live in the field type (1 = true, 2 = false), and as one byte in a
 * list; a list header is `size << 4 | element type` (size ≥ 15: `0xF_` then a varint size); a map is a
 * varint size then `key type << 4 | value type` (nothing more when empty); a struct ends with byte 0.
 *
 * Gotcha: i64 values are bigints, every other integer is a number.
 *
 * @example
 *   const { struct: meta } = decodeStruct(footerBytes);
 *   meta.set(3, ThriftType.I64, 10n); // num_rows
 *   const bytes = encodeStruct(meta);
 */
import { StrataError } from '../../core/index.ts';

/** Compact-protocol wire type codes. `BOOL` stands for both boolean codes (1 = true, 2 = false). */
export const ThriftType = {
  BOOL: 1,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftMap | ThriftStruct;

/** A list or set: `elementType` is a wire type code; boolean elements are kept as their raw byte (a number). */
export interface ThriftList {
  readonly kind: 'list' | 'set';
  readonly elementType: number;
  items: ThriftValue[];
}

export interface ThriftMap {
  readonly kind: 'map';
  readonly keyType: number;
  readonly valueType: number;
  entries: [ThriftValue, ThriftValue][];
}

export interface ThriftField {
  readonly id: number;
  readonly type: number;
  value: ThriftValue;
}

export class ThriftStruct {
  readonly fields: ThriftField[];

  constructor(fields: ThriftField[] = []) {
    this.fields = fields;
  }

  has(id: number): boolean {
    return this.fields.some((f) => f.id === id);
  }

  get(id: number): ThriftValue | undefined {
    return this.fields.find((f) => f.id === id)?.value;
  }

  /** An i8/i16/i32 field as a number, or undefined when absent. */
  int(id: number): number | undefined {
    const v = this.get(id);
    if (v === undefined) return undefined;
    if (typeof v !== 'number') throw corrupt(`field ${id} is not a 32-bit integer`);
    return v;
  }

  /** An i64 field as a bigint, or undefined when absent. */
  long(id: number): bigint | undefined {
    const v = this.get(id);
    if (v === undefined) return undefined;
    if (typeof v !== 'bigint') throw corrupt(`field ${id} is not a 64-bit integer`);
    return v;
  }

  struct(id: number): ThriftStruct | undefined {
    const v = this.get(id);
    if (v === undefined) return undefined;
    if (!(v instanceof ThriftStruct)) throw corrupt(`field ${id} is not a struct`);
    return v;
  }

  list(id: number): ThriftList | undefined {
    const v = this.get(id);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || !('kind' in v) || v.kind === 'map') throw corrupt(`field ${id} is not a list`);
    return v;
  }

  /** Replaces a field's value in place, or inserts the field before the first one with a higher id. */
  set(id: number, type: number, value: ThriftValue): void {
    const existing = this.fields.findIndex((f) => f.id === id);
    if (existing >= 0) {
      this.fields[existing] = { id, type, value };
      return;
    }
    const after = this.fields.findIndex((f) => f.id > id);
    this.fields.splice(after < 0 ? this.fields.length : after, 0, { id, type, value });
  }

  delete(id: number): void {
    const i = this.fields.findIndex((f) => f.id === id);
    if (i >= 0) this.fields.splice(i, 1);
  }
}

/** Decodes one struct starting at `offset`; `end` is the offset just past its stop byte. */
export function decodeStruct(bytes: Uint8Array, offset = 0): { struct: ThriftStruct; end: number } {
  const reader = new Reader(bytes, offset);
  const struct = reader.struct(0);
  return { struct, end: reader.pos };
}

export function encodeStruct(struct: ThriftStruct): Uint8Array {
  const writer = new Writer();
  writer.struct(struct);
  return writer.finish();
}

function corrupt(message: string): StrataError {
  return new StrataError('CORRUPT_FILE', `Cannot read Parquet metadata: ${message}`, {});
}

/** Nesting deeper than this is not Parquet metadata; refusing it keeps a corrupt file from blowing the stack. */
const MAX_DEPTH = 64;

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  private byte(): number {
    const b = this.bytes[this.pos];
    if (b === undefined) throw corrupt('unexpected end of data');
    this.pos++;
    return b;
  }

  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw corrupt('varint too long');
    }
  }

  private zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  private int(): number {
    return Number(this.zigzag());
  }

  struct(depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw corrupt('nesting too deep');
    const fields: ThriftField[] = [];
    let last = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return new ThriftStruct(fields);
      const wire = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? this.int() : last + delta;
      last = id;
      if (wire === 1 || wire === 2) fields.push({ id, type: ThriftType.BOOL, value: wire === 1 });
      else fields.push({ id, type: wire, value: this.value(wire, depth) });
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case 1:
      case 2:
        return this.byte(); // a boolean element of a list: its raw byte
      case ThriftType.I8:
        return this.byte();
      case ThriftType.I16:
      case ThriftType.I32:
        return this.int();
      case ThriftType.I64:
        return this.zigzag();
      case ThriftType.DOUBLE: {
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
        this.take(8);
        return view.getFloat64(0, true);
      }
      case ThriftType.BINARY: {
        const length = Number(this.varint());
        return this.bytes.slice(this.pos, this.take(length));
      }
      case ThriftType.LIST:
      case ThriftType.SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        const elementType = header & 0x0f;
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(elementType, depth + 1));
        return { kind: type === ThriftType.LIST ? 'list' : 'set', elementType, items };
      }
      case ThriftType.MAP: {
        const size = Number(this.varint());
        if (size === 0) return { kind: 'map', keyType: 0, valueType: 0, entries: [] };
        const types = this.byte();
        const keyType = types >> 4;
        const valueType = types & 0x0f;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < size; i++) entries.push([this.value(keyType, depth + 1), this.value(valueType, depth + 1)]);
        return { kind: 'map', keyType, valueType, entries };
      }
      case ThriftType.STRUCT:
        return this.struct(depth + 1);
      default:
        throw corrupt(`unknown compact type ${type}`);
    }
  }

  /** Advances past `n` bytes and returns the new position; refuses to run past the end. */
  private take(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) throw corrupt('unexpected end of data');
    this.pos += n;
    return this.pos;
  }
}

class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b & 0xff;
  }

  private varint(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private zigzag(n: bigint): void {
    this.varint((n << 1n) ^ (n >> 63n));
  }

  struct(struct: ThriftStruct): void {
    let last = 0;
    for (const f of struct.fields) {
      const wire = f.type === ThriftType.BOOL ? (f.value === true ? 1 : 2) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | wire);
      else {
        this.byte(wire);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      if (f.type !== ThriftType.BOOL) this.value(f.type, f.value);
    }
    this.byte(0);
  }

  private value(type: number, value: ThriftValue): void {
    switch (type) {
      case 1:
      case 2:
      case ThriftType.I8:
        this.byte(num(value));
        return;
      case ThriftType.I16:
      case ThriftType.I32:
        this.zigzag(BigInt(num(value)));
        return;
      case ThriftType.I64:
        if (typeof value !== 'bigint') throw new TypeError('i64 value must be a bigint');
        this.zigzag(value);
        return;
      case ThriftType.DOUBLE: {
        this.ensure(8);
        new DataView(this.buf.buffer, this.len, 8).setFloat64(0, num(value), true);
        this.len += 8;
        return;
      }
      case ThriftType.BINARY: {
        if (!(value instanceof Uint8Array)) throw new TypeError('binary value must be a Uint8Array');
        this.varint(BigInt(value.length));
        this.ensure(value.length);
        this.buf.set(value, this.len);
        this.len += value.length;
        return;
      }
      case ThriftType.LIST:
      case ThriftType.SET: {
        const list = value as ThriftList;
        const size = list.items.length;
        if (size < 15) this.byte((size << 4) | list.elementType);
        else {
          this.byte(0xf0 | list.elementType);
          this.varint(BigInt(size));
        }
        for (const item of list.items) this.value(list.elementType, item);
        return;
      }
      case ThriftType.MAP: {
        const map = value as ThriftMap;
        this.varint(BigInt(map.entries.length));
        if (map.entries.length === 0) return;
        this.byte((map.keyType << 4) | map.valueType);
        for (const [k, v] of map.entries) {
          this.value(map.keyType, k);
          this.value(map.valueType, v);
        }
        return;
      }
      case ThriftType.STRUCT:
        if (!(value instanceof ThriftStruct)) throw new TypeError('struct value must be a ThriftStruct');
        this.struct(value);
        return;
      default:
        throw new TypeError(`unknown compact type ${type}`);
    }
  }
}

function num(value: ThriftValue): number {
  if (typeof value !== 'number') throw new TypeError('expected a number');
  return value;
}
