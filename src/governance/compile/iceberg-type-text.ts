/**
 * Reads the Iceberg type text a `ColumnDecision` carries (`typeToString` output: `long`,
 * `decimal(10, 2)`, `fixed[16]`, `struct<a: int, b: list<string>>`, `map<string, long>`) back into
 * an `IcebergType`, so a dialect can name the engine type a mask casts to. Nested ids are 0: only
 * the shape matters here.
 */
import { StrataError } from '../../core/index.ts';
import { PRIMITIVE_TYPE_NAMES, Types, type IcebergType, type NestedField } from '../../table/index.ts';

const PRIMITIVES: ReadonlySet<string> = new Set(PRIMITIVE_TYPE_NAMES);

/** Parse Iceberg type text; throws INVALID_ARGUMENT when it is not one. */
export function parseIcebergTypeText(text: string): IcebergType {
  const parser = new TypeTextParser(text);
  const type = parser.type();
  parser.end();
  return type;
}

class TypeTextParser {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  type(): IcebergType {
    const word = this.#word().toLowerCase();
    switch (word) {
      case 'decimal': {
        this.#eat('(');
        const precision = this.#integer();
        this.#eat(',');
        const scale = this.#integer();
        this.#eat(')');
        return Types.decimal(precision, scale);
      }
      case 'fixed': {
        this.#eat('[');
        const length = this.#integer();
        this.#eat(']');
        return Types.fixed(length);
      }
      case 'list': {
        this.#eat('<');
        const element = this.type();
        this.#eat('>');
        return Types.list(0, element);
      }
      case 'map': {
        this.#eat('<');
        const key = this.type();
        this.#eat(',');
        const value = this.type();
        this.#eat('>');
        return Types.map(0, key, 0, value);
      }
      case 'struct': {
        this.#eat('<');
        const fields: NestedField[] = [];
        if (!this.#peek('>')) {
          do {
            if (fields.length > 0) this.#eat(',');
            const name = this.#fieldName();
            this.#eat(':');
            fields.push({ id: 0, name, required: false, type: this.type() });
          } while (this.#peek(','));
        }
        this.#eat('>');
        return Types.struct(fields);
      }
      default:
        if (PRIMITIVES.has(word)) return { kind: word } as IcebergType;
        throw this.#invalid();
    }
  }

  end(): void {
    this.#skip();
    if (this.#at < this.#text.length) throw this.#invalid();
  }

  /** A struct field name: everything up to the `:` (typeToString does not quote names). */
  #fieldName(): string {
    this.#skip();
    const colon = this.#text.indexOf(':', this.#at);
    if (colon < 0) throw this.#invalid();
    const name = this.#text.slice(this.#at, colon).trim();
    this.#at = colon;
    return name;
  }

  #word(): string {
    this.#skip();
    const word = /^[A-Za-z]+/.exec(this.#text.slice(this.#at))?.[0] ?? '';
    this.#at += word.length;
    return word;
  }

  #integer(): number {
    this.#skip();
    const digits = /^[0-9]+/.exec(this.#text.slice(this.#at))?.[0];
    if (digits === undefined) throw this.#invalid();
    this.#at += digits.length;
    return Number(digits);
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
    return new StrataError('INVALID_ARGUMENT', `"${this.#text}" is not an Iceberg type (expected e.g. long, decimal(10, 2), list<string>)`, {
      type: this.#text,
    });
  }
}
