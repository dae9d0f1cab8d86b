/**
 * `strata tag create-key|add-values|drop-key|keys|set|unset|list`: governed tags. A tag key lists
 * its allowed values; tags are assigned to databases, tables and columns (`db`, `db.t`,
 * `db.t.col`, decided by the number of dots) and inherited downwards, nearer wins per key. Grants,
 * masks and row filters can then target tag expressions (`domain=ads AND pii=true`).
 */
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import { formatObjectPath, parseObjectPath, requireObject } from './catalog-objects.ts';
import { parseKeyValue, parseWordList } from './command-line.ts';
import { runGoverned, type GovernedScope } from './governed-command.ts';
import { printDone, printRows } from './report-output.ts';
import type { TagTarget } from '../../../governance/index.ts';

export function registerTagCommands(program: Command, context: CliContext): void {
  const tag = program
    .command('tag')
    .description('Manage tags: keys with allowed values, and their assignment to databases, tables and columns')
    .addHelpText(
      'after',
      `
Examples:
  $ strata tag create-key pii --values true,false --description "personal data"
  $ strata tag add-values domain ads,finance
  $ strata tag set ads domain=ads
  $ strata tag set ads.events.email pii=true
  $ strata tag list ads.events
  $ strata tag unset ads.events.email pii`,
    );

  tag
    .command('create-key')
    .argument('<key>')
    .requiredOption('--values <a,b,c>', 'the allowed values', parseWordList)
    .option('--description <text>', 'what the key means')
    .description('Create a tag key with its allowed values')
    .action(async (key: string, options: { values: string[]; description?: string }) => {
      await runGoverned(context, { action: 'tag create-key', audit: 'always' }, async ({ plane }) => {
        const created = await plane.policies.createTagKey(key, options.values, options.description ?? '');
        await printDone(context, `Created tag key ${created.key} (values: ${created.allowedValues.join(', ')})`, { key: created.key, values: created.allowedValues });
      });
    });

  tag
    .command('add-values')
    .argument('<key>')
    .argument('<values>', 'comma-separated', parseWordList)
    .description('Allow more values for a tag key')
    .action(async (key: string, values: string[]) => {
      await runGoverned(context, { action: 'tag add-values', audit: 'always' }, async ({ plane }) => {
        const updated = await plane.policies.addTagValues(key, values);
        await printDone(context, `Tag key ${updated.key} now allows: ${updated.allowedValues.join(', ')}`, { key: updated.key, values: updated.allowedValues });
      });
    });

  tag
    .command('drop-key')
    .argument('<key>')
    .description('Drop a tag key and its assignments (refused while a grant, mask or row filter uses it)')
    .action(async (key: string) => {
      await runGoverned(context, { action: 'tag drop-key', audit: 'always' }, async ({ plane }) => {
        await plane.policies.dropTagKey(key);
        await printDone(context, `Dropped tag key ${key}`);
      });
    });

  tag
    .command('keys')
    .description('List tag keys and their allowed values')
    .action(async () => {
      await runGoverned(context, { action: 'tag keys', audit: 'denials' }, async ({ strata, plane }) => {
        const keys = await plane.policies.listTagKeys();
        const list = context.format === 'json';
        await printRows(context, strata, ['key', 'values', 'description'], keys.map((k) => [k.key, list ? k.allowedValues : k.allowedValues.join(', '), k.description]));
      });
    });

  tag
    .command('set')
    .argument('<target>', 'db, db.table or db.table.column')
    .argument('<pairs...>', 'key=value')
    .description('Assign tags to a database, table or column (replacing its value for each key)')
    .action(async (text: string, pairs: string[]) => {
      await runGoverned(context, { action: 'tag set', audit: 'always' }, async (scope) => {
        const target = await existingTarget(scope, text);
        const assigned: string[] = [];
        for (const [key, value] of pairs.map(parseKeyValue)) {
          await scope.plane.policies.assignTag(target, key, value);
          assigned.push(`${key.toLowerCase()}=${value.toLowerCase()}`);
        }
        await printDone(context, `Tagged ${target.kind} ${formatObjectPath(target)}: ${assigned.join(', ')}`);
      });
    });

  tag
    .command('unset')
    .argument('<target>', 'db, db.table or db.table.column')
    .argument('<key>')
    .description('Remove a tag from a database, table or column')
    .action(async (text: string, key: string) => {
      await runGoverned(context, { action: 'tag unset', audit: 'always' }, async (scope) => {
        const target = parseObjectPath(text);
        touches(scope, target);
        await scope.plane.policies.unassignTag(target, key);
        await printDone(context, `Removed tag ${key.toLowerCase()} from ${target.kind} ${formatObjectPath(target)}`);
      });
    });

  tag
    .command('list')
    .argument('[scope]', 'db or db.table: only tags on it and below')
    .description('List tag assignments (as assigned; effective tags inherit downwards)')
    .action(async (text: string | undefined) => {
      await runGoverned(context, { action: 'tag list', audit: 'denials' }, async ({ strata, plane }) => {
        const target = text === undefined ? undefined : parseObjectPath(text);
        const filter = target === undefined ? {} : target.kind === 'database' ? { database: target.database } : { database: target.database, table: target.table };
        const rows = (await plane.policies.listTagAssignments(filter)).map((a) => [formatObjectPath(a.target), a.target.kind, a.key, a.value]);
        await printRows(context, strata, ['target', 'kind', 'key', 'value'], rows);
      });
    });
}

async function existingTarget(scope: GovernedScope, text: string): Promise<TagTarget> {
  const target = parseObjectPath(text);
  touches(scope, target);
  await requireObject(scope.strata.catalog, target);
  return target;
}

function touches(scope: GovernedScope, target: TagTarget): void {
  if (target.kind !== 'database') scope.tables.push(`${target.database}.${target.table}`);
}
