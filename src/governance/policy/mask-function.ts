/**
 * Validation of a `MaskFunction` before it is stored. The result is a fresh object holding only the
 * fields its kind defines (unknown fields are dropped, absent optional ones stay absent), so what
 * is stored and read back is exactly what the compilers will render.
 *
 * Limits and why:
 * - `partial.keepLast`: a whole number ≥ 0 (0 hides everything).
 * - `round.digits`: a whole number in [-10, 10]; beyond that rounding is either a no-op or zero.
 * - `bucket`: exactly one of `width` (a finite number > 0, for numbers) or `unit`
 *   (`year | month | day | hour`, for dates and timestamps); both at once would be ambiguous.
 * - `expression.sql`: non-empty, at most 4096 characters; its syntax is checked by the compiler.
 * - `redact.replacement` and `partial.fill`: strings of at most 64 characters.
 */
import { StrataError } from '../../core/index.ts';
import { MASK_KINDS, type MaskFunction } from '../model.ts';

export const MAX_MASK_TEXT_LENGTH = 64;
export const MAX_MASK_EXPRESSION_LENGTH = 4096;
const BUCKET_UNITS = ['year', 'month', 'day', 'hour'] as const;

export function normalizeMaskFunction(input: MaskFunction): MaskFunction {
  if (typeof input !== 'object' || input === null || !(MASK_KINDS as readonly string[]).includes(input.kind)) {
    const kind = typeof input === 'object' && input !== null ? (input as { kind?: unknown }).kind : undefined;
    throw invalid(`Unknown mask function ${JSON.stringify(kind)}; use one of ${MASK_KINDS.join(', ')}`, { kind });
  }
  switch (input.kind) {
    case 'redact':
      return input.replacement === undefined
        ? { kind: 'redact' }
        : { kind: 'redact', replacement: maskText('redact', 'replacement', input.replacement) };
    case 'null':
      return { kind: 'null' };
    case 'hash':
      return { kind: 'hash' };
    case 'partial': {
      if (!Number.isSafeInteger(input.keepLast) || input.keepLast < 0) {
        throw invalid(`A partial mask's keepLast must be a whole number >= 0, not ${String(input.keepLast)}`, { keepLast: input.keepLast });
      }
      return input.fill === undefined
        ? { kind: 'partial', keepLast: input.keepLast }
        : { kind: 'partial', keepLast: input.keepLast, fill: maskText('partial', 'fill', input.fill) };
    }
    case 'round':
      if (!Number.isInteger(input.digits) || input.digits < -10 || input.digits > 10) {
        throw invalid(`A round mask's digits must be a whole number from -10 to 10, not ${String(input.digits)}`, { digits: input.digits });
      }
      return { kind: 'round', digits: input.digits };
    case 'bucket': {
      const { width, unit } = input;
      if ((width === undefined) === (unit === undefined)) {
        throw invalid('A bucket mask needs exactly one of width (numbers) or unit (dates and timestamps)', { width, unit });
      }
      if (width !== undefined) {
        if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) {
          throw invalid(`A bucket mask's width must be a number > 0, not ${String(width)}`, { width });
        }
        return { kind: 'bucket', width };
      }
      if (!(BUCKET_UNITS as readonly unknown[]).includes(unit)) {
        throw invalid(`A bucket mask's unit must be one of ${BUCKET_UNITS.join(', ')}, not ${JSON.stringify(unit)}`, { unit });
      }
      return { kind: 'bucket', unit: unit as (typeof BUCKET_UNITS)[number] };
    }
    case 'expression': {
      const { sql } = input;
      if (typeof sql !== 'string' || sql.trim().length === 0 || sql.length > MAX_MASK_EXPRESSION_LENGTH) {
        throw invalid(`An expression mask needs a non-empty SQL expression of at most ${MAX_MASK_EXPRESSION_LENGTH} characters`, {});
      }
      return { kind: 'expression', sql };
    }
  }
}

function maskText(kind: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_MASK_TEXT_LENGTH) {
    throw invalid(`A ${kind} mask's ${field} must be a string of at most ${MAX_MASK_TEXT_LENGTH} characters`, { [field]: value });
  }
  return value;
}

function invalid(message: string, details: Record<string, unknown>): StrataError {
  return new StrataError('INVALID_ARGUMENT', message, details);
}
