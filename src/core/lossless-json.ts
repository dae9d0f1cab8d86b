/**
 * JSON that keeps 64-bit integers exact. Iceberg snapshot ids are random 63-bit longs and routinely
 * exceed Number.MAX_SAFE_INTEGER, so `JSON.parse` would silently corrupt them. Here every integer
 * literal outside the safe range parses as a `bigint`, and every `bigint` serialises as a bare
 * number literal (never a string), as the Iceberg spec requires.
 */
import { parse, stringify, isInteger } from 'lossless-json';

/** Parse JSON; integers beyond ±2^53 become bigint, everything else is ordinary JS. */
export function parseJson(text: string): unknown {
  return parse(text, null, (value: string) => {
    if (isInteger(value)) {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : BigInt(value);
    }
    return Number(value);
  });
}

/** Serialise JSON; bigint values are written as plain number literals. */
export function stringifyJson(value: unknown, indent?: number): string {
  const text = stringify(value, null, indent);
  if (text === undefined) throw new TypeError('value cannot be serialised to JSON');
  return text;
}

/** Read a JSON value that must be an integer as a bigint (accepts number or bigint). */
export function toBigInt(value: unknown, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new TypeError(`${what} must be an integer, got ${JSON.stringify(String(value))}`);
}

/**
 * A JSON number whose decimal text a double cannot hold exactly (e.g. `123456789012345.6789`),
 * kept as text so a decimal column receives every digit.
 */
export class ExactNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toNumber(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Like `parseJson`, and also keeps non-integer numbers that a double would round as `ExactNumber`.
 * For data (ingested records), where a value may be bound for a high-precision decimal column.
 */
export function parseJsonExact(text: string): unknown {
  return parse(text, null, (value: string) => {
    if (isInteger(value)) {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : BigInt(value);
    }
    const n = Number(value);
    return sameDecimal(String(n), value) ? n : new ExactNumber(value);
  });
}

/** True when two decimal texts denote the same number (compared digit by digit, not as doubles). */
function sameDecimal(a: string, b: string): boolean {
  const normal = (t: string) => {
    const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
    if (!m) return t;
    const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
    const exponent = Number(m[4] ?? 0) - (m[3] ?? '').length;
    const trimmed = digits.replace(/^0+/, '');
    const zeros = trimmed.length - trimmed.replace(/0+$/, '').length;
    const significant = trimmed.replace(/0+$/, '');
    return significant === '' ? '0' : `${m[1]}${significant}e${exponent + zeros}`;
  };
  return normal(a) === normal(b);
}
