/**
 * Engine result values (src/engine/duckdb/value-forms.ts: decimals, dates, times and timestamps as
 * exact text, maps as `{ key, value }` arrays) → stream row values (Iceberg in-memory forms).
 */
import type { IcebergType } from '../../table/index.ts';
import { stagedToValue } from '../format/staged-to-value.ts';

export function engineToValue(type: IcebergType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'timestamp':
    case 'timestamptz':
      return typeof value === 'string' ? stagedToValue(type, canonicalTimestamp(value)) : value;
    case 'binary':
    case 'fixed':
      return value;
    case 'struct': {
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const child of type.fields) out[child.name] = engineToValue(child.type, input[child.name]);
      return out;
    }
    case 'list':
      return (value as unknown[]).map((e) => engineToValue(type.element, e));
    case 'map': {
      const out = new Map<unknown, unknown>();
      for (const entry of value as { key: unknown; value: unknown }[]) out.set(engineToValue(type.key, entry.key), engineToValue(type.value, entry.value));
      return out;
    }
    case 'long':
      return typeof value === 'bigint' ? value : BigInt(String(value));
    case 'int':
    case 'float':
    case 'double':
      return typeof value === 'number' ? value : Number(value);
    default:
      return stagedToValue(type, value);
  }
}

/** `2024-01-31 10:15:00[.ffffff][+00[:00]]` → `2024-01-31 10:15:00.ffffff[+00:00]`. */
function canonicalTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([+-]\d{2})?(?::?(\d{2}))?$/.exec(text);
  if (!m) throw new TypeError(`not a timestamp: ${text}`);
  const fraction = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  return `${m[1]} ${m[2]}.${fraction}${m[4] === undefined ? '' : `${m[4]}:${m[5] ?? '00'}`}`;
}
