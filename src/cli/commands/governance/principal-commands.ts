/**
 * `strata principal create|list|show|set-attr|disable|enable|drop`: the people and services
 * Strata knows. Attributes (`region=eu`) feed row filters through
 * `current_principal_attribute('region')`.
 *
 * Gotchas: `set-attr` merges (`k=v` sets a key, `k=` removes it, other keys stay). You cannot
 * disable or drop the principal you are running as: that would lock you out mid-command.
 */
import type { Command } from 'commander';
import { StrataError } from '../../../core/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { collectKeyValue, parseKeyValue } from './command-line.ts';
import { runGoverned } from './governed-command.ts';
import { describeRoles, loadPrincipalProfile } from './principal-profile.ts';
import { isoTime, printDone, printReport, printRows } from './report-output.ts';

export function registerPrincipalCommands(program: Command, context: CliContext): void {
  const principal = program
    .command('principal')
    .description('Manage principals (users and services): create, list, show, set-attr, disable, enable, drop')
    .addHelpText(
      'after',
      `
Examples:
  $ strata principal create alice --attr region=eu --attr team=ads
  $ strata principal create etl-nightly --service
  $ strata principal show alice
  $ strata principal set-attr alice region=us team=
  $ strata principal disable alice`,
    );

  principal
    .command('create')
    .argument('<name>', 'lowercase name (letters, digits, . _ @ -)')
    .option('--service', 'a service account (for jobs), not a person')
    .option('--attr <key=value>', 'an attribute for row filters (repeatable)', collectKeyValue, [])
    .description('Create a principal')
    .action(async (name: string, options: { service?: boolean; attr: [string, string][] }) => {
      await runGoverned(context, { action: 'principal create', audit: 'always' }, async ({ plane }) => {
        const attributes = Object.fromEntries(options.attr);
        const created = await plane.identity.createPrincipal(name, { kind: options.service === true ? 'service' : 'user', attributes });
        await printDone(context, `Created ${created.kind} ${created.name}`, { principal: created.name, kind: created.kind });
      });
    });

  principal
    .command('list')
    .description('List principals')
    .action(async () => {
      await runGoverned(context, { action: 'principal list', audit: 'denials' }, async ({ strata, plane }) => {
        const rows = [];
        for (const p of await plane.identity.listPrincipals()) {
          const roles = await plane.identity.effectiveRoles(p.name);
          rows.push([p.name, p.kind, p.disabled, roles.some((r) => r.administrator), roles.map((r) => r.name).join(', '), attributeText(p.attributes), isoTime(p.createdAt)]);
        }
        await printRows(
          context,
          strata,
          ['name', 'kind', { name: 'disabled', type: 'BOOLEAN' }, { name: 'administrator', type: 'BOOLEAN' }, 'roles', 'attributes', 'created_at'],
          rows,
        );
      });
    });

  principal
    .command('show')
    .argument('<name>')
    .description('Show a principal: administrator flag, groups, effective roles (and how), attributes')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'principal show', audit: 'denials', self: name }, async ({ strata, plane }) => {
        const profile = await loadPrincipalProfile(plane.identity, name);
        await printReport(context, strata, {
          heading: [
            `principal:     ${profile.principal.name} (${profile.principal.kind}${profile.principal.disabled ? ', DISABLED' : ''})`,
            `administrator: ${profile.administrator ? 'yes' : 'no'}`,
            `created:       ${isoTime(profile.principal.createdAt) ?? ''}`,
          ],
          sections: [
            { title: 'Groups', columns: ['group'], rows: profile.groups.map((g) => [g]), empty: '(none)' },
            { title: 'Effective roles', columns: ['role', { name: 'administrator', type: 'BOOLEAN' }, 'how'], rows: describeRoles(profile.roles), empty: '(none)' },
            { title: 'Attributes', columns: ['key', 'value'], rows: Object.entries(profile.principal.attributes), empty: '(none)' },
          ],
          json: {
            name: profile.principal.name,
            kind: profile.principal.kind,
            disabled: profile.principal.disabled,
            administrator: profile.administrator,
            created_at: isoTime(profile.principal.createdAt),
            groups: profile.groups,
            roles: profile.roles,
            attributes: profile.principal.attributes,
          },
        });
      });
    });

  principal
    .command('set-attr')
    .argument('<name>')
    .argument('<pairs...>', 'key=value sets a key, key= removes it')
    .description("Change a principal's attributes (other keys stay)")
    .action(async (name: string, pairs: string[]) => {
      await runGoverned(context, { action: 'principal set-attr', audit: 'always' }, async ({ plane }) => {
        const attributes: Record<string, string> = { ...(await plane.identity.getPrincipal(name)).attributes };
        for (const [key, value] of pairs.map(parseKeyValue)) {
          if (value === '') delete attributes[key];
          else attributes[key] = value;
        }
        await plane.identity.setPrincipalAttributes(name, attributes);
        await printDone(context, `Attributes of ${name}: ${attributeText(attributes) || '(none)'}`, { principal: name, attributes });
      });
    });

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    principal
      .command(verb)
      .argument('<name>')
      .description(disabled ? 'Disable a principal: no token authenticates as it, no CLI command runs as it' : 'Enable a disabled principal again')
      .action(async (name: string) => {
        await runGoverned(context, { action: `principal ${verb}`, audit: 'always' }, async ({ plane, principal: me }) => {
          if (disabled) refuseSelf(name, me, 'disable');
          await plane.identity.setPrincipalDisabled(name, disabled);
          await printDone(context, `${disabled ? 'Disabled' : 'Enabled'} ${name}`);
        });
      });
  }

  principal
    .command('drop')
    .argument('<name>')
    .description('Drop a principal with its memberships, role grants, tokens and grants')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'principal drop', audit: 'always' }, async ({ plane, principal: me }) => {
        refuseSelf(name, me, 'drop');
        await plane.identity.dropPrincipal(name);
        await printDone(context, `Dropped principal ${name}`);
      });
    });
}

function refuseSelf(name: string, me: string, verb: string): void {
  if (name === me) {
    throw new StrataError('INVALID_ARGUMENT', `You cannot ${verb} ${name}: the command runs as it. Run it as another administrator.`, { principal: name });
  }
}

export function attributeText(attributes: Readonly<Record<string, string>>): string {
  return Object.entries(attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
