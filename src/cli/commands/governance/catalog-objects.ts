/**
 * Databases, tables and columns named on the command line (`db`, `db.t`, `db.t.col`): the kind is
 * the number of dots, names are lowercased (the governance model compares them that way), and
 * the object must exist in the catalog, so a typo cannot attach a tag or a mask to nothing.
 * Only top-level columns can be named.
 */
import { formatIdentifier, type Catalog } from '../../../catalog/index.ts';
import { StrataError, closestName } from '../../../core/index.ts';
import type { TagTarget } from '../../../governance/index.ts';
import { loadTableForCli } from '../load-table.ts';

export function parseObjectPath(text: string): TagTarget {
  const parts = text.split('.').map((p) => p.trim().toLowerCase());
  if (parts.some((p) => p === '') || parts.length > 3) {
    throw new StrataError('INVALID_ARGUMENT', `"${text}" is not a database, table or column: write db, db.table or db.table.column`, { target: text });
  }
  const [database = '', table, column] = parts;
  if (table === undefined) return { kind: 'database', database };
  if (column === undefined) return { kind: 'table', database, table };
  return { kind: 'column', database, table, column };
}

/** `db.t` → a table target (INVALID_ARGUMENT for anything else). */
export function parseTablePath(text: string): { database: string; table: string } {
  const target = parseObjectPath(text);
  if (target.kind !== 'table') throw new StrataError('INVALID_ARGUMENT', `"${text}" is not a table: write db.table`, { table: text });
  return { database: target.database, table: target.table };
}

/** `db.t.col` → a column target. */
export function parseColumnPath(text: string): { database: string; table: string; column: string } {
  const target = parseObjectPath(text);
  if (target.kind !== 'column') throw new StrataError('INVALID_ARGUMENT', `"${text}" is not a column: write db.table.column`, { column: text });
  return { database: target.database, table: target.table, column: target.column };
}

/** Checks the object exists; returns the table's top-level column names (lowercased) for tables and columns. */
export async function requireObject(catalog: Catalog, target: TagTarget): Promise<string[]> {
  const databases = (await catalog.listNamespaces()).map((n) => n.join('.').toLowerCase());
  if (!databases.includes(target.database)) {
    const suggestion = closestName(target.database, databases);
    throw new StrataError(
      'NAMESPACE_NOT_FOUND',
      `Database ${target.database} does not exist.${suggestion ? ` Did you mean ${suggestion}?` : ''} List databases with "strata databases".`,
      { namespace: [target.database] },
    );
  }
  if (target.kind === 'database') return [];
  const table = await loadTableForCli(catalog, formatIdentifier({ namespace: [target.database], name: target.table }));
  const columns = table.schema().fields.map((f) => f.name.toLowerCase());
  if (target.kind === 'column' && !columns.includes(target.column)) {
    const suggestion = closestName(target.column, columns);
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Column ${target.column} does not exist in ${target.database}.${target.table}.${suggestion ? ` Did you mean ${suggestion}?` : ''} Columns: ${columns.join(', ')}`,
      { table: `${target.database}.${target.table}`, column: target.column },
    );
  }
  return columns;
}

export function formatObjectPath(target: TagTarget): string {
  switch (target.kind) {
    case 'database':
      return target.database;
    case 'table':
      return `${target.database}.${target.table}`;
    case 'column':
      return `${target.database}.${target.table}.${target.column}`;
  }
}
