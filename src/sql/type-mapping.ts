/**
 * DuckDB SQL types → Iceberg types, for `CREATE TABLE db.t (col type, …)`, `ALTER TABLE … ADD
 * COLUMN`/`ALTER COLUMN … TYPE` and `CREATE TABLE … AS SELECT` (whose column types DuckDB reports).
 *
 * | DuckDB                                              | Iceberg                |
 * | --------------------------------------------------- | ---------------------- |
 * | BOOLEAN, BOOL                                       | boolean                |
 * | TINYINT, SMALLINT, INTEGER, INT, UTINYINT, USMALLINT | int                    |
 * | BIGINT, LONG, UINTEGER                              | long                   |
 * | FLOAT, REAL                                         | float                  |
 * | DOUBLE                                              | double                 |
 * | DECIMAL(p, s), NUMERIC(p, s) (p ≤ 38); DECIMAL      | decimal(p, s); decimal(18, 3) |
 * | DATE                                                | date                   |
 * | TIME                                                | time                   |
 * | TIMESTAMP, DATETIME, TIMESTAMP_S, TIMESTAMP_MS      | timestamp              |
 * | TIMESTAMPTZ, TIMESTAMP WITH TIME ZONE               | timestamptz            |
 * | VARCHAR, TEXT, STRING, CHAR, ENUM(…)                | string                 |
 * | UUID                                                | uuid                   |
 * | BLOB, BYTEA, VARBINARY                              | binary                 |
 * | T[]                                                 | list<T>                |
 * | STRUCT(a T, …)                                      | struct<a: T, …>        |
 * | MAP(K, V)                                           | map<K, V>              |
 *
 * Refused with UNSUPPORTED_FEATURE (no lossless Iceberg type): HUGEINT, UBIGINT, UHUGEINT, INTERVAL,
 * TIMESTAMP_NS, TIME WITH TIME ZONE, BIT, UNION, fixed-size arrays T[n], VARIANT, GEOMETRY, JSON.
 * Cast such a column in the SELECT (e.g. `CAST(x AS VARCHAR)`) to store it.
 */
import { StrataError } from '../core/index.ts';
import { Types, type IcebergType, type NestedField } from '../table/index.ts';

/** Assigns field ids: a running counter shared by one schema. */
export interface IdSource {
  next(): number;
}

export function idCounter(start = 1): IdSource {
  let id = start;
  return { next: () => id++ };
}

/** Parse a DuckDB type text into an Iceberg type; nested ids come from `ids`. */
export function icebergTypeOf(typeText: string, ids: IdSource, column = '?'): IcebergType {
  const parser = new TypeParser(typeText, ids, column);
  const type = parser.parseType();
  parser.expectEnd();
  return type;
}

/**
 * Top-level fields from (name, DuckDB type) pairs: top-level ids 1..n first, then nested ids, the
 * way Iceberg assigns them, so a table's column ids read naturally.
 */
export function fieldsFromDuckDbColumns(columns: readonly { readonly name: string; readonly type: string; readonly required?: boolean }[]): NestedField[] {
  const top = idCounter(1);
  const topIds = columns.map(() => top.next());
  const nested = idCounter(columns.length + 1);
  return columns.map((c, i) => ({
    id: topIds[i] ?? 0,
    name: c.name,
    required: c.required ?? false,
    type: icebergTypeOf(c.type, nested, c.name),
  }));
}

const SIMPLE: Readonly<Record<string, IcebergType>> = {
  BOOLEAN: Types.boolean,
  BOOL: Types.boolean,
  LOGICAL: Types.boolean,
  TINYINT: Types.int,
  INT1: Types.int,
  SMALLINT: Types.int,
  INT2: Types.int,
  SHORT: Types.int,
  INTEGER: Types.int,
  INT: Types.int,
  INT4: Types.int,
  SIGNED: Types.int,
  UTINYINT: Types.int,
  USMALLINT: Types.int,
  BIGINT: Types.long,
  INT8: Types.long,
  LONG: Types.long,
  UINTEGER: Types.long,
  FLOAT: Types.float,
  FLOAT4: Types.float,
  REAL: Types.float,
  DOUBLE: Types.double,
  FLOAT8: Types.double,
  DATE: Types.date,
  TIME: Types.time,
  TIMESTAMP: Types.timestamp,
  DATETIME: Types.timestamp,
  TIMESTAMP_S: Types.timestamp,
  TIMESTAMP_MS: Types.timestamp,
  TIMESTAMP_US: Types.timestamp,
  TIMESTAMPTZ: Types.timestamptz,
  VARCHAR: Types.string,
  TEXT: Types.string,
  STRING: Types.string,
  CHAR: Types.string,
  BPCHAR: Types.string,
  NVARCHAR: Types.string,
  UUID: Types.uuid,
  BLOB: Types.binary,
  BYTEA: Types.binary,
  BINARY: Types.binary,
  VARBINARY: Types.binary,
};

class TypeParser {
  readonly #text: string;
  readonly #ids: IdSource;
  readonly #column: string;
  #at = 0;

  constructor(text: string, ids: IdSource, column: string) {
    this.#text = text;
    this.#ids = ids;
    this.#column = column;
  }

