/**
 * Partition terms as streams write them (`day(window_start)`, `bucket(16, id)`, `page`) → the
 * catalog's partition inputs, and — for the transforms that have one — the DuckDB expression giving
 * a row's partition value, which upserts use to rewrite only the partitions a batch touches.
 */
import { StrataError } from '../../core/index.ts';
import type { PartitionFieldInput } from '../../catalog/index.ts';
import { quoteSqlIdent } from '../../table/index.ts';

const TERM = /^\s*(?:(year|month|day|hour|identity)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|(bucket|truncate)\s*\(\s*(\d+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))\s*$/i;

export function partitionField(term: string): PartitionFieldInput {
  const m = TERM.exec(term);
  if (!m) throw new StrataError('STREAM_INVALID', `Partition term ${JSON.stringify(term)} is not column, year(col), month(col), day(col), hour(col), bucket(n, col) or truncate(n, col)`);
  if (m[6] !== undefined) return { source: m[6], transform: 'identity' };
  if (m[1] !== undefined) return { source: m[2] ?? '', transform: m[1].toLowerCase() };
  return { source: m[5] ?? '', transform: `${(m[3] ?? '').toLowerCase()}[${m[4] ?? ''}]` };
}

/** The DuckDB expression of a row's partition value under `field` (alias `t`), or undefined (bucket, truncate). */
export function partitionExpression(field: PartitionFieldInput, alias: string): string | undefined {
  const column = `${alias}.${quoteSqlIdent(field.source)}`;
  switch (field.transform) {
    case 'identity':
      return column;
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return `date_trunc('${field.transform}', ${column})`;
    default:
      return undefined;
  }
}
