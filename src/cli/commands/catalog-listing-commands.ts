/**
 * `strata databases` and `strata tables [db]`: what the catalog holds. Both read only the catalog
 * database (no table metadata files), so they stay fast with many tables.
 */
import type { Command } from 'commander';
import { formatIdentifier, type Catalog } from '../../catalog/index.ts';
import type { CliContext } from '../cli-context.ts';
import { rowStreamOf } from '../output/index.ts';

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
        const rows: unknown[][] = [];
        for (const namespace of await allNamespaces(strata.catalog)) {
          rows.push([namespace.join('.'), (await strata.catalog.listTables(namespace)).length]);
        }
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
        const rows: unknown[][] = [];
        for (const namespace of namespaces) {
          for (const id of await strata.catalog.listTables(namespace)) rows.push([id.namespace.join('.'), id.name, formatIdentifier(id)]);
        }
        await context.render(
          rowStreamOf([{ name: 'database', type: 'VARCHAR' }, { name: 'table', type: 'VARCHAR' }, { name: 'full_name', type: 'VARCHAR' }], rows),
          strata,
        );
      });
    });
}
