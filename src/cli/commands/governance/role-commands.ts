/**
 * `strata role create|drop|list|grant|revoke`: roles, given to principals directly or to groups.
 * A role created `--administrator` makes its holders administrators (every check passes, no mask
 * or row filter applies), so give it sparingly.
 */
import type { Command } from 'commander';
import { StrataError } from '../../../core/index.ts';
import type { RoleGrantee } from '../../../governance/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { runGoverned } from './governed-command.ts';
import { isoTime, printDone, printRows } from './report-output.ts';

export function registerRoleCommands(program: Command, context: CliContext): void {
  const role = program
    .command('role')
    .description('Manage roles: create, drop, list, grant (to a principal or group), revoke')
    .addHelpText(
      'after',
      '\nExamples:\n  $ strata role create analyst\n  $ strata role grant analyst --to alice\n  $ strata role grant analyst --to-group eu-team\n  $ strata role revoke analyst --from alice',
    );

  role
    .command('create')
    .argument('<name>')
    .option('--administrator', 'holders of this role are administrators')
    .description('Create a role')
    .action(async (name: string, options: { administrator?: boolean }) => {
      await runGoverned(context, { action: 'role create', audit: 'always' }, async ({ plane }) => {
        const created = await plane.identity.createRole(name, { administrator: options.administrator === true });
        await printDone(context, `Created role ${created.name}${created.administrator ? ' (administrator)' : ''}`);
      });
    });

  role
    .command('drop')
    .argument('<name>')
    .description('Drop a role with its grants')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'role drop', audit: 'always' }, async ({ plane }) => {
        await plane.identity.dropRole(name);
        await printDone(context, `Dropped role ${name}`);
      });
    });

  role
    .command('list')
    .description('List roles')
    .action(async () => {
      await runGoverned(context, { action: 'role list', audit: 'denials' }, async ({ strata, plane }) => {
        const rows = (await plane.identity.listRoles()).map((r) => [r.name, r.administrator, isoTime(r.createdAt)]);
        await printRows(context, strata, ['role', { name: 'administrator', type: 'BOOLEAN' }, 'created_at'], rows);
      });
    });

  role
    .command('grant')
    .argument('<role>')
    .option('--to <principal>', 'give the role to a principal')
    .option('--to-group <group>', 'give the role to every member of a group')
    .description('Give a role to a principal or a group (idempotent)')
    .action(async (name: string, options: { to?: string; toGroup?: string }) => {
      await runGoverned(context, { action: 'role grant', audit: 'always' }, async ({ plane }) => {
        const grantee = roleGrantee(options.to, options.toGroup, '--to', '--to-group');
        await plane.identity.grantRole(name, grantee);
        await printDone(context, `Granted role ${name} to ${describe(grantee)}`);
      });
    });

  role
    .command('revoke')
    .argument('<role>')
    .option('--from <principal>', 'take the role from a principal')
    .option('--from-group <group>', 'take the role from a group')
    .description('Take a role back from a principal or a group')
    .action(async (name: string, options: { from?: string; fromGroup?: string }) => {
      await runGoverned(context, { action: 'role revoke', audit: 'always' }, async ({ plane }) => {
        const grantee = roleGrantee(options.from, options.fromGroup, '--from', '--from-group');
        await plane.identity.revokeRole(name, grantee);
        await printDone(context, `Revoked role ${name} from ${describe(grantee)}`);
      });
    });
}

function roleGrantee(principal: string | undefined, group: string | undefined, principalOption: string, groupOption: string): RoleGrantee {
  if ((principal === undefined) === (group === undefined)) {
    throw new StrataError('INVALID_ARGUMENT', `Give exactly one of ${principalOption} <principal> or ${groupOption} <group>.`, {});
  }
  return principal !== undefined ? { principal } : { group: group ?? '' };
}

function describe(grantee: RoleGrantee): string {
  return 'principal' in grantee ? `principal ${grantee.principal}` : `group ${grantee.group}`;
}
