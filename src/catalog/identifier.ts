/**
 * Table identifiers: `db.table` (or `a.b.table` for nested namespaces) in text, structured in code.
 */
import { StrataError } from '../core/index.ts';
import type { TableIdentifier } from './backend/index.ts';

export function parseIdentifier(text: string): TableIdentifier {
  const parts = text.split('.').map((p) => p.trim());
  const name = parts.pop();
  if (!name || parts.length === 0 || parts.some((p) => p.length === 0)) {
    throw new StrataError('INVALID_ARGUMENT', `"${text}" is not a table name; write it as database.table, e.g. sales.orders`, {
      identifier: text,
    });
  }
  return { namespace: parts, name };
}

export function formatIdentifier(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.');
}

export function toIdentifier(id: string | TableIdentifier): TableIdentifier {
  return typeof id === 'string' ? parseIdentifier(id) : id;
}
