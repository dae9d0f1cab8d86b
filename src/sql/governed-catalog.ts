/**
 * The catalog as a governed principal sees it: SHOW TABLES lists only what it may DESCRIBE, and
 * what it creates it owns (ADMIN with grant option, granted by `system`), as in Lake Formation.
 */
import type { Catalog } from '../catalog/index.ts';
import { shapeOf, type Governor, type StatementGuard } from '../governance/enforce/index.ts';

export interface ListedTable {
  readonly database: string;
  readonly table: string;
}

/** The tables of one database (or all), filtered to those the principal may DESCRIBE. */
export async function governedTables(catalog: Catalog, guard: StatementGuard | undefined, database?: string): Promise<ListedTable[]> {
  const databases = database !== undefined ? [database] : (await catalog.listNamespaces()).map((n) => n.join('.'));
  const out: ListedTable[] = [];
  for (const db of databases) {
    for (const t of await catalog.listTables([db])) {
      if (!guard || guard.principal.administrator || guard.decidePrivilege('DESCRIBE', { database: db, table: t.name }).allowed || (await readsAnyColumn(catalog, guard, db, t.name))) {
        out.push({ database: db, table: t.name });
      }
    }
  }
  return out;
}

/** Tag grants on columns make a table visible too, which needs its columns' tags: load it. */
async function readsAnyColumn(catalog: Catalog, guard: StatementGuard, database: string, table: string): Promise<boolean> {
  if (!guard.snapshot.grants.some((g) => g.securable.kind === 'tags')) return false;
  const loaded = await catalog.loadTable({ namespace: [database], name: table });
  return guard.decideRead(shapeOf(database, table, loaded.schema())).allowed;
}

/** Grants the creating principal ADMIN on what it just created (administrators need none). */
export async function ownTheNewObject(governor: Governor | undefined, target: { readonly database: string; readonly table?: string }): Promise<void> {
  if (!governor || governor.principal.administrator) return;
  await governor.policies.grant({
    privilege: 'ADMIN',
    securable: target.table === undefined ? { kind: 'database', database: target.database.toLowerCase() } : { kind: 'table', database: target.database.toLowerCase(), table: target.table.toLowerCase() },
    grantee: { kind: 'principal', name: governor.principal.name },
    withGrantOption: true,
    grantedBy: 'system',
  });
}
