/**
 * The directory path of a partition tuple, `ts_day=2024-01-31/category=books`, as Iceberg's Java
 * `PartitionSpec.partitionToPath` builds it: each name and `toHumanString` value form-URL-encoded
 * (Java's `URLEncoder`: space → `+`, everything but `A-Z a-z 0-9 . - * _` percent-encoded as UTF-8).
 */
import type { IcebergValue } from '../schema/values.ts';
import type { PartitionColumn } from './partition-expressions.ts';

export function partitionPath(columns: readonly PartitionColumn[], values: readonly IcebergValue[]): string {
  return columns
    .map((c, i) => `${formEncode(c.field.name)}=${formEncode(c.transform.toHumanString(values[i] ?? null, c.sourceType))}`)
    .join('/');
}

/** Java `URLEncoder.encode(text, UTF_8)`. */
export function formEncode(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
