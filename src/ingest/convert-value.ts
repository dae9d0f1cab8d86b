/**
 * Validates one input value against its Iceberg column type and converts it to the JSON form the
 * staging NDJSON file carries to DuckDB (which then casts it with the column's explicit type).
 * Everything that could make DuckDB's cast fail is checked here, per record, so a bad value
 * quarantines its record instead of failing a batch.
 *
 * Staged forms: int/float/double → JSON number (NaN/±Infinity as strings); long and decimal →
 * decimal text (exact, no 2^53 limit); date/time/timestamp(tz) → canonical ISO text
 * (time-text.ts); binary/fixed → base64 text (decoded in SQL); struct → object; list → array;
 * map → object (string keys) or array of `{key, value}`.
 *
 * Coercions (documented in docs/ingest.md): numeric text is accepted for numeric columns
 * ("42" → 42), `true/false/1/0` text for booleans, numbers and booleans for strings. In text mode
 * (CSV cells) a nested column's cell is parsed as JSON.
 */
import { ExactNumber, parseJson } from '../core/index.ts';
import type { IcebergType, NestedField } from '../table/index.ts';
import { typeToString } from '../table/index.ts';
import { BadRecord } from './bad-record.ts';
import { parseDate, parseDateTime, parseTime, timestamptzText } from './time-text.ts';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const FLOAT_MAX = 3.4028234663852886e38;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SPECIAL_FLOATS: Readonly<Record<string, string>> = {
  nan: 'NaN',
  infinity: 'Infinity',
  inf: 'Infinity',
  '+infinity': 'Infinity',
  '+inf': 'Infinity',
  '-infinity': '-Infinity',
  '-inf': '-Infinity',
};

/**
 * Convert a record's top-level values (an object) to staged form. `textMode` is for CSV, where
 * every cell is text. Throws BadRecord.
 */
