import type { IcebergValue } from '../schema/values.ts';

/** A string key identifying a partition tuple of a spec, for grouping and set membership. */
export function partitionKey(specId: number, values: readonly IcebergValue[]): string {
  return `${specId}|${values.map(valueKey).join('|')}`;
}

function valueKey(value: IcebergValue): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('hex')}`;
  // -0.0 and 0.0 are different partitions in Iceberg; String() would merge them.
  if (Object.is(value, -0)) return 'number:-0';
  return `${typeof value}:${String(value)}`;
}
