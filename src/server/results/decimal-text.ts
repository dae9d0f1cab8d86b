/**
 * DECIMAL(p, s) values between DuckDB's exact text (`'-12.30'`) and Arrow's Decimal128 storage: the
 * unscaled integer as a 128-bit little-endian two's-complement number, four 32-bit words per value.
 * Everything goes through bigint, so no digit is ever rounded through a double.
 *
 * @example
 *   decimalToUnscaled('-12.3', 2);  // -1230n
 *   unscaledToDecimal(-1230n, 2);   // '-12.30'
 */
import { StrataError } from '../../core/index.ts';

const TWO_128 = 2n ** 128n;
const TWO_127 = 2n ** 127n;
const WORD = 0xffff_ffffn;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * The unscaled integer of a decimal value at `scale`. Accepts DuckDB's string form, a bigint
 * (an integer) or a safe-integer number. Fewer fraction digits than the scale are padded; more are
 * refused (storing them would round).
 */
export function decimalToUnscaled(value: unknown, scale: number): bigint {
  if (typeof value === 'bigint') return value * 10n ** BigInt(scale);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value) * 10n ** BigInt(scale);
  const text = typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : DECIMAL_TEXT.exec(text);
  const [, sign, whole = '', fraction = ''] = match ?? [];
  if (match === null || (whole === '' && fraction === '') || fraction.length > scale) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Cannot store ${JSON.stringify(String(value))} as a DECIMAL with scale ${scale}: expected exact decimal text with at most ${scale} fraction digits.`,
      { value: String(value), scale },
    );
  }
  const unscaled = BigInt(`${whole || '0'}${fraction.padEnd(scale, '0')}`);
  return sign === '-' ? -unscaled : unscaled;
}

/** Decimal text of an unscaled integer, with exactly `scale` fraction digits (as DuckDB prints it). */
export function unscaledToDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = String(negative ? -unscaled : unscaled).padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Writes `unscaled` into `words[index * 4 … index * 4 + 3]` (Decimal128 layout). */
export function writeDecimal128(words: Uint32Array, index: number, unscaled: bigint): void {
  let bits = unscaled < 0n ? unscaled + TWO_128 : unscaled;
  for (let word = 0; word < 4; word++) {
    words[index * 4 + word] = Number(bits & WORD);
    bits >>= 32n;
  }
}

/** Reads the unscaled integer stored at `index` (Decimal128 layout). */
export function readDecimal128(words: Uint32Array, index: number): bigint {
  let bits = 0n;
  for (let word = 3; word >= 0; word--) bits = (bits << 32n) | BigInt(words[index * 4 + word] ?? 0);
  return bits >= TWO_127 ? bits - TWO_128 : bits;
}
