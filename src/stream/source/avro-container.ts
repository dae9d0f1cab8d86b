/**
 * The datums of an Avro object container file as single binary datums of the stream's schema, the
 * payload form the Avro record decoder reads (src/stream/format).
 *
 * The container is split here rather than by avsc's BlockDecoder, for three reasons: its writer
 * type decodes longs as JS numbers (rounding past 2^53), its raw (`noDecode`) mode merges datums
 * into one byte stream, and a truncated file just ends early without an error — a silent loss.
 * Layout (Avro spec, "Object Container Files"): `Obj\x01`, a metadata map (`avro.schema`,
 * `avro.codec`), a 16-byte sync marker; then blocks of (datum count, byte size, data, sync).
 *
 * A datum written with the stream's schema (same canonical form) is passed on byte for byte; one
 * written with another schema is resolved into the stream's schema by Avro's resolution rules and
 * re-encoded (exact longs: format/avro-values.ts). Codecs: `null` and `deflate`. A damaged or
 * truncated file, another codec or an unresolvable schema is a CORRUPT_FILE error naming the file.
 */
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { StrataError } from '../../core/index.ts';
import { avroType } from '../format/avro-values.ts';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const META = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const LONG = avro.Type.forSchema('long');

/** The datums of the container file at `path`, as binary datums of `schema`. ENOENT is passed through. */
export async function avroContainerDatums(path: string, schema: Readonly<Record<string, unknown>>): Promise<Uint8Array[]> {
  const bytes = await readFile(path);
  try {
    return splitContainer(bytes, schema);
  } catch (error) {
    throw new StrataError('CORRUPT_FILE', `${path} is not a readable Avro object container file for this stream: ${(error as Error).message}. Move it out of the watched directory`, { path }, { cause: error });
  }
}

function splitContainer(bytes: Buffer, schema: Readonly<Record<string, unknown>>): Uint8Array[] {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('no Avro container header (magic bytes Obj\\x01)');
  let pos = MAGIC.length;
  const meta = read(META, bytes, pos, 'header');
  pos = meta.pos;
  const header = meta.value as Record<string, Buffer>;
  const sync = bytes.subarray(pos, pos + 16);
  if (sync.length !== 16) throw new Error('truncated header');
  pos += 16;
  const codec = header['avro.codec']?.toString() ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new Error(`codec ${codec} is not supported (use null or deflate)`);
  const writer = avroType(JSON.parse(header['avro.schema']?.toString() ?? 'null'));
  const reader = avroType(schema);
  const same = writer.fingerprint().equals(reader.fingerprint());
  const resolver = same ? undefined : resolve(reader, writer);

  const datums: Uint8Array[] = [];
  let block = 0;
  while (pos < bytes.length) {
    const count = read(LONG, bytes, pos, `block ${block}`);
    const size = read(LONG, bytes, count.pos, `block ${block}`);
    const end = size.pos + (size.value as number);
    if ((count.value as number) < 0 || (size.value as number) < 0 || end + 16 > bytes.length) throw new Error(`block ${block} is truncated`);
    if (!bytes.subarray(end, end + 16).equals(sync)) throw new Error(`block ${block} does not end with the file's sync marker`);
    const stored = bytes.subarray(size.pos, end);
    const data = codec === 'deflate' ? inflateRawSync(stored) : stored;
    let at = 0;
    for (let i = 0; i < (count.value as number); i++) {
      const datum = resolver ? reader.decode(data, at, resolver) : writer.decode(data, at);
      if (datum.offset < 0) throw new Error(`datum ${i} of block ${block} is truncated`);
      datums.push(resolver ? new Uint8Array(reader.toBuffer(datum.value)) : new Uint8Array(data.subarray(at, datum.offset)));
      at = datum.offset;
    }
    if (at !== data.length) throw new Error(`block ${block} has ${data.length - at} byte(s) after its ${String(count.value)} datum(s)`);
    pos = end + 16;
    block++;
  }
  return datums;
}

function read(type: avro.Type, bytes: Buffer, pos: number, what: string): { value: unknown; pos: number } {
  const { value, offset } = type.decode(bytes, pos);
  if (offset < 0) throw new Error(`${what} is truncated`);
  return { value, pos: offset };
}

function resolve(reader: avro.Type, writer: avro.Type): avro.Resolver {
  try {
    return reader.createResolver(writer);
  } catch (error) {
    throw new Error(`its schema cannot be read as the stream's Avro schema: ${(error as Error).message}`);
  }
}
