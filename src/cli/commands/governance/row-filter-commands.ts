/**
 * `strata row-filter create|drop|list`: row filters. A filter targets one table (`--table db.t`)
 * or every table whose effective tags satisfy an expression (`--tags "domain=ads"`); a row is
 * visible only when every applicable filter holds. The predicate may call `current_principal()`,
 * `current_principal_attribute('k')`, `is_member('g')` and `has_role('r')`, bound to the reader:
 *
 *   strata row-filter create by_region --table ads.events \
 *     --predicate "region = current_principal_attribute('region')" --exempt role:auditor
 *
 * `--applies-to` limits a filter to some grantees (default: everyone); `--exempt` excludes some.
 * Administrators are never filtered.
 */
import type { Command } from 'commander';
import { StrataError } from '../../../core/index.ts';
import { formatTagExpression, parseTagExpression, type Grantee, type RowFilterTarget } from '../../../governance/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { parseTablePath, requireObject } from './catalog-objects.ts';
import { runGoverned } from './governed-command.ts';
import { collectGrantees, formatGranteeArg } from './grantee-arg.ts';
import { checkPolicySql } from './policy-sql.ts';
import { printDone, printRows } from './report-output.ts';

interface CreateOptions {
  table?: string;
  tags?: string;
  predicate: string;
  appliesTo?: Grantee[];
  exempt?: Grantee[];
}

export function registerRowFilterCommands(program: Command, context: CliContext): void {
  const rowFilter = program
    .command('row-filter')
    .description('Manage row filters: create, drop, list')
    .addHelpText(
      'after',
      `
Examples:
  $ strata row-filter create by_region --table ads.events --predicate "region = current_principal_attribute('region')"
  $ strata row-filter create no_test_rows --tags "domain=ads" --predicate "NOT is_test" --applies-to role:analyst
  $ strata row-filter list`,
    );

  rowFilter
    .command('create')
    .argument('<name>')
    .option('--table <db.table>', 'filter this table')
    .option('--tags <expression>', 'filter every table whose tags satisfy this')
    .requiredOption('--predicate <sql>', 'rows for which it is true stay visible')
    .option('--applies-to <grantees>', 'only for these: user:bob,group:x,role:y (repeatable; default everyone)', collectGrantees)
    .option('--exempt <grantees>', 'never for these (repeatable)', collectGrantees)
    .description('Create a row filter')
    .action(async (name: string, options: CreateOptions) => {
      await runGoverned(context, { action: 'row-filter create', audit: 'always' }, async (scope) => {
        if ((options.table === undefined) === (options.tags === undefined)) {
          throw new StrataError('INVALID_ARGUMENT', 'Give exactly one of --table db.table or --tags "<tag expression>".', {});
        }
        let target: RowFilterTarget;
        if (options.table !== undefined) {
          const table = parseTablePath(options.table);
          scope.tables.push(`${table.database}.${table.table}`);
          const columns = await requireObject(scope.strata.catalog, { kind: 'table', ...table });
          await checkPolicySql(scope.strata, 'predicate', options.predicate, columns);
          target = { kind: 'table', ...table };
        } else {
          await checkPolicySql(scope.strata, 'predicate', options.predicate);
          target = { kind: 'tags', expression: parseTagExpression(options.tags ?? '') };
        }
        const created = await scope.plane.policies.createRowFilter({
          name,
          target,
          predicate: options.predicate,
          ...(options.appliesTo ? { appliesTo: options.appliesTo } : {}),
          ...(options.exempt ? { exempt: options.exempt } : {}),
        });
        await printDone(context, `Created row filter ${created.name} on ${describeRowFilterTarget(created.target)}`);
      });
    });

  rowFilter
    .command('drop')
    .argument('<name>')
    .description('Drop a row filter')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'row-filter drop', audit: 'always' }, async ({ plane }) => {
        await plane.policies.dropRowFilter(name);
        await printDone(context, `Dropped row filter ${name}`);
      });
    });

  rowFilter
    .command('list')
    .description('List row filters')
    .action(async () => {
      await runGoverned(context, { action: 'row-filter list', audit: 'denials' }, async ({ strata, plane }) => {
        const json = context.format === 'json';
        const list = (grantees: readonly Grantee[]) => (json ? grantees.map(formatGranteeArg) : grantees.map(formatGranteeArg).join(', '));
        const rows = (await plane.policies.listRowFilters()).map((f) => [f.name, describeRowFilterTarget(f.target), f.predicate, list(f.appliesTo), list(f.exempt)]);
        await printRows(context, strata, ['row_filter', 'target', 'predicate', 'applies_to', 'exempt'], rows);
      });
    });
}

export function describeRowFilterTarget(target: RowFilterTarget): string {
  return target.kind === 'table' ? `${target.database}.${target.table}` : `tags ${formatTagExpression(target.expression)}`;
}
