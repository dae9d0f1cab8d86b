/**
 * Parses the min/max strings of DuckDB's `COPY … RETURN_STATS` into Iceberg values (values.ts).
 * DuckDB prints them the way it casts values to VARCHAR, so this is the exact inverse of that
 * text for each type:
 *
 * | type        | DuckDB text                          | value                        |
 * | ----------- | ------------------------------------ | ---------------------------- |
 * | boolean     | `0`, `1`                             | boolean                      |
 * | decimal     | `-148.50`                            | unscaled bigint at the column's scale |
 * | date        | `2024-01-31`, `0044-03-15 (BC)`      | days since epoch             |
 * | time        | `10:00:00.5`                         | micros since midnight        |
 * | timestamp   | `2024-01-05 03:00:00.123456`, `2057-03-15 (BC) 10:00:00` | micros since epoch |
 * | timestamptz | `2024-01-01 00:00:00+00` (offset may be `+05:30`, `-04:56:02`) | micros since epoch (UTC) |
 * | float       | `1.5`, `1e-07`, `inf`, `-inf`        | number (float32-rounded)     |
 * | binary/fixed| hex, `FF00`                          | Uint8Array                   |
 * | uuid        | canonical                            | lowercase canonical          |
 *
 * Gotchas:
 * - RETURN_STATS prints timestamptz in UTC (`+00`) whatever the session `TimeZone` (checked); that
 *   matters because DuckDB's text of a local time drops the seconds of historical offsets
 *   (`1900-01-01 05:21:10+05:21` for Asia/Kolkata's +05:21:10), which no parser can undo.
 * - BC years count from 1 BC = astronomical year 0, so `0044-03-15 (BC)` is year -43.
 *
 * Returns `undefined` for text it cannot read exactly; callers then omit the bound (always safe).
 */
import { daysFromCivil } from '../partition/time-util.ts';
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';

const MICROS_PER_DAY = 86_400_000_000n;
const DATE = /^(\d{4,})-(\d{2})-(\d{2})( \(BC\))?$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const TIMESTAMP = /^(\d{4,}-\d{2}-\d{2}(?: \(BC\))?) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(?:([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?)?$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseStatValue(type: PrimitiveType, text: string): IcebergValue | undefined {
  switch (type.kind) {
    case 'boolean': // RETURN_STATS prints booleans as 0/1
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : undefined;
    case 'int': {
      const n = Number(text);
      return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : undefined;
    }
    case 'long':
      return /^-?\d+$/.test(text) ? BigInt(text) : undefined;
    case 'float': {
      const n = parseFloatText(text);
      return n === undefined ? undefined : Math.fround(n);
    }
    case 'double':
      return parseFloatText(text);
    case 'decimal':
      return parseDecimal(text, type.scale);
    case 'date':
      return parseDate(text);
    case 'time':
      return parseTime(text);
    case 'timestamp':
    case 'timestamptz':
      return parseTimestamp(text, type.kind === 'timestamptz');
    case 'string':
      return text;
    case 'uuid': {
      const lower = text.toLowerCase();
      return UUID.test(lower) ? lower : undefined;
    }
    case 'fixed':
    case 'binary':
      return /^(?:[0-9A-Fa-f]{2})*$/.test(text) ? Uint8Array.from(Buffer.from(text, 'hex')) : undefined;
  }
}

function parseFloatText(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower)) return undefined;
  return Number(lower);
}

function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const [, sign = '', whole = '', rawFraction = ''] = m;
  // Digits beyond the scale are only acceptable when they are zeros (no rounding may happen here).
  const extra = rawFraction.slice(scale);
  if (!/^0*$/.test(extra)) return undefined;
  const fraction = rawFraction.slice(0, scale).padEnd(scale, '0');
  const unscaled = BigInt(whole + fraction);
  return sign === '-' ? -unscaled : unscaled;
}

function parseDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  return daysFromCivil(m[4] === undefined ? year : 1 - year, Number(m[2]), Number(m[3]));
}

function parseTime(text: string): bigint | undefined {
  const m = TIME.exec(text);
  if (m === null) return undefined;
  const seconds = BigInt(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
  return seconds * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
}

function parseTimestamp(text: string, withZone: boolean): bigint | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, datePart = '', timePart = '', offsetSign, offsetH, offsetM, offsetS] = m;
  if ((offsetSign !== undefined) !== withZone) return undefined;
  const days = parseDate(datePart);
  const micros = parseTime(timePart);
  if (days === undefined || micros === undefined) return undefined;
  const local = BigInt(days) * MICROS_PER_DAY + micros;
  if (offsetSign === undefined) return local;
  const offsetSeconds = Number(offsetH) * 3600 + Number(offsetM ?? 0) * 60 + Number(offsetS ?? 0);
  const offset = BigInt(offsetSeconds) * 1_000_000n;
  // Local time = UTC + offset, so UTC = local - offset.
  return offsetSign === '+' ? local - offset : local + offset;
}