  parseType(): IcebergType {
    let type = this.#base();
    for (;;) {
      this.#skip();
      if (this.#text.startsWith('[]', this.#at)) {
        this.#at += 2;
        type = Types.list(this.#ids.next(), type);
      } else if (this.#text[this.#at] === '[') {
        throw this.#unsupported(`fixed-size array ${this.#text}`);
      } else return type;
    }
  }

  expectEnd(): void {
    this.#skip();
    if (this.#at < this.#text.length) throw this.#invalid();
  }

  #base(): IcebergType {
    const word = this.#word().toUpperCase();
    switch (word) {
      case 'DECIMAL':
      case 'NUMERIC': {
        if (!this.#peek('(')) return Types.decimal(18, 3);
        this.#eat('(');
        const precision = Number(this.#word());
        let scale = 0;
        if (this.#peek(',')) {
          this.#eat(',');
          scale = Number(this.#word());
        }
        this.#eat(')');
        if (!Number.isInteger(precision) || precision < 1 || precision > 38 || !Number.isInteger(scale) || scale < 0 || scale > precision) {
          throw this.#invalid();
        }
        return Types.decimal(precision, scale);
      }
      case 'VARCHAR':
      case 'CHAR':
        if (this.#peek('(')) this.#skipParens();
        return Types.string;
      case 'ENUM':
        this.#skipParens();
        return Types.string;
      case 'TIMESTAMP':
      case 'TIME': {
        const save = this.#at;
        const rest = this.#text.slice(this.#at).trimStart().toUpperCase();
        if (rest.startsWith('WITH TIME ZONE')) {
          if (word === 'TIME') throw this.#unsupported('TIME WITH TIME ZONE');
          this.#at = this.#text.length - this.#text.slice(this.#at).trimStart().length + 'WITH TIME ZONE'.length;
          return Types.timestamptz;
        }
        this.#at = save;
        return word === 'TIME' ? Types.time : Types.timestamp;
      }
      case 'STRUCT':
      case 'ROW': {
        this.#eat('(');
        const fields: NestedField[] = [];
        const pending: { name: string; text: string }[] = [];
        do {
          if (pending.length > 0) this.#eat(',');
          const name = this.#identifier();
          const start = this.#at;
          this.#skipType();
          pending.push({ name, text: this.#text.slice(start, this.#at) });
        } while (this.#peek(','));
        this.#eat(')');
        const memberIds = pending.map(() => this.#ids.next());
        pending.forEach((p, i) => {
          fields.push({ id: memberIds[i] ?? 0, name: p.name, required: false, type: icebergTypeOf(p.text, this.#ids, `${this.#column}.${p.name}`) });
        });
        return Types.struct(fields);
      }
      case 'MAP': {
        this.#eat('(');
        const keyStart = this.#at;
        this.#skipType();
        const keyText = this.#text.slice(keyStart, this.#at);
        this.#eat(',');
        const valueStart = this.#at;
        this.#skipType();
        const valueText = this.#text.slice(valueStart, this.#at);
        this.#eat(')');
        const keyId = this.#ids.next();
        const valueId = this.#ids.next();
        return Types.map(keyId, icebergTypeOf(keyText, this.#ids, this.#column), valueId, icebergTypeOf(valueText, this.#ids, this.#column));
      }
      default: {
        const simple = SIMPLE[word];
        if (simple) return simple;
        if (word === '') throw this.#invalid();
        throw this.#unsupported(word);
      }
    }
  }

  /** Skip one type expression (balanced parentheses and brackets) up to a top-level `,` or `)`. */
  #skipType(): void {
    let depth = 0;
    let quoted = false;
    while (this.#at < this.#text.length) {
      const c = this.#text[this.#at];
      if (c === '"') quoted = !quoted;
      else if (!quoted && (c === '(' || c === '[')) depth++;
      else if (!quoted && (c === ')' || c === ']')) {
        if (depth === 0) return;
        depth--;
      } else if (!quoted && c === ',' && depth === 0) return;
      this.#at++;
    }
  }

  #skipParens(): void {
    this.#eat('(');
    let depth = 1;
    while (this.#at < this.#text.length && depth > 0) {
      const c = this.#text[this.#at++];
      if (c === '(') depth++;
      else if (c === ')') depth--;
    }
  }

  #identifier(): string {
    this.#skip();
    if (this.#text[this.#at] === '"') {
      let j = this.#at + 1;
      let out = '';
      while (j < this.#text.length) {
        if (this.#text[j] === '"') {
          if (this.#text[j + 1] === '"') {
            out += '"';
            j += 2;
            continue;
          }
          break;
        }
        out += this.#text[j];
        j++;
      }
      this.#at = j + 1;
      return out;
    }
    return this.#word();
  }

  #word(): string {
    this.#skip();
    const match = /^[A-Za-z0-9_]+/.exec(this.#text.slice(this.#at));
    const word = match?.[0] ?? '';
    this.#at += word.length;
    return word;
  }

  #peek(c: string): boolean {
    this.#skip();
    return this.#text[this.#at] === c;
  }

  #eat(c: string): void {
    if (!this.#peek(c)) throw this.#invalid();
    this.#at++;
  }

  #skip(): void {
    while (this.#at < this.#text.length && /\s/.test(this.#text[this.#at] ?? '')) this.#at++;
  }

  #invalid(): StrataError {
    return new StrataError('INVALID_SCHEMA', `Cannot read the type "${this.#text}" of column ${this.#column}`, { column: this.#column, type: this.#text });
  }

  #unsupported(what: string): StrataError {
    return new StrataError(
      'UNSUPPORTED_FEATURE',
      `Column ${this.#column} has type ${what}, which Iceberg tables cannot store; cast it in the query (e.g. CAST(${this.#column} AS VARCHAR) or AS BIGINT)`,
      { column: this.#column, type: this.#text },
    );
  }
}
