/**
 * DuckDB's date and timestamp text (the engine's value forms, src/engine/duckdb/value-forms.ts)
 * to epoch numbers for Arrow, and epoch numbers back to ISO 8601 text for JSON and CSV pages.
 *
 * The engine hands dates and timestamps over as DuckDB renders them, which is more varied than
 * ISO: years beyond 9999 (`12000-01-01`), BC years (`0045-03-15 (BC) 10:00:00`, where 1 BC is
 * year 0), `infinity` / `-infinity`, a zone offset on TIMESTAMPTZ (`+00`, `+05:30`) and up to nine
 * fraction digits (TIMESTAMP_NS). Arithmetic is done on the proleptic Gregorian calendar with
 * bigint, so nothing is rounded the way a JS `Date` (milliseconds, ±275k years) would round it.
 *
 * Infinities map to DuckDB's own sentinels (±(2^63 - 1) for timestamps, ±(2^31 - 1) for dates)
 * and render back as `infinity` / `-infinity`.
 *
 * @example
 *   timestampToEpoch('2024-01-31 10:15:00.5+00', 'us'); // 1706696100500000n
 *   epochToIsoTimestamp(1706696100500000n, 'us', true); // '2024-01-31T10:15:00.5Z'
 */
import { StrataError } from '../../core/index.ts';

export type TimestampUnit = 'us' | 'ns';

export const TIMESTAMP_INFINITY = 2n ** 63n - 1n;
export const DATE_INFINITY = 2 ** 31 - 1;

const UNITS_PER_SECOND: Record<TimestampUnit, bigint> = { us: 1_000_000n, ns: 1_000_000_000n };
const FRACTION_DIGITS: Record<TimestampUnit, number> = { us: 6, ns: 9 };
const SECONDS_PER_DAY = 86_400n;

const DATE_TIME =
  /^(\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

interface ParsedDateTime {
  readonly days: number;
  readonly secondOfDay: number;
  /** Fraction digits as written, e.g. '1234' for .1234 seconds. */
  readonly fraction: string;
  /** Seconds east of UTC. */
  readonly offsetSeconds: number;
}

function invalid(what: string, text: string): StrataError {
  return new StrataError(
    'INVALID_ARGUMENT',
    `Cannot store ${what} value ${JSON.stringify(text)}: expected DuckDB's text form such as '2024-01-31 10:15:00.123456'.`,
    { value: text },
  );
}

/** Days since 1970-01-01 of a proleptic Gregorian date; `year` is astronomical (1 BC = 0). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The inverse of `daysFromCivil`. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function parseDateTime(what: string, raw: string): ParsedDateTime {
  const bc = raw.includes(' (BC)');
  const text = bc ? raw.replace(' (BC)', '') : raw;
  const match = DATE_TIME.exec(text);
  if (match === null) throw invalid(what, raw);
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om, os] = match;
  const written = Number(y);
  const year = bc ? 1 - written : written;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) {
    throw invalid(what, raw);
  }
  const offset = zulu === undefined && sign !== undefined ? Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0) : 0;
  return {
    days: daysFromCivil(year, month, day),
    secondOfDay: hour * 3600 + minute * 60 + second,
    fraction: fraction ?? '',
    offsetSeconds: sign === '-' ? -offset : offset,
  };
}

/** Days since the epoch of a DuckDB DATE text (`'2024-01-31'`, `'0044-03-15 (BC)'`, `'infinity'`). */
export function dateToEpochDays(text: string): number {
  if (text === 'infinity') return DATE_INFINITY;
  if (text === '-infinity') return -DATE_INFINITY;
  const parsed = parseDateTime('DATE', text);
  if (parsed.secondOfDay !== 0 || parsed.fraction !== '' || parsed.offsetSeconds !== 0) throw invalid('DATE', text);
  return parsed.days;
}

/**
 * Microseconds (or nanoseconds) since the epoch, UTC, of a DuckDB TIMESTAMP or TIMESTAMPTZ text.
 * Gotcha: a fraction finer than the unit is refused rather than truncated, so storage stays exact.
 */
export function timestampToEpoch(text: string, unit: TimestampUnit): bigint {
  if (text === 'infinity') return TIMESTAMP_INFINITY;
  if (text === '-infinity') return -TIMESTAMP_INFINITY;
  const parsed = parseDateTime('TIMESTAMP', text);
  const digits = FRACTION_DIGITS[unit];
  if (parsed.fraction.length > digits) throw invalid('TIMESTAMP', text);
  const seconds = BigInt(parsed.days) * SECONDS_PER_DAY + BigInt(parsed.secondOfDay - parsed.offsetSeconds);
  return seconds * UNITS_PER_SECOND[unit] + BigInt(parsed.fraction.padEnd(digits, '0') || '0');
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** ISO 8601 year: four digits for 0000–9999, otherwise the expanded `±YYYYYY` form. */
function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4);
  return `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;
}

/** `YYYY-MM-DD` (ISO 8601, astronomical years) of days since the epoch. */
export function epochDaysToIsoDate(days: number): string {
  if (days === DATE_INFINITY) return 'infinity';
  if (days === -DATE_INFINITY) return '-infinity';
  const { year, month, day } = civilFromDays(days);
  return `${isoYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]` of an epoch value, with `Z` when the column is zoned. The
 * fraction keeps every significant digit and drops trailing zeros.
 */
export function epochToIsoTimestamp(value: bigint, unit: TimestampUnit, utc: boolean): string {
  if (value === TIMESTAMP_INFINITY) return 'infinity';
  if (value === -TIMESTAMP_INFINITY) return '-infinity';
  const perDay = SECONDS_PER_DAY * UNITS_PER_SECOND[unit];
  let days = value / perDay;
  let within = value % perDay;
  if (within < 0n) {
    within += perDay;
    days -= 1n;
  }
  const perSecond = UNITS_PER_SECOND[unit];
  const secondOfDay = Number(within / perSecond);
  const fraction = String(within % perSecond)
    .padStart(FRACTION_DIGITS[unit], '0')
    .replace(/0+$/, '');
  const time = `${pad(Math.floor(secondOfDay / 3600), 2)}:${pad(Math.floor(secondOfDay / 60) % 60, 2)}:${pad(secondOfDay % 60, 2)}`;
  return `${epochDaysToIsoDate(Number(days))}T${time}${fraction === '' ? '' : `.${fraction}`}${utc ? 'Z' : ''}`;
}
