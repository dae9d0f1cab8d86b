/**
 * ISO-8601 date, time and timestamp text, parsed strictly and rewritten in the canonical form
 * DuckDB casts without guessing (`2024-01-31`, `10:00:00.123456`, `2024-01-31 10:00:00.123456+00`).
 *
 * Accepted: `YYYY-MM-DD`; `HH:MM[:SS[.f{1,9}]]`; a date and a time joined by `T` or a space, with an
 * optional zone `Z`, `±HH`, `±HHMM` or `±HH:MM`. Fractions beyond microseconds are truncated.
 * Calendar dates are checked (`2023-02-29` is invalid), years are 0001–9999.
 *
 * Gotcha: JavaScript's `Date.parse` accepts far more (and loses microseconds), so it is never used.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export interface ParsedDateTime {
  /** `YYYY-MM-DD HH:MM:SS.ffffff`, the wall time as written. */
  readonly local: string;
  /** Offset from UTC in minutes, when the text carries a zone. */
  readonly offsetMinutes?: number;
}

/** `YYYY-MM-DD` when `text` is a valid calendar date, else undefined. */
export function parseDate(text: string): string | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return text;
}

/** `HH:MM:SS.ffffff` when `text` is a valid time of day, else undefined. */
export function parseTime(text: string): string | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '').padEnd(6, '0').slice(0, 6)}`;
}

export function parseDateTime(text: string): ParsedDateTime | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const date = parseDate(m[1] ?? '');
  const time = parseTime(m[2] ?? '');
  if (date === undefined || time === undefined) return undefined;
  const local = `${date} ${time}`;
  const zone = m[3];
  if (zone === undefined) return { local };
  if (zone === 'Z' || zone === 'z') return { local, offsetMinutes: 0 };
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 18 || minutes > 59) return undefined;
  return { local, offsetMinutes: (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) };
}

/** The canonical text DuckDB reads for `timestamptz` (the offset kept, so no time-zone setting matters). */
export function timestamptzText(parsed: ParsedDateTime): string {
  const offset = parsed.offsetMinutes ?? 0;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${parsed.local}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
