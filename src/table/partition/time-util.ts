/**
 * Calendar arithmetic on Iceberg's epoch-based values (days since 1970-01-01, microseconds since the
 * epoch), proleptic Gregorian and UTC, with floor division so dates before 1970 land in the right
 * day/month/year. Used by the time transforms and by literal conversion.
 */
export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_HOUR = 3_600_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;

/** `a / b` rounded toward negative infinity (JS `/` on bigint truncates toward zero). */
export function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** `a mod b` with the sign of `b` (always ≥ 0 for positive `b`). */
export function floorModBig(a: bigint, b: bigint): bigint {
  return ((a % b) + b) % b;
}

export interface CivilDate {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
}

/** Days since 1970-01-01 → year/month/day (Howard Hinnant's civil_from_days). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Year/month/day → days since 1970-01-01 (inverse of {@link civilFromDays}). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days since the epoch of the day that contains `micros`. */
export function microsToDays(micros: bigint): number {
  return Number(floorDivBig(micros, MICROS_PER_DAY));
}

/** Years since 1970 of the date `days` (1969 → -1). */
export function daysToYears(days: number): number {
  return civilFromDays(days).year - 1970;
}

/** Months since 1970-01 of the date `days` (1969-12 → -1). */
export function daysToMonths(days: number): number {
  const c = civilFromDays(days);
  return (c.year - 1970) * 12 + (c.month - 1);
}

/** Days since the epoch of the first day of month ordinal `months` (inverse of daysToMonths' floor). */
export function monthsToDays(months: number): number {
  const year = 1970 + Math.floor(months / 12);
  const month = (((months % 12) + 12) % 12) + 1;
  return daysFromCivil(year, month, 1);
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/** `2017-11-16` for a day ordinal. */
export function formatDate(days: number): string {
  const c = civilFromDays(days);
  return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}`;
}

/**
 * Time of day as Java's `LocalTime.toString()` prints it: `22:31`, `22:31:08`, `22:31:08.500`,
 * `22:31:08.000001` (seconds only when non-zero, fraction in groups of 3 digits).
 */
export function formatTimeOfDay(microsOfDay: bigint): string {
  const totalSeconds = Number(microsOfDay / MICROS_PER_SECOND);
  const micros = Number(microsOfDay % MICROS_PER_SECOND);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  let out = `${pad(h, 2)}:${pad(m, 2)}`;
  if (s > 0 || micros > 0) {
    out += `:${pad(s, 2)}`;
    if (micros > 0) out += micros % 1000 === 0 ? `.${pad(micros / 1000, 3)}` : `.${pad(micros, 6)}`;
  }
  return out;
}

/** `2017-11-16T22:31:08` (Java `LocalDateTime.toString()`), from microseconds since the epoch. */
export function formatTimestamp(micros: bigint): string {
  const days = floorDivBig(micros, MICROS_PER_DAY);
  return `${formatDate(Number(days))}T${formatTimeOfDay(micros - days * MICROS_PER_DAY)}`;
}
