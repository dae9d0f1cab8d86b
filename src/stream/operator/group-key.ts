/**
 * A stable text key for a tuple of values (group-by columns, dedup keys): equal tuples give equal
 * text, whatever their JS types (bigint, bytes, Maps), and ordering by it is deterministic.
 */
export function groupKey(values: readonly unknown[]): string {
  return JSON.stringify(values, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `b64:${Buffer.from(value).toString('base64')}`;
    if (value instanceof Map) return [...value.entries()];
    return value;
  });
}