export function convertRecord(
  fields: readonly NestedField[],
  record: Readonly<Record<string, unknown>>,
  options: { readonly textMode: boolean; readonly unknownFields: 'quarantine' | 'ignore'; readonly known: ReadonlySet<string> },
): Record<string, unknown> {
  if (options.unknownFields === 'quarantine') {
    for (const key of Object.keys(record)) {
      if (!options.known.has(key) && record[key] !== null && record[key] !== undefined) {
        throw new BadRecord('UNKNOWN_FIELD', `field "${key}" is not a column of the table; add it to the schema (ALTER TABLE … ADD COLUMN) or ingest with unknownFields: 'ignore'`);
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const value = convertField(f, record[f.name], f.name, options.textMode);
    if (value !== null) out[f.name] = value;
  }
  return out;
}

function convertField(f: NestedField, value: unknown, path: string, textMode: boolean): unknown {
  if (value === null || value === undefined) {
    if (f.required) throw new BadRecord('MISSING_REQUIRED', `required column ${path} is missing or null`);
    return null;
  }
  return convertValue(f.type, value, path, textMode);
}

export function convertValue(type: IcebergType, value: unknown, path: string, textMode = false): unknown {
  const mismatch = (): BadRecord => new BadRecord('TYPE_MISMATCH', `column ${path}: ${describe(value)} is not a ${typeToString(type)}`);
  switch (type.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') {
        const t = value.trim().toLowerCase();
        if (t === 'true' || t === '1') return true;
        if (t === 'false' || t === '0') return false;
      }
      throw mismatch();
    case 'int':
    case 'long': {
      const n = integerOf(value);
      if (n === undefined) throw mismatch();
      const [min, max] = type.kind === 'int' ? [BigInt(INT_MIN), BigInt(INT_MAX)] : [LONG_MIN, LONG_MAX];
      if (n < min || n > max) throw new BadRecord('OUT_OF_RANGE', `column ${path}: ${String(n)} is outside the range of ${type.kind} (${String(min)}..${String(max)})`);
      return type.kind === 'int' ? Number(n) : String(n);
    }
    case 'float':
    case 'double': {
      const n = floatOf(value);
      if (n === undefined) throw mismatch();
      if (typeof n === 'string') return n;
      if (type.kind === 'float' && Math.abs(n) > FLOAT_MAX) throw new BadRecord('OUT_OF_RANGE', `column ${path}: ${n} is outside the range of float`);
      return n;
    }
    case 'decimal':
      return decimalOf(value, type.precision, type.scale, path, mismatch);
    case 'date': {
      if (typeof value !== 'string') throw mismatch();
      const d = parseDate(value.trim());
      if (d === undefined) throw new BadRecord('INVALID_DATE', `column ${path}: "${clip(value)}" is not a valid date (YYYY-MM-DD)`);
      return d;
    }
    case 'time': {
      if (typeof value !== 'string') throw mismatch();
      const t = parseTime(value.trim());
      if (t === undefined) throw new BadRecord('INVALID_DATE', `column ${path}: "${clip(value)}" is not a valid time (HH:MM:SS[.ffffff])`);
      return t;
    }
    case 'timestamp':
    case 'timestamptz': {
      if (typeof value !== 'string') throw mismatch();
      const text = value.trim();
      const parsed = parseDateTime(text) ?? (parseDate(text) !== undefined ? parseDateTime(`${text}T00:00:00`) : undefined);
      if (parsed === undefined) throw new BadRecord('INVALID_DATE', `column ${path}: "${clip(value)}" is not a valid ISO-8601 timestamp`);
      if (type.kind === 'timestamptz') return timestamptzText(parsed);
      if (parsed.offsetMinutes !== undefined && parsed.offsetMinutes !== 0) {
        throw new BadRecord('INVALID_DATE', `column ${path}: "${clip(value)}" has a UTC offset but the column is a timestamp without time zone; use timestamptz`);
      }
      return parsed.local;
    }
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value instanceof ExactNumber) return String(value);
      throw mismatch();
    case 'uuid':
      if (typeof value === 'string' && UUID_TEXT.test(value.trim())) return value.trim().toLowerCase();
      throw mismatch();
    case 'binary':
    case 'fixed': {
      if (typeof value !== 'string' || !BASE64_TEXT.test(value)) throw new BadRecord('TYPE_MISMATCH', `column ${path}: expected base64 text for ${typeToString(type)}`);
      if (type.kind === 'fixed' && Buffer.from(value, 'base64').length !== type.length) {
        throw new BadRecord('OUT_OF_RANGE', `column ${path}: ${typeToString(type)} needs exactly ${type.length} bytes`);
      }
      return value;
    }
    case 'struct': {
      const obj = nestedInput(value, textMode);
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw mismatch();
      const rec = obj as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const child of type.fields) {
        const v = convertField(child, rec[child.name], `${path}.${child.name}`, false);
        if (v !== null) out[child.name] = v;
      }
      return out;
    }
    case 'list': {
      const arr = nestedInput(value, textMode);
      if (!Array.isArray(arr)) throw mismatch();
      return arr.map((e: unknown, i) => {
        if (e === null || e === undefined) {
          if (type.elementRequired) throw new BadRecord('MISSING_REQUIRED', `column ${path}[${i}]: null element in a list of required elements`);
          return null;
        }
        return convertValue(type.element, e, `${path}[${i}]`);
      });
    }
    case 'map': {
      const m = nestedInput(value, textMode);
      const entries: [unknown, unknown][] = Array.isArray(m)
        ? m.map((e: unknown) => {
            if (e === null || typeof e !== 'object' || !('key' in e)) throw mismatch();
            return [(e as { key: unknown }).key, (e as { value?: unknown }).value ?? null];
          })
        : m !== null && typeof m === 'object'
          ? Object.entries(m as Record<string, unknown>)
          : (() => {
              throw mismatch();
            })();
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        if (k === null || k === undefined) throw new BadRecord('MISSING_REQUIRED', `column ${path}: null map key`);
        const key = convertValue(type.key, k, `${path} key`, true);
        if (v === null && type.valueRequired) throw new BadRecord('MISSING_REQUIRED', `column ${path}[${String(key)}]: null value in a map of required values`);
        out[String(key)] = v === null ? null : convertValue(type.value, v, `${path}[${String(key)}]`);
      }
      return out;
    }
  }
}

function nestedInput(value: unknown, textMode: boolean): unknown {
  if (!textMode || typeof value !== 'string') return value;
  try {
    return parseJson(value);
  } catch {
    return value; // reported as a type mismatch by the caller
  }
}

function integerOf(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return BigInt(value.trim());
  return undefined;
}

function floatOf(value: unknown): number | string | undefined {
  if (value instanceof ExactNumber) return value.toNumber();
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  if (NUMBER_TEXT.test(t)) {
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return SPECIAL_FLOATS[t.toLowerCase()];
}

function decimalOf(value: unknown, precision: number, scale: number, path: string, mismatch: () => BadRecord): string {
  const text =
    typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'bigint' || value instanceof ExactNumber ? String(value) : undefined;
  const m = text === undefined ? null : DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw mismatch();
  const intDigits = (m[2] ?? '').replace(/^0+/, '');
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  if (fraction.length > scale) {
    throw new BadRecord('OUT_OF_RANGE', `column ${path}: ${text} has ${fraction.length} decimal places; decimal(${precision}, ${scale}) allows ${scale}`);
  }
  if (intDigits.length > precision - scale) {
    throw new BadRecord('OUT_OF_RANGE', `column ${path}: ${text} has too many digits for decimal(${precision}, ${scale})`);
  }
  return `${m[1] === '-' ? '-' : ''}${intDigits || '0'}${fraction ? `.${fraction}` : ''}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${clip(value)}"`;
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
