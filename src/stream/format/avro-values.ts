/**
 * Avro for streams: avsc types with exact longs, and decoded datums → the JSON-like values the
 * ingest plane validates (src/ingest/convert-value.ts).
 *
 * Gotchas this file exists for:
 * - avsc decodes `long` as a JS number, silently rounding anything past 2^53. Every type here is
 *   built with a `long` that reads and writes bigint.
 * - avsc drops logical types it has no implementation for, so the conversion walks the schema JSON
 *   beside the value: `timestamp-millis`/`-micros` become ISO text (UTC), `local-timestamp-*` ISO
 *   text without a zone, `date` an ISO date, `time-*` `HH:MM:SS.ffffff`, `decimal` exact decimal
 *   text; bytes and fixed become base64. Records and arrays recurse, maps stay objects.
 * - Decoding uses wrapped unions (`{ branch: value }`), so the branch is known even for unions
 *   such as `["int", "long"]` that avsc refuses to unwrap.
 */
import avro from 'avsc';

/** `long` as bigint (numbers are accepted when writing, for convenience). */
const BIG_LONG = avro.types.LongType.__with({
  fromBuffer: (buffer: Buffer): bigint => buffer.readBigInt64LE(),
  toBuffer: (n: bigint | number): Buffer => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(BigInt(n));
    return buffer;
  },
  fromJSON: (n: number | string | bigint): bigint => BigInt(n),
  toJSON: (n: bigint): number => Number(n),
  isValid: (n: unknown): boolean => (typeof n === 'bigint' && BigInt.asIntN(64, n) === n) || Number.isSafeInteger(n),
  compare: (a: bigint, b: bigint): number => (a === b ? 0 : a < b ? -1 : 1),
});

/**
 * An avsc type for `schema` whose longs are bigint. `wrapUnions: true` (decoding) gives every union
 * value as `{ branchName: value }`; `'auto'` (writing) accepts plain values for unambiguous unions.
 */
export function avroType(schema: unknown, wrapUnions: boolean | 'auto' = true): avro.Type {
  // A hook, not the registry: the registry only replaces `"long"` references, not `{ "type": "long", … }`.
  const typeHook = (node: avro.Schema): avro.Type | undefined =>
    node === 'long' || (typeof node === 'object' && (node as { type?: unknown }).type === 'long') ? BIG_LONG : undefined;
  return avro.Type.forSchema(schema as avro.Schema, { wrapUnions, typeHook });
}

/**
 * Encodes one datum with `schema` (tests, benchmarks, producers): plain values for unambiguous
 * unions (`null` or the value), longs as number or bigint.
 */
export function encodeAvroDatum(schema: Readonly<Record<string, unknown>>, value: unknown): Uint8Array {
  return new Uint8Array(avroType(schema, 'auto').toBuffer(value));
}

type SchemaNode = {
  readonly type?: unknown;
  readonly name?: string;
  readonly logicalType?: string;
  readonly scale?: number;
  readonly fields?: readonly { readonly name: string; readonly type: unknown }[];
  readonly items?: unknown;
  readonly values?: unknown;
};

/** Converts a datum decoded by `avroType(schema)` (wrapped unions) to JSON-like values. */
export function avroToJsonLike(schema: unknown): (value: unknown) => unknown {
  const named = new Map<string, unknown>();
  collectNames(schema, named);
  const convert = (node: unknown, value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    if (typeof node === 'string') {
      const definition = named.get(node) ?? named.get(shortName(node));
      if (definition !== undefined) return convert(definition, value);
      return Buffer.isBuffer(value) ? value.toString('base64') : value;
    }
    if (Array.isArray(node)) {
      const [branch, inner] = Object.entries(value as Record<string, unknown>)[0] ?? [];
      const match = node.find((b) => branchName(b) === branch || branchName(b) === shortName(branch ?? ''));
      return convert(match, inner);
    }
    const n = (typeof node === 'object' && node !== null ? node : {}) as SchemaNode;
    const logical = logicalValue(n, value);
    if (logical !== undefined) return logical;
    switch (n.type) {
      case 'record': {
        const record = value as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const f of n.fields ?? []) out[f.name] = convert(f.type, record[f.name]);
        return out;
      }
      case 'array':
        return (value as unknown[]).map((v) => convert(n.items, v));
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = convert(n.values, v);
        return out;
      }
      default:
        return typeof n.type === 'string' || typeof n.type === 'object' ? convert(n.type, value) : value;
    }
  };
  return (value) => convert(schema, value);
}

function logicalValue(node: SchemaNode, value: unknown): unknown {
  const whole = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : undefined;
  switch (node.logicalType) {
    case 'timestamp-millis':
      return whole === undefined ? undefined : `${microsIso(whole * 1000n)}Z`;
    case 'timestamp-micros':
      return whole === undefined ? undefined : `${microsIso(whole)}Z`;
    case 'local-timestamp-millis':
      return whole === undefined ? undefined : microsIso(whole * 1000n);
    case 'local-timestamp-micros':
      return whole === undefined ? undefined : microsIso(whole);
    case 'date':
      return whole === undefined ? undefined : microsIso(whole * 86_400_000_000n).slice(0, 10);
    case 'time-millis':
      return whole === undefined ? undefined : microsIso(whole * 1000n).slice(11);
    case 'time-micros':
      return whole === undefined ? undefined : microsIso(whole).slice(11);
    case 'decimal':
      return Buffer.isBuffer(value) ? decimalText(value, node.scale ?? 0) : undefined;
    default:
      return undefined;
  }
}

/** µs since the epoch → `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC, no zone designator). */
function microsIso(micros: bigint): string {
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const seconds = (micros - fraction) / 1_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return `${iso.slice(0, iso.indexOf('.'))}.${String(fraction).padStart(6, '0')}`;
}

/** Two's-complement big-endian unscaled bytes → decimal text. */
function decimalText(bytes: Buffer, scale: number): string {
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  if (bytes.length > 0 && (bytes[0] ?? 0) & 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** The key avsc uses for a union branch: the (short) name of a named type, else the type name. */
function branchName(branch: unknown): string | undefined {
  if (typeof branch === 'string') return shortName(branch);
  if (typeof branch !== 'object' || branch === null) return undefined;
  const node = branch as SchemaNode;
  if ((node.type === 'record' || node.type === 'enum' || node.type === 'fixed' || node.type === 'error') && node.name) return shortName(node.name);
  return typeof node.type === 'string' ? shortName(node.type) : branchName(node.type);
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Named types by short and full name, so references (`"type": "Address"`) resolve. */
function collectNames(node: unknown, into: Map<string, unknown>): void {
  if (Array.isArray(node)) {
    for (const b of node) collectNames(b, into);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const n = node as SchemaNode & { readonly namespace?: string };
  if (n.name && (n.type === 'record' || n.type === 'enum' || n.type === 'fixed' || n.type === 'error')) {
    into.set(n.name, node);
    into.set(shortName(n.name), node);
    if (n.namespace) into.set(`${n.namespace}.${n.name}`, node);
  }
  for (const f of n.fields ?? []) collectNames(f.type, into);
  collectNames(n.items, into);
  collectNames(n.values, into);
  if (typeof n.type === 'object') collectNames(n.type, into);
}
