/** A stream row as JSON text for people and the dead-letter table: bigint as digits, bytes as base64, Maps as objects. */
import type { StreamRow } from '../model/index.ts';

export function rowToJson(row: StreamRow): string {
  return JSON.stringify(row, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v as unknown]));
    return value;
  });
}
