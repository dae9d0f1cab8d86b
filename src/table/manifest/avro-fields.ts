/**
 * Reading Avro records by Iceberg field id instead of by name.
 *
 * Why: Iceberg resolves columns by id; names in manifests differ between writers and versions (e.g.
 * `added_files_count` vs `added_data_files_count` for id 504; partition names sanitised for Avro).
 * avsc decodes with the writer's schema into objects keyed by the writer's names, so this maps each
 * id to the writer's name once per file, then looks values up through that map.
 */
import type { AvroSchemaJson } from './avro-types.ts';

export interface AvroField {
  readonly name: string;
  /** The field's schema with a `["null", T]` union unwrapped and named references resolved. */
  readonly schema: AvroSchemaJson;
  readonly optional: boolean;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Every named type of a parsed Avro schema, so references by name can be followed. */
export class AvroSchemaIndex {
  private readonly named = new Map<string, AvroSchemaJson>();

  constructor(root: unknown) {
    this.collect(root, '');
  }

  /** Unwrap `["null", T]` and follow a reference to a named type. */
  resolve(schema: unknown): { schema: AvroSchemaJson; optional: boolean } {
    let optional = false;
    let s = schema;
    if (Array.isArray(s)) {
      const branches = s.filter((b) => b !== 'null');
      optional = branches.length < s.length;
      s = branches.length === 1 ? branches[0] : branches;
    }
    if (typeof s === 'string' && !PRIMITIVES.has(s)) s = this.named.get(s) ?? this.named.get(s.split('.').pop() ?? s) ?? s;
    return { schema: s as AvroSchemaJson, optional };
  }

  /** The fields of a record schema that carry a `field-id`, by that id. */
  fields(record: unknown): ReadonlyMap<number, AvroField> {
    const out = new Map<number, AvroField>();
    const { schema } = this.resolve(record);
    const fields = isObject(schema) ? schema['fields'] : undefined;
    if (!Array.isArray(fields)) return out;
    for (const f of fields as unknown[]) {
      if (!isObject(f) || typeof f['name'] !== 'string') continue;
      const id = f['field-id'];
      if (typeof id !== 'number') continue;
      out.set(id, { name: f['name'], ...this.resolve(f['type']) });
    }
    return out;
  }

  private collect(schema: unknown, namespace: string): void {
    if (Array.isArray(schema)) {
      for (const s of schema) this.collect(s, namespace);
      return;
    }
    if (!isObject(schema)) return;
    const type = schema['type'];
    if (type === 'record' || type === 'error' || type === 'fixed' || type === 'enum') {
      const name = String(schema['name']);
      const ns = typeof schema['namespace'] === 'string' ? schema['namespace'] : namespace;
      this.named.set(name, schema);
      if (ns !== '' && !name.includes('.')) this.named.set(`${ns}.${name}`, schema);
      if (Array.isArray(schema['fields'])) for (const f of schema['fields'] as unknown[]) if (isObject(f)) this.collect(f['type'], ns);
    } else if (type === 'array') this.collect(schema['items'], namespace);
    else if (type === 'map') this.collect(schema['values'], namespace);
    else if (typeof type === 'object') this.collect(type, namespace);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One decoded record, read by field id. `required` throws `fail(...)` when the field is missing or
 * null, so a file without a field the spec requires never yields a half-filled model.
 */
export class RecordView {
  constructor(
    private readonly fields: ReadonlyMap<number, AvroField>,
    private readonly record: unknown,
    private readonly fail: (why: string) => Error,
  ) {
    if (!isObject(record)) throw fail('a record is not a record');
  }

  optional(id: number): unknown {
    const f = this.fields.get(id);
    if (f === undefined) return null;
    return (this.record as Record<string, unknown>)[f.name] ?? null;
  }

  required(id: number, name: string): unknown {
    const value = this.optional(id);
    if (value === null) throw this.fail(`required field ${name} (field id ${id}) is missing or null`);
    return value;
  }
}

/** Throw `fail(...)` unless every listed id is a field of the record schema. */
export function requireFieldIds(
  fields: ReadonlyMap<number, AvroField>,
  required: readonly (readonly [number, string])[],
  where: string,
  fail: (why: string) => Error,
): void {
  const missing = required.filter(([id]) => !fields.has(id)).map(([id, name]) => `${name} (field id ${id})`);
  if (missing.length > 0) throw fail(`the ${where} schema lacks required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
}

/** A long count or size as a number; beyond 2^53 (9 PB) it cannot be a real count. */
export function toCount(value: unknown, what: string, fail: (why: string) => Error): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw fail(`${what} is not an integer within ±2^53`);
  return n;
}

export function optionalLong(value: unknown, what: string, fail: (why: string) => Error): bigint | null {
  if (value === null) return null;
  if (typeof value !== 'bigint') throw fail(`${what} is not a long`);
  return value;
}

export function toBytes(value: unknown, what: string, fail: (why: string) => Error): Uint8Array {
  if (!(value instanceof Uint8Array)) throw fail(`${what} is not bytes`);
  return Uint8Array.from(value);
}
