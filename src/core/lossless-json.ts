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
