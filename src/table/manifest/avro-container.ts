/**
 * The Avro object container file format (Avro spec, "Object Container Files"), written and read here
 * rather than through avsc's streams, for two reasons:
 *
 * - avsc re-serialises the schema it parsed into the `avro.schema` header and drops every attribute it
 *   does not know (`field-id`, `element-id`, Iceberg's `logicalType: "map"` ...). Iceberg readers
 *   resolve columns by those ids, so the header must carry the exact schema JSON Strata built.
 * - Reading must fail loudly: a bad magic, a wrong sync marker or a truncated block is a
 *   `CORRUPT_FILE` that names the file, never a partial result or a raw exception.
 *
 * Layout: `Obj\x01`, metadata `map<bytes>`, 16-byte sync marker, then blocks of
 * (record count: long, byte size: long, data, sync marker). Longs are zig-zag varints.
 * Codecs: `null` and `deflate` (raw RFC 1951, no zlib header), as the spec requires of every reader.
 *
 * Gotcha: a file cut exactly at a block boundary is still a valid container. Writers here add a
 * `strata.record-count` header key so such a truncation is caught too (other readers ignore it).
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { StrataError, concatBytes, messageOf } from '../../core/index.ts';

const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01); // "Obj" 1
const SYNC_SIZE = 16;
/** Strata's own header key: total records in the file, to detect truncation at a block boundary. */
export const RECORD_COUNT_KEY = 'strata.record-count';

export type AvroCodec = 'null' | 'deflate';

export interface AvroBlock {
  readonly count: number;
  /** Uncompressed block data: `count` records in Avro binary encoding, back to back. */
  readonly data: Uint8Array;
}

export interface AvroContainer {
  /** The `avro.schema` header, verbatim. */
  readonly schemaJson: string;
  /** Every other header key (not `avro.schema`, `avro.codec`), decoded as UTF-8. */
  readonly metadata: ReadonlyMap<string, string>;
  readonly codec: AvroCodec;
  readonly blocks: readonly AvroBlock[];
}

export interface WriteContainerOptions {
  /** Written byte for byte as `avro.schema`. */
  readonly schemaJson: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Each record already Avro-encoded. */
  readonly records: readonly Uint8Array[];
  readonly codec?: AvroCodec;
  /** Records per block; the reference implementation also writes big blocks. */
  readonly blockSize?: number;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Assemble a container file around already-encoded records. */
export function writeAvroContainer(opts: WriteContainerOptions): Uint8Array {
  const codec = opts.codec ?? 'deflate';
  const sync = new Uint8Array(randomBytes(SYNC_SIZE));
  const out = new ByteWriter();
  out.raw(MAGIC);
  const meta: [string, Uint8Array][] = [
    ['avro.schema', utf8.encode(opts.schemaJson)],
    ['avro.codec', utf8.encode(codec)],
    [RECORD_COUNT_KEY, utf8.encode(String(opts.records.length))],
    ...Object.entries(opts.metadata)
      .filter(([k]) => !k.startsWith('avro.') && k !== RECORD_COUNT_KEY) // reserved: written above
      .map(([k, v]): [string, Uint8Array] => [k, utf8.encode(v)]),
  ];
  out.long(meta.length);
  for (const [key, value] of meta) {
    out.bytes(utf8.encode(key));
    out.bytes(value);
  }
  out.long(0);
  out.raw(sync);
  const blockSize = Math.max(1, opts.blockSize ?? 10_000);
  for (let start = 0; start < opts.records.length; start += blockSize) {
    const chunk = opts.records.slice(start, start + blockSize);
    const plain = concatBytes(chunk);
    const data = codec === 'deflate' ? new Uint8Array(deflateRawSync(plain)) : plain;
    out.long(chunk.length);
    out.long(data.length);
    out.raw(data);
    out.raw(sync);
  }
  return out.finish();
}

/** Parse a container file; every structural problem is a CORRUPT_FILE naming `path`. */
export function readAvroContainer(bytes: Uint8Array, path: string): AvroContainer {
  const r = new ByteReader(bytes, path);
  const magic = r.take(MAGIC.length, 'the magic bytes');
  if (!MAGIC.every((b, i) => magic[i] === b)) {
    throw corrupt(path, 'it does not start with the Avro magic bytes "Obj\\x01"; it is not an Avro file');
  }
  const meta = new Map<string, Uint8Array>();
  for (;;) {
    let count = r.long('the header metadata');
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      r.long('the header metadata block size');
    }
    for (let i = 0; i < count; i++) {
      const key = utf8Decoder.decode(r.take(r.length('a header key'), 'a header key'));
      meta.set(key, r.take(r.length(`header value "${key}"`), `header value "${key}"`));
    }
  }
  const sync = r.take(SYNC_SIZE, 'the header sync marker');
  const schemaBytes = meta.get('avro.schema');
  if (schemaBytes === undefined) throw corrupt(path, 'its header has no avro.schema');
  const codecName = meta.has('avro.codec') ? utf8Decoder.decode(meta.get('avro.codec')) : 'null';
  if (codecName !== 'null' && codecName !== 'deflate') {
    throw new StrataError(
      'UNSUPPORTED_FEATURE',
      `Avro file ${path} uses the "${codecName}" codec; Strata reads only "null" and "deflate". Rewrite the file with deflate.`,
      { path, codec: codecName },
    );
  }
  const codec: AvroCodec = codecName;

