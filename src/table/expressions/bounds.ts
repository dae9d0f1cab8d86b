/**
 * The range test shared by manifest and data-file pruning: given a column's lower/upper bound (in
 * single-value encoding, either may be absent), can any value in between satisfy the predicate?
 *
 * Assumptions, straight from the spec: lower ≤ every non-null, non-NaN value ≤ upper. Bounds of
 * strings and binary may be truncated (lower to a prefix, upper to an incremented prefix); every
 * check below uses only the two inequalities, so truncated bounds stay safe.
 *
 * Floats: a NaN bound is ignored (unreliable); ±0 bounds are widened to [-0.0, +0.0] so both IEEE
 * and total-order readings of zero are covered; `>`/`>=` cannot prune while NaN may be present,
 * because engines that order NaN above +Infinity select it.
 */
import { compareBytes, compareValues, deserializeValue } from '../serde/single-value.ts';
import type { IcebergValue } from '../schema/values.ts';
import type { BoundPredicate } from './expression.ts';

const utf8 = new TextEncoder();

/** False only when no value within [lower, upper] can satisfy `p`. */
export function boundsMightMatch(
  p: BoundPredicate,
  lowerBytes: Uint8Array | undefined,
  upperBytes: Uint8Array | undefined,
  nanPossible: boolean,
): boolean {
  const isFloat = p.type.kind === 'float' || p.type.kind === 'double';
  let lower = lowerBytes === undefined ? undefined : deserializeValue(p.type, lowerBytes);
  let upper = upperBytes === undefined ? undefined : deserializeValue(p.type, upperBytes);
  if (isFloat) {
    if (typeof lower === 'number' && Number.isNaN(lower)) lower = undefined;
    if (typeof upper === 'number' && Number.isNaN(upper)) upper = undefined;
    if (lower === 0) lower = -0;
    if (upper === 0) upper = 0;
  }
  const cmp = (a: IcebergValue, b: IcebergValue) => compareValues(p.type, a, b);
  const [lit = null] = p.literals;
  const inRange = (v: IcebergValue) =>
    (lower === undefined || cmp(lower, v) <= 0) && (upper === undefined || cmp(upper, v) >= 0);

  switch (p.op) {
    case 'lt':
      return lower === undefined || cmp(lower, lit) < 0;
    case 'ltEq':
      return lower === undefined || cmp(lower, lit) <= 0;
    case 'gt':
      return (isFloat && nanPossible) || upper === undefined || cmp(upper, lit) > 0;
    case 'gtEq':
      return (isFloat && nanPossible) || upper === undefined || cmp(upper, lit) >= 0;
    case 'eq':
      return inRange(lit);
    case 'in':
      return p.literals.some(inRange);
    case 'startsWith': {
      if (typeof lit !== 'string') return true;
      const prefix = utf8.encode(lit);
      if (lowerBytes !== undefined && compareBytes(lowerBytes.subarray(0, prefix.length), prefix) > 0) return false;
      if (upperBytes !== undefined && compareBytes(upperBytes.subarray(0, prefix.length), prefix) < 0) return false;
      return true;
    }
    default:
      return true;
  }
}

/**
 * True when both bounds start with the prefix: then every value in between does too (values with a
 * given prefix form one contiguous range), so `notStartsWith` cannot match a non-null value.
 */
export function boundsAllStartWith(prefix: string, lowerBytes: Uint8Array | undefined, upperBytes: Uint8Array | undefined): boolean {
  if (lowerBytes === undefined || upperBytes === undefined) return false;
  const p = utf8.encode(prefix);
  const startsWith = (b: Uint8Array) => b.length >= p.length && compareBytes(b.subarray(0, p.length), p) === 0;
  return startsWith(lowerBytes) && startsWith(upperBytes);
}
