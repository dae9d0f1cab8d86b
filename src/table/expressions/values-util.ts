/** Small helpers over Iceberg values shared by binding and projection. */
import type { IcebergValue } from '../schema/values.ts';

/** A string that is equal for equal values of one type (bytes by hex, -0 distinct from 0). */
export function valueKey(v: IcebergValue): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'number') return Object.is(v, -0) ? 'n:-0' : `n:${v}`;
  return `${typeof v}:${String(v)}`;
}

/** `values` without duplicates, first occurrence kept. */
export function uniqueValues<T extends IcebergValue>(values: readonly T[]): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = valueKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