  const blocks: AvroBlock[] = [];
  while (!r.atEnd()) {
    const at = r.pos;
    const count = r.long(`the record count of the block at byte ${at}`);
    const size = r.long(`the size of the block at byte ${at}`);
    if (count < 0 || size < 0) throw corrupt(path, `the block at byte ${at} has a negative count or size`);
    const raw = r.take(size, `the block at byte ${at} (${size} bytes)`);
    const marker = r.take(SYNC_SIZE, `the sync marker after the block at byte ${at}`);
    if (!marker.every((b, i) => sync[i] === b)) {
      throw corrupt(path, `the sync marker after the block at byte ${at} does not match the header's`);
    }
    let data = raw;
    if (codec === 'deflate') {
      try {
        data = new Uint8Array(inflateRawSync(raw));
      } catch (error) {
        throw corrupt(path, `the block at byte ${at} does not inflate (${messageOf(error)})`);
      }
    }
    blocks.push({ count, data });
  }

  const metadata = new Map<string, string>();
  for (const [key, value] of meta) {
    if (key !== 'avro.schema' && key !== 'avro.codec') metadata.set(key, utf8Decoder.decode(value));
  }
  const declared = metadata.get(RECORD_COUNT_KEY);
  const found = blocks.reduce((n, b) => n + b.count, 0);
  if (declared !== undefined && Number(declared) !== found) {
    throw corrupt(path, `its header promises ${declared} records but the blocks hold ${found}; the file is truncated`);
  }
  return { schemaJson: utf8Decoder.decode(schemaBytes), metadata, codec, blocks };
}

/** The CORRUPT_FILE error every reader in this folder throws. */
export function corrupt(path: string, what: string, cause?: unknown): StrataError {
  return new StrataError(
    'CORRUPT_FILE',
    `Avro file ${path} is corrupt: ${what}. Restore it from a copy or rewrite it; it cannot be read.`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  raw(bytes: Uint8Array): void {
    this.parts.push(bytes);
  }

  /** Zig-zag varint, as Avro encodes int and long. */
  long(value: number): void {
    let n = BigInt(value);
    n = n >= 0n ? n << 1n : (-n << 1n) - 1n;
    const out: number[] = [];
    while (n >= 0x80n) {
      out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(Number(n));
    this.parts.push(Uint8Array.from(out));
  }

  bytes(value: Uint8Array): void {
    this.long(value.length);
    this.raw(value);
  }

  finish(): Uint8Array {
    return concatBytes(this.parts);
  }
}

class ByteReader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly path: string,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  take(n: number, what: string): Uint8Array {
    if (this.pos + n > this.buf.length) {
      throw corrupt(this.path, `it ends inside ${what} (needs ${n} bytes at byte ${this.pos}, only ${this.buf.length - this.pos} left)`);
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A zig-zag varint long that must fit a safe JS integer (all sizes and counts do). */
  long(what: string): number {
    let n = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw corrupt(this.path, `it ends inside ${what}`);
      const byte = this.buf[this.pos++] ?? 0;
      n |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw corrupt(this.path, `${what} is not a valid varint`);
    }
    const value = Number((n & 1n) === 0n ? n >> 1n : -(n >> 1n) - 1n);
    if (!Number.isSafeInteger(value)) throw corrupt(this.path, `${what} is out of range`);
    return value;
  }

  length(what: string): number {
    const n = this.long(`the length of ${what}`);
    if (n < 0) throw corrupt(this.path, `the length of ${what} is negative`);
    return n;
  }
}
