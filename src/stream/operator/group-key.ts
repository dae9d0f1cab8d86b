/**
 * A stable text key for a tuple of values (group-by columns, dedup keys, upsert keys): equal tuples
 * give equal text, whatever their JS types, and ordering by it is deterministic.
 *
 * Gotchas handled: bigint (JSON cannot hold it), bytes (a Node Buffer would otherwise serialise
 * through its toJSON and differ from the same bytes as a plain Uint8Array), NaN/±Infinity (JSON
 * would turn them into null and merge them with the null group), Maps (entries). Values of one
 * column share a type, so the tags (`5n`, `b64:…`) cannot collide with a string of that column.
 */
export function groupKey(values: readonly unknown[]): string {
  return JSON.stringify(values, function (this: unknown, key: string, raw: unknown) {
    const value = key === '' ? raw : (this as Record<string, unknown>)[key];
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `b64:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
    if (typeof value === 'number' && !Number.isFinite(value)) return `${value}d`;
    if (value instanceof Map) return [...value.entries()];
    return raw;
  });
}
