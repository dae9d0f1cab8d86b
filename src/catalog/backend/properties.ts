/**
 * Namespace and table properties: a string-to-string map stored as one JSON text column.
 *
 * Serialization sorts keys, so equal maps have equal text; the backend relies on that to update
 * properties with an optimistic compare-and-swap on the stored text instead of a transaction.
 * Maps are built with `Object.fromEntries`, so a key such as `__proto__` stays an ordinary key.
 */
import { StrataError } from '../../core/index.ts';
import type { PropertiesUpdateResult } from './catalog-backend.ts';

/** Throws `INVALID_ARGUMENT` unless every value is a string. */
export function validateProperties(properties: Readonly<Record<string, string>>): void {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new StrataError('INVALID_ARGUMENT', 'Properties must be an object of string values', { properties });
  }
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'string') {
      throw new StrataError('INVALID_ARGUMENT', `Property ${JSON.stringify(key)} must be a string, got ${typeof value}`, {
        key,
      });
    }
  }
}

export function serializeProperties(properties: Readonly<Record<string, string>>): string {
  const sorted = Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted));
}

export function parseProperties(json: string): Record<string, string> {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StrataError('CATALOG_ERROR', 'Stored catalog properties are not a JSON object; the catalog file is damaged', {
      json,
    });
  }
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
}

/**
 * Applies removals then updates to `current`, returning the new map and the Iceberg-shaped report.
 * A key in both lists is ambiguous and refused with `INVALID_ARGUMENT`, as the Iceberg REST spec does.
 */
export function applyPropertyChanges(
  current: Readonly<Record<string, string>>,
  removals: readonly string[],
  updates: Readonly<Record<string, string>>,
): { next: Record<string, string>; result: PropertiesUpdateResult } {
  validateProperties(updates);
  if (!Array.isArray(removals) || removals.some((key) => typeof key !== 'string')) {
    throw new StrataError('INVALID_ARGUMENT', 'Property removals must be a list of keys', { removals });
  }
  const both = removals.filter((key) => Object.hasOwn(updates, key));
  if (both.length > 0) {
    throw new StrataError('INVALID_ARGUMENT', `Properties ${both.join(', ')} are both removed and updated; pick one`, {
      keys: both,
    });
  }
  const next = new Map(Object.entries(current));
  const removed = new Set<string>();
  const missing = new Set<string>();
  for (const key of removals) {
    if (next.delete(key)) removed.add(key);
    else if (!removed.has(key)) missing.add(key);
  }
  for (const [key, value] of Object.entries(updates)) next.set(key, value);
  return {
    next: Object.fromEntries(next),
    result: {
      updated: Object.keys(updates).sort(),
      removed: [...removed].sort(),
      missing: [...missing].sort(),
    },
  };
}
