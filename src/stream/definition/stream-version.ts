/** A stream definition's version: a short hash of its canonical JSON (key order does not matter). */
import { createHash } from 'node:crypto';
import type { StreamDefinition } from '../model/index.ts';

export function streamVersion(definition: StreamDefinition): string {
  return createHash('sha256').update(canonical(definition)).digest('hex').slice(0, 12);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
