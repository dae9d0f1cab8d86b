/**
 * `strata databases` and `strata tables [db]`: what the catalog holds — as much of it as the
 * acting principal may DESCRIBE. Both read only the catalog
 * database (no table metadata files), so they stay fast with many tables.
 */
import type { Command } from 'commander';
import { formatIdentifier, type Catalog } from '../../catalog/index.ts';
import type { CliContext } from '../cli-context.ts';
import { rowStreamOf } from '../output/index.ts';
import { governedTables } from '../../sql/governed-catalog.ts';

/** Every namespace, depth first (nested namespaces are rare but legal). */
async function allNamespaces(catalog: Catalog, parent: readonly string[] = []): Promise<string[][]> {
  const found: string[][] = [];
  for (const namespace of await catalog.listNamespaces(parent)) {
    found.push(namespace);
    found.push(...(await allNamespaces(catalog, namespace)));
  }
  return found;
}

export function registerCatalogListing(program: Command, context: CliContext): void {
  program
    .command('databases')
    .description('List databases (catalog namespaces) and how many tables each holds')
    .addHelpText('after', '\nExamples:\n  $ strata databases\n  $ strata databases --format json')
    .action(async () => {
      await context.withHome(async (strata) => {
        const rows = await context.governed(strata, 'databases', 'databases', async (guard) => {
          const out: unknown[][] = [];
          for (const namespace of await allNamespaces(strata.catalog)) {
            const database = namespace.join('.');
            const visible = await governedTables(strata.catalog, guard, database);
            if (visible.length > 0 || guard.principal.administrator || guard.decidePrivilege('DESCRIBE', { database }).allowed) out.push([database, visible.length]);
          }
          return out;
        });
        await context.render(rowStreamOf([{ name: 'database', type: 'VARCHAR' }, { name: 'tables', type: 'INTEGER' }], rows), strata);
      });
    });

  program
    .command('tables')
    .argument('[database]', 'only the tables of this database')
    .description('List tables, of one database or of all')
    .addHelpText('after', '\nExamples:\n  $ strata tables\n  $ strata tables sales\n  $ strata tables --format csv > tables.csv')
    .action(async (database: string | undefined) => {
      await context.withHome(async (strata) => {
        const namespaces = database !== undefined ? [database.split('.')] : await allNamespaces(strata.catalog);
        const rows = await context.governed(strata, 'tables', `tables${database === undefined ? '' : ` ${database}`}`, async (guard) => {
          const out: unknown[][] = [];
          for (const namespace of namespaces) {
            for (const t of await governedTables(strata.catalog, guard, namespace.join('.'))) {
              out.push([t.database, t.table, formatIdentifier({ namespace, name: t.table })]);
            }
          }
          return out;
        });
        await context.render(
          rowStreamOf([{ name: 'database', type: 'VARCHAR' }, { name: 'table', type: 'VARCHAR' }, { name: 'full_name', type: 'VARCHAR' }], rows),
          strata,
        );
      });
    });
}
