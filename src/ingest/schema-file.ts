/**
 * The `--schema` file: a JSON file in one of three shapes (docs/ingest.md):
 *
 * 1. Iceberg's own schema JSON (`{"type": "struct", "fields": [{"id": 1, "name": "id", "required":
 *    true, "type": "long"}, …]}`), ids kept — e.g. copied from a table's metadata file.
 * 2. A column list: `{"columns": [{"name": "id", "type": "long", "required": true}, {"name": "tags",
 *    "type": "list<string>"}]}` (or just the array).
 * 3. A name → type object: `{"id": "long not null", "ts": "timestamptz", "total": "decimal(12, 2)"}`.
 *
 * In shapes 2 and 3 types are written as text: the primitives (`boolean int long float double date
 * time timestamp timestamptz string uuid binary`), `decimal(P, S)`, `fixed[L]`, `list<T>`,
 * `map<K, V>` and `struct<name: T, …>`; ids are assigned in order; nested fields and elements are
 * optional. A column is required when `"required": true` or its type text ends in `not null`.
 */
import { StrataError, messageOf, parseJson } from '../core/index.ts';
import type { IcebergType, NestedField } from '../table/index.ts';
import { PRIMITIVE_TYPE_NAMES, Types, field, schemaFromJson } from '../table/index.ts';

export function parseSchemaFile(text: string, path: string): readonly NestedField[] {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (error) {
    throw invalid(path, `it is not valid JSON (${messageOf(error)})`);
  }
  try {
    if (json !== null && typeof json === 'object' && !Array.isArray(json) && (json as Record<string, unknown>)['type'] === 'struct') {
      const obj = json as Record<string, unknown>;
      return schemaFromJson({ 'schema-id': 0, ...obj }).fields;
    }
    const ids = { next: 1 };
    const columns = columnSpecs(json, path);
    const topIds = columns.map(() => ids.next++);
    const seen = new Set<string>();
    return columns.map((c, i) => {
      if (seen.has(c.name)) throw invalid(path, `column "${c.name}" appears twice`);
      seen.add(c.name);
      const { type, required } = parseTypeText(c.type, ids, path, c.name);
      return field(topIds[i] ?? 0, c.name, type, c.required || required, ...(c.doc === undefined ? [] : [c.doc]));
    });
  } catch (error) {
    if (StrataError.is(error, 'INVALID_SCHEMA')) {
      throw error.message.startsWith(path) ? error : invalid(path, error.message);
    }
    throw error;
  }
}

interface ColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly doc?: string;
}

function columnSpecs(json: unknown, path: string): ColumnSpec[] {
  const list = Array.isArray(json) ? json : json !== null && typeof json === 'object' ? (json as Record<string, unknown>)['columns'] : undefined;
  if (Array.isArray(list)) {
    return list.map((c: unknown, i) => {
      if (c === null || typeof c !== 'object') throw invalid(path, `column ${i + 1} must be an object with "name" and "type"`);
      const o = c as Record<string, unknown>;
      if (typeof o['name'] !== 'string' || o['name'] === '') throw invalid(path, `column ${i + 1} needs a string "name"`);
      if (typeof o['type'] !== 'string') throw invalid(path, `column "${o['name']}" needs a "type" written as text, e.g. "long" or "list<string>"`);
      const spec: ColumnSpec = { name: o['name'], type: o['type'], required: o['required'] === true };
      return typeof o['doc'] === 'string' ? { ...spec, doc: o['doc'] } : spec;
    });
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    return Object.entries(json as Record<string, unknown>).map(([name, type]) => {
      if (typeof type !== 'string') throw invalid(path, `the type of "${name}" must be text, e.g. "long" or "decimal(10, 2)"`);
      return { name, type, required: false };
    });
  }
  throw invalid(path, 'expected an Iceberg schema object, {"columns": [...]}, a column array or a {"name": "type"} object');
}

/** Parse type text (`list<struct<a: int>> not null`). */
export function parseTypeText(text: string, ids: { next: number }, path: string, column: string): { type: IcebergType; required: boolean } {
  let rest = text.trim();
  let required = false;
  const notNull = /\s+not\s+null$/i.exec(rest);
  if (notNull) {
    required = true;
    rest = rest.slice(0, notNull.index);
  }
  const parser = new TypeTextParser(rest, ids, (msg) => invalid(path, `column "${column}": ${msg} in type "${text}"`));
  const type = parser.type();
  parser.end();
  return { type, required };
}

class TypeTextParser {
  #pos = 0;
  readonly #text: string;
  readonly #ids: { next: number };
  readonly #fail: (message: string) => StrataError;

  constructor(text: string, ids: { next: number }, fail: (message: string) => StrataError) {
    this.#text = text;
    this.#ids = ids;
    this.#fail = fail;
  }

  type(): IcebergType {
    const word = this.#word().toLowerCase();
    switch (word) {
      case 'decimal': {
        this.#expect('(');
        const p = this.#int();
        this.#expect(',');
        const s = this.#int();
        this.#expect(')');
        if (p < 1 || p > 38 || s > p) throw this.#fail(`decimal(${p}, ${s}) is out of range (precision 1..38, scale ≤ precision)`);
        return Types.decimal(p, s);
      }
      case 'fixed': {
        this.#expect('[');
        const l = this.#int();
        this.#expect(']');
        return Types.fixed(l);
      }
      case 'list': {
        this.#expect('<');
        const elementId = this.#ids.next++;
        const element = this.type();
        this.#expect('>');
        return Types.list(elementId, element);
      }
      case 'map': {
        this.#expect('<');
        const keyId = this.#ids.next++;
        const valueId = this.#ids.next++;
        const key = this.type();
        this.#expect(',');
        const value = this.type();
        this.#expect('>');
        return Types.map(keyId, key, valueId, value);
      }
      case 'struct': {
        this.#expect('<');
        const fields: NestedField[] = [];
        while (true) {
          const name = this.#word();
          this.#expect(':');
          const id = this.#ids.next++;
          fields.push(field(id, name, this.type()));
          if (this.#peek() === ',') this.#expect(',');
          else break;
        }
        this.#expect('>');
        return Types.struct(fields);
      }
      default:
        if ((PRIMITIVE_TYPE_NAMES as readonly string[]).includes(word)) return { kind: word as (typeof PRIMITIVE_TYPE_NAMES)[number] };
        throw this.#fail(`unknown type "${word}"`);
    }
  }

  end(): void {
    this.#skip();
    if (this.#pos < this.#text.length) throw this.#fail(`unexpected "${this.#text.slice(this.#pos)}"`);
  }

  #skip(): void {
    while (this.#pos < this.#text.length && /\s/.test(this.#text[this.#pos] ?? '')) this.#pos += 1;
  }

  #peek(): string | undefined {
    this.#skip();
    return this.#text[this.#pos];
  }

  #word(): string {
    this.#skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.#text.slice(this.#pos));
    if (!m) throw this.#fail(`expected a name at position ${this.#pos + 1}`);
    this.#pos += m[0].length;
    return m[0];
  }

  #int(): number {
    this.#skip();
    const m = /^\d+/.exec(this.#text.slice(this.#pos));
    if (!m) throw this.#fail(`expected a number at position ${this.#pos + 1}`);
    this.#pos += m[0].length;
    return Number(m[0]);
  }

  #expect(ch: string): void {
    if (this.#peek() !== ch) throw this.#fail(`expected "${ch}" at position ${this.#pos + 1}`);
    this.#pos += 1;
  }
}

function invalid(path: string, message: string): StrataError {
  return new StrataError('INVALID_SCHEMA', `${path}: ${message}`, { path });
}
