/**
 * Converting a caller's JS literal into the Iceberg value of a column's type (see schema/values.ts),
 * so predicates compare like with like. Accepted inputs per column type:
 *
 * | column          | accepts                                                                    |
 * | --------------- | -------------------------------------------------------------------------- |
 * | boolean         | boolean, 'true' / 'false'                                                  |
 * | int, long       | integer number, bigint, integer string (long → bigint)                     |
 * | float, double   | number, bigint, numeric string (float → rounded to 32 bits)                |
 * | decimal(P, S)   | number, bigint, decimal string '12.34' → unscaled bigint (≤ S places)      |
 * | date            | days number, 'YYYY-MM-DD', Date (its UTC day)                              |
 * | time            | micros bigint/number, 'HH:MM[:SS[.ffffff]]'                                |
 * | timestamp[tz]   | micros bigint, Date, ISO string (timestamp: no offset; timestamptz: offset or UTC) |
 * | string          | string                                                                     |
 * | uuid            | uuid string (normalised to lowercase)                                      |
 * | fixed, binary   | Uint8Array                                                                 |
 *
 * Anything else throws INVALID_ARGUMENT naming the column and the expected type.
 */
import { StrataError } from '../../core/index.ts';
import type { PrimitiveType } from '../schema/types.ts';
import { primitiveToString } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { uuidToBytes } from '../serde/single-value.ts';
import { daysFromCivil, MICROS_PER_DAY } from '../partition/time-util.ts';
import type { LiteralInput } from './expression.ts';

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** The value of `input` as column `column` of `type` holds it. */
export function convertLiteral(type: PrimitiveType, input: LiteralInput, column: string): Exclude<IcebergValue, null> {
  const fail = (why: string): never => {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Cannot compare column "${column}" (${primitiveToString(type)}) with ${describe(input)}: ${why}`,
      { column, type: primitiveToString(type) },
    );
  };
  switch (type.kind) {
    case 'boolean':
      if (typeof input === 'boolean') return input;
      if (input === 'true' || input === 'false') return input === 'true';
      return fail('expected true or false');
    case 'int': {
      const v = toInteger(input) ?? fail('expected an integer');
      if (v < BigInt(INT_MIN) || v > BigInt(INT_MAX)) fail('out of the int range (32-bit)');
      return Number(v);
    }
    case 'long': {
      const v = toInteger(input) ?? fail('expected an integer');
      if (v < LONG_MIN || v > LONG_MAX) fail('out of the long range (64-bit)');
      return v;
    }
    case 'float':
    case 'double': {
      const v = toNumber(input) ?? fail('expected a number');
      if (Number.isNaN(v)) fail('NaN never compares equal; use isNaN / notNaN');
      return type.kind === 'float' ? Math.fround(v) : v;
    }
    case 'decimal': {
      const text = typeof input === 'number' && Number.isFinite(input) ? numberToPlainString(input) : typeof input === 'bigint' ? input.toString() : input;
      if (typeof text !== 'string') return fail('expected a decimal string such as "12.34", a number or a bigint');
      const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
      if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return fail('expected a decimal such as "12.34"');
      const fraction = (m[3] ?? '').replace(/0+$/, '');
      if (fraction.length > type.scale) fail(`it has more than ${type.scale} decimal places`);
      const unscaledAbs = BigInt((m[2] ?? '') + fraction.padEnd(type.scale, '0') || '0');
      if (unscaledAbs >= 10n ** BigInt(type.precision)) fail(`it needs more than ${type.precision} digits`);
      return m[1] === '-' ? -unscaledAbs : unscaledAbs;
    }
    case 'date': {
      if (typeof input === 'number' && Number.isInteger(input) && input >= INT_MIN && input <= INT_MAX) return input;
      if (input instanceof Date) return Math.floor(validDate(input, fail) / 86_400_000);
      if (typeof input === 'string') {
        const m = /^\s*([+-]?\d{4,6})-(\d{2})-(\d{2})\s*$/.exec(input);
        if (m !== null) return checkedDays(Number(m[1]), Number(m[2]), Number(m[3]), fail);
      }
      return fail('expected "YYYY-MM-DD", a Date or a number of days since 1970-01-01');
    }
    case 'time': {
      if ((typeof input === 'number' && Number.isSafeInteger(input)) || typeof input === 'bigint') {
        const v = BigInt(input);
        if (v < 0n || v >= MICROS_PER_DAY) fail('microseconds since midnight must be within one day');
        return v;
      }
      if (typeof input === 'string') {
        const m = /^\s*(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$/.exec(input);
        if (m !== null) return timeOfDayMicros(m[1], m[2], m[3], m[4], fail);
      }
      return fail('expected "HH:MM[:SS[.ffffff]]" or microseconds since midnight');
    }
    case 'timestamp':
    case 'timestamptz': {
      if (typeof input === 'bigint') {
        if (input < LONG_MIN || input > LONG_MAX) fail('out of the 64-bit range');
        return input;
      }
      if (input instanceof Date) return BigInt(validDate(input, fail)) * 1000n;
      if (typeof input === 'string') return parseTimestamp(input, type.kind === 'timestamptz', fail);
      return fail('expected an ISO-8601 string, a Date or a bigint of microseconds since the epoch (numbers are ambiguous)');
    }
    case 'string':
      if (typeof input === 'string') return input;
      return fail('expected a string');
    case 'uuid':
      if (typeof input === 'string') {
        try {
          uuidToBytes(input);
        } catch {
          fail('expected a uuid such as "f79c3e09-677c-4bbd-a479-3f349cb785e7"');
        }
        return input.toLowerCase();
      }
      return fail('expected a uuid string');
    case 'fixed':
      if (input instanceof Uint8Array) {
        if (input.length !== type.length) fail(`expected exactly ${type.length} bytes`);
        return input;
      }
      return fail(`expected a Uint8Array of ${type.length} bytes`);
    case 'binary':
      if (input instanceof Uint8Array) return input;
      return fail('expected a Uint8Array');
  }
}

function toInteger(input: LiteralInput): bigint | undefined {
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number') return Number.isInteger(input) ? BigInt(input) : undefined;
  if (typeof input === 'string' && /^\s*[+-]?\d+\s*$/.test(input)) return BigInt(input.trim());
  return undefined;
}

function toNumber(input: LiteralInput): number | undefined {
  if (typeof input === 'number') return input;
  if (typeof input === 'bigint') return Number(input);
  if (typeof input === 'string' && input.trim() !== '') {
    const v = Number(input);
    return Number.isNaN(v) && input.trim() !== 'NaN' ? undefined : v;
  }
  return undefined;
}

/** `1e-7` → `'0.0000001'`: plain digits so decimal parsing never sees an exponent. */
function numberToPlainString(v: number): string {
  const text = String(v);
  if (!/e/i.test(text)) return text;
  return v.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

function validDate(d: Date, fail: (why: string) => never): number {
  const ms = d.getTime();
  return Number.isNaN(ms) ? fail('the Date is invalid') : ms;
}

function checkedDays(year: number, month: number, day: number, fail: (why: string) => never): number {
  if (month < 1 || month > 12 || day < 1 || day > 31) fail('not a valid calendar date');
  const days = daysFromCivil(year, month, day);
  // 2023-02-30 would silently become 2023-03-02; refuse it.
  const nextMonthStart = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
  if (days >= nextMonthStart) fail('not a valid calendar date');
  return days;
}

function timeOfDayMicros(
  h: string | undefined,
  m: string | undefined,
  s: string | undefined,
  frac: string | undefined,
  fail: (why: string) => never,
): bigint {
  const hours = Number(h);
  const minutes = Number(m);
  const seconds = Number(s ?? '0');
  if (hours > 23 || minutes > 59 || seconds > 59) fail('not a valid time of day');
  return (BigInt(hours * 3600 + minutes * 60 + seconds) * 1_000_000n) + BigInt((frac ?? '').padEnd(6, '0'));
}

const TIMESTAMP_PATTERN =
  /^\s*([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

/** ISO-8601 to microseconds since the epoch, keeping sub-millisecond digits (Date.parse drops them). */
function parseTimestamp(text: string, withZone: boolean, fail: (why: string) => never): bigint {
  const m = TIMESTAMP_PATTERN.exec(text);
  if (m === null) return fail('expected an ISO-8601 timestamp such as "2024-01-31T10:00:00Z"');
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (zone !== undefined && !withZone) {
    fail('a timestamp without time zone cannot take an offset; drop the offset or use a timestamptz column');
  }
  const days = checkedDays(Number(y), Number(mo), Number(d), fail);
  const fraction = (frac ?? '').slice(0, 6); // Iceberg timestamps hold microseconds
  if ((frac ?? '').length > 6 && /[1-9]/.test((frac ?? '').slice(6))) fail('sub-microsecond precision is not representable');
  const timeMicros = h === undefined ? 0n : timeOfDayMicros(h, mi, s, fraction, fail);
  let micros = BigInt(days) * MICROS_PER_DAY + timeMicros;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (zm === null) return fail('bad offset');
    const offsetMinutes = Number(zm[2]) * 60 + Number(zm[3] ?? '0');
    micros -= BigInt(zm[1] === '-' ? -offsetMinutes : offsetMinutes) * 60_000_000n;
  }
  return micros;
}

function describe(input: LiteralInput): string {
  if (input instanceof Uint8Array) return `${input.length} bytes`;
  if (input instanceof Date) return `Date ${Number.isNaN(input.getTime()) ? 'Invalid' : input.toISOString()}`;
  if (typeof input === 'bigint') return `${input}n`;
  return `${typeof input} ${JSON.stringify(input)}`;
}
