/**
 * How one value of a result becomes text (table, CSV) or JSON (JSON lines, Parquet staging).
 *
 * Rules shared by every format, so the same query prints the same values everywhere:
 * - bigint → its exact digits (JSON: a bare number literal, never rounded and never a string —
 *   read it with a lossless parser if you need more than 2^53);
 * - Uint8Array (binary, fixed) → lowercase hex;
 * - Date → ISO 8601 in UTC;
 * - structs, lists, maps (objects, arrays) → JSON text in table and CSV output.
 */
import { stringifyJson } from '../../core/index.ts';

/** A JSON-serialisable (via core's lossless `stringifyJson`) form of the value. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return String(value);
}

/** The value as text, or null for SQL NULL (each format shows NULL its own way). */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  const json = toJsonValue(value);
  return typeof json === 'string' ? json : stringifyJson(json);
}

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)\b/i;

/** Numbers are right-aligned in tables: by the column's SQL type when known, else by the JS value. */
export function isNumericColumn(type: string | undefined, sample: unknown): boolean {
  if (type !== undefined && type !== '') return NUMERIC_TYPE.test(type.trim());
  return typeof sample === 'number' || typeof sample === 'bigint';
}
