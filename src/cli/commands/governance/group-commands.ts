/**
 * `strata group create|drop|add|remove|list`: groups of principals. Groups do not nest; a role
 * or grant given to a group reaches every member.
 */
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import { runGoverned } from './governed-command.ts';
import { printDone, printRows } from './report-output.ts';

export function registerGroupCommands(program: Command, context: CliContext): void {
  const group = program
    .command('group')
    .description('Manage groups of principals: create, drop, add, remove, list')
    .addHelpText('after', '\nExamples:\n  $ strata group create eu-team\n  $ strata group add eu-team alice\n  $ strata group list --format json');

  group
    .command('create')
    .argument('<name>')
    .description('Create a group')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'group create', audit: 'always' }, async ({ plane }) => {
        await plane.identity.createGroup(name);
        await printDone(context, `Created group ${name}`);
      });
    });

  group
    .command('drop')
    .argument('<name>')
    .description('Drop a group (its members stay; its role grants and grants go)')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'group drop', audit: 'always' }, async ({ plane }) => {
        await plane.identity.dropGroup(name);
        await printDone(context, `Dropped group ${name}`);
      });
    });

  group
    .command('add')
    .argument('<group>')
    .argument('<principal>')
    .description('Add a principal to a group (idempotent)')
    .action(async (name: string, member: string) => {
      await runGoverned(context, { action: 'group add', audit: 'always' }, async ({ plane }) => {
        await plane.identity.addGroupMember(name, member);
        await printDone(context, `Added ${member} to group ${name}`);
      });
    });

  group
    .command('remove')
    .argument('<group>')
    .argument('<principal>')
    .description('Remove a principal from a group')
    .action(async (name: string, member: string) => {
      await runGoverned(context, { action: 'group remove', audit: 'always' }, async ({ plane }) => {
        await plane.identity.removeGroupMember(name, member);
        await printDone(context, `Removed ${member} from group ${name}`);
      });
    });

  group
    .command('list')
    .description('List groups with their members')
    .action(async () => {
      await runGoverned(context, { action: 'group list', audit: 'denials' }, async ({ strata, plane }) => {
        const rows: unknown[][] = [];
        for (const name of await plane.identity.listGroups()) rows.push([name, await plane.identity.listGroupMembers(name)]);
        if (context.format === 'table' || context.format === 'csv') {
          await printRows(context, strata, ['group', 'members'], rows.map(([g, m]) => [g, (m as string[]).join(', ')]));
        } else {
          await printRows(context, strata, ['group', 'members'], rows);
        }
      });
    });
}
