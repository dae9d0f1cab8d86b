/**
 * Loads a table for a CLI command, turning TABLE_NOT_FOUND into a message that suggests the closest
 * existing name ("did you mean sales.orders?").
 */
import { formatIdentifier, parseIdentifier, type Catalog } from '../../catalog/index.ts';
import { StrataError, closestName } from '../../core/index.ts';
import type { Table } from '../../table/index.ts';

export async function loadTableForCli(catalog: Catalog, name: string): Promise<Table> {
  const ident = parseIdentifier(name);
  try {
    return await catalog.loadTable(ident);
  } catch (error) {
    if (!StrataError.is(error, 'TABLE_NOT_FOUND')) throw error;
    const candidates = await catalog.listTables(ident.namespace).then(
      (ids) => ids.map(formatIdentifier),
      () => undefined, // the database itself does not exist
    );
    const suggestion = closestName(formatIdentifier(ident), candidates ?? []);
    const next = candidates === undefined ? `Database ${ident.namespace.join('.')} does not exist either; list databases with "strata databases".` : `List its tables with "strata tables ${ident.namespace.join('.')}".`;
    throw new StrataError(
      'TABLE_NOT_FOUND',
      `Table ${formatIdentifier(ident)} does not exist.${suggestion ? ` Did you mean ${suggestion}?` : ''} ${next}`,
      { table: formatIdentifier(ident), ...(suggestion ? { suggestion } : {}) },
      { cause: error },
    );
  }
}

/** `db.table` (or `a.b.table`) as the database and table names governance checks. */
export function splitTableName(name: string): { database: string; table: string } {
  const ident = parseIdentifier(name);
  return { database: ident.namespace.join('.'), table: ident.name };
}
