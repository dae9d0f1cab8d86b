/**
 * Human-readable text of partition values, as the Java reference prints them in partition paths
 * (`Transform.toHumanString`): dates `2017-11-16`, timestamps `2017-11-16T22:31:08`, timestamptz with a
 * trailing `Z`, binary as base64, decimals like `BigDecimal.toString()`, floats like `Double.toString()`.
 * Matching Java matters because other engines derive the same partition paths from the same values.
 */
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { formatDate, formatTimeOfDay, formatTimestamp } from './time-util.ts';

/** The Java-compatible text of one value of `type`; `null` → `'null'`. */
export function humanValue(type: PrimitiveType, value: IcebergValue): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  switch (type.kind) {
    case 'date':
      return formatDate(Number(value));
    case 'time':
      return formatTimeOfDay(BigInt(value as bigint));
    case 'timestamp':
      return formatTimestamp(BigInt(value as bigint));
    case 'timestamptz':
      return `${formatTimestamp(BigInt(value as bigint))}Z`;
    case 'decimal':
      return formatDecimal(BigInt(value as bigint), type.scale);
    case 'float':
      return javaFloatingString(Number(value), true);
    case 'double':
      return javaFloatingString(Number(value), false);
    default:
      return String(value);
  }
}

/** Java `BigDecimal.toString()` of unscaled × 10^-scale: plain unless the exponent is below -6. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const sign = negative ? '-' : '';
  const adjusted = digits.length - 1 - scale;
  if (scale === 0) return sign + digits;
  if (scale > 0 && adjusted >= -6) {
    if (digits.length > scale) return `${sign}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
    return `${sign}0.${digits.padStart(scale, '0')}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/** Java `Float.toString` / `Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `-0.0`. */
export function javaFloatingString(v: number, float32: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const exp = float32 ? shortestFloat32Exponential(v) : v.toExponential();
  const [mantissaText = '', expText = '0'] = exp.split('e');
  const e = Number(expText);
  const negative = mantissaText.startsWith('-');
  const digits = mantissaText.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    if (e >= 0) {
      const intPart = digits.slice(0, e + 1).padEnd(e + 1, '0');
      const frac = digits.slice(e + 1);
      return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
    }
    return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  }
  const frac = digits.slice(1);
  return `${sign}${digits[0] ?? '0'}.${frac === '' ? '0' : frac}E${e}`;
}

function shortestFloat32Exponential(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const text = v.toExponential(p - 1);
    if (Math.fround(Number(text)) === v) return text;
  }
  return v.toExponential(8);
}
