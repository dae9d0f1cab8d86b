/**
 * JSON text for result values, shared by the JSON-text storage of nested columns and by JSON pages,
 * so one rule holds everywhere a result becomes JSON:
 * - bigint → a number when it is a safe integer, otherwise a string (JS clients' `JSON.parse`
 *   would silently round it);
 * - NaN / ±Infinity → the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no literal);
 * - bytes (BLOB) → a base64 string;
 * - objects and arrays recursively (DuckDB STRUCT, LIST, MAP as `[{key, value}]`, UNION, INTERVAL).
 *
 * Gotcha: written by hand rather than with `JSON.stringify`, because Node `Buffer`s (which the
 * DuckDB client returns for BLOBs) have a `toJSON` that would turn them into `{type, data}`.
 */

/** A bigint as JSON: a number literal when safe, else a quoted string. */
export function bigintJson(value: bigint): string {
  const text = String(value);
  return Number.isSafeInteger(Number(value)) ? text : `"${text}"`;
}

/** A double as JSON: the number, or a string for the values JSON cannot spell. */
export function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : `"${String(value)}"`;
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** JSON text of any engine value (src/engine/duckdb/value-forms.ts), by the rules above. */
export function toJsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return numberJson(value);
    case 'bigint':
      return bigintJson(value);
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (value instanceof Uint8Array) return `"${base64(value)}"`;
  if (Array.isArray(value)) return `[${value.map((item: unknown) => toJsonText(item)).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>).map(
      ([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(String(value));
}
