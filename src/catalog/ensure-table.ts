/**
 * Get-or-create for tables Strata keeps for itself (`system.audit_log`, `system.query_history`):
 * the database is created with the table's zone if missing, the table if missing, and a process
 * that loses the race to create either simply loads what the winner made.
 */
import { StrataError } from '../core/index.ts';
import type { NestedField, Table } from '../table/index.ts';
import type { Catalog, CreateTableOptions } from './catalog.ts';

export async function ensureTable(catalog: Catalog, id: string, fields: readonly NestedField[], options: CreateTableOptions = {}): Promise<Table> {
  const database = id.slice(0, id.lastIndexOf('.'));
  if (!(await catalog.listNamespaces()).some((n) => n.join('.') === database)) {
    await catalog.createNamespace(database.split('.'), options.zone === undefined ? {} : { zone: options.zone }).catch((error: unknown) => {
      if (!StrataError.is(error, 'NAMESPACE_ALREADY_EXISTS')) throw error;
    });
  }
  try {
    return await catalog.loadTable(id);
  } catch (error) {
    if (!StrataError.is(error, 'TABLE_NOT_FOUND')) throw error;
  }
  try {
    return await catalog.createTable(id, fields, options);
  } catch (error) {
    if (!StrataError.is(error, 'TABLE_ALREADY_EXISTS')) throw error;
    return catalog.loadTable(id);
  }
}
