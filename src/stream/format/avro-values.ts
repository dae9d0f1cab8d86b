/**
 * Avro datums (as avsc decodes them) → the JSON-like values the ingest plane validates: bytes and
 * fixed become base64, `timestamp-millis`/`-micros` longs become ISO text, `date` ints ISO dates,
 * `decimal` bytes exact decimal text; records and arrays recurse, maps stay objects. Walks the schema
 * JSON beside the value (avsc drops logical types it has no implementation for).
 */
import avro from 'avsc';

export function avroToJsonLike(schema: unknown, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(schema)) {
    // A union (avsc unwrapped): the branch whose shape fits the value.
    const branches = schema.filter((b) => b !== 'null');
    const branch = branches.length === 1 ? branches[0] : branches.find((b) => avro.Type.forSchema(b as avro.Schema, { wrapUnions: false }).isValid(value));
    return avroToJsonLike(branch, value);
  }
  const node = typeof schema === 'object' && schema !== null ? (schema as { type?: unknown; logicalType?: string; scale?: number; fields?: { name: string; type: unknown }[]; items?: unknown; values?: unknown }) : undefined;
  const logicalType = node?.logicalType;
  if (logicalType === 'timestamp-millis' && typeof value === 'number') return new Date(value).toISOString();
  if (logicalType === 'timestamp-micros' && typeof value === 'number') return microsIso(BigInt(value));
  if (logicalType === 'date' && typeof value === 'number') return new Date(value * 86_400_000).toISOString().slice(0, 10);
  if (logicalType === 'decimal' && Buffer.isBuffer(value)) return decimalText(value, node?.scale ?? 0);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (node?.type === 'record' && node.fields) {
    const out: Record<string, unknown> = {};
    for (const f of node.fields) out[f.name] = avroToJsonLike(f.type, (value as Record<string, unknown>)[f.name]);
    return out;
  }
  if (node?.type === 'array') return (value as unknown[]).map((v) => avroToJsonLike(node.items, v));
  if (node?.type === 'map') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = avroToJsonLike(node.values, v);
    return out;
  }
  if (node && typeof node.type === 'object') return avroToJsonLike(node.type, value);
  return value;
}

function microsIso(micros: bigint): string {
  const ms = micros / 1000n;
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  const iso = new Date(Number(ms - (micros < 0n && rest !== 0n ? 1n : 0n))).toISOString();
  return `${iso.slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

function decimalText(bytes: Buffer, scale: number): string {
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  if (bytes.length > 0 && (bytes[0] ?? 0) & 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Encodes one datum with `schema` (tests, benchmarks, producers). */
export function encodeAvroDatum(schema: Readonly<Record<string, unknown>>, value: unknown): Uint8Array {
  return new Uint8Array(avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false }).toBuffer(value));
}
