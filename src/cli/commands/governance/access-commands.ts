/**
 * `strata access show <principal>` (its whole access: grants, masks, row filters) and
 * `strata access explain <principal> "<query>"` (what one query would do as that principal,
 * decided without running it). Both are for administrators or the principal itself. `explain` by
 * an administrator for someone else is audited (it reveals policy), as `access explain`.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { DuckDbEngine } from '../../../engine/index.ts';
import { SqlSession } from '../../../sql/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { accessProfile } from './access-profile.ts';
import { explanationReport } from './access-explain.ts';
import { runGoverned } from './governed-command.ts';
import { loadPrincipalProfile, describeRoles } from './principal-profile.ts';
import { attributeText } from './principal-commands.ts';
import { printReport, type ReportSection } from './report-output.ts';

export function registerAccessCommands(program: Command, context: CliContext): void {
  const access = program
    .command('access')
    .description("Inspect a principal's access: show (grants, masks, row filters), explain (one query)")
    .addHelpText(
      'after',
      `
Examples:
  $ strata access show alice
  $ strata access show alice --format json
  $ strata access explain alice "SELECT email, region FROM ads.events"`,
    );

  access
    .command('show')
    .argument('<principal>')
    .description('Everything that decides what a principal can read: roles, grants, masks, row filters')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'access show', audit: 'denials', self: name }, async ({ strata, plane }) => {
        const profile = await loadPrincipalProfile(plane.identity, name);
        const access = accessProfile(profile, await plane.policies.snapshot());
        const p = profile.principal;
        const sections: ReportSection[] = [
          { title: 'Effective roles', columns: ['role', { name: 'administrator', type: 'BOOLEAN' }, 'how'], rows: describeRoles(profile.roles), empty: '(none)' },
          {
            title: 'Grants',
            columns: ['id', 'privilege', 'on', 'via', { name: 'grant_option', type: 'BOOLEAN' }, 'granted_by'],
            rows: access.grants.map((g) => [g.id, g.privilege, g.securable, g.via, g.withGrantOption, g.grantedBy]),
            empty: profile.administrator ? '(none needed: administrators pass every check)' : '(none: it can read nothing)',
          },
          {
            title: 'Masks',
            columns: ['target', 'mask', 'function', 'status'],
            rows: access.masks.map((m) => [m.target, m.mask, m.function, m.status]),
            empty: '(none)',
          },
          {
            title: 'Row filters',
            columns: ['row_filter', 'target', 'predicate', 'bound predicate', 'status'],
            rows: access.rowFilters.map((f) => [f.name, f.target, f.predicate, f.boundPredicate, f.status]),
            empty: '(none)',
          },
        ];
        await printReport(context, strata, {
          heading: [
            `principal:     ${p.name} (${p.kind}${p.disabled ? ', DISABLED' : ''})`,
            `administrator: ${profile.administrator ? 'yes (every check passes; no mask or row filter applies)' : 'no'}`,
            `groups:        ${profile.groups.join(', ') || '(none)'}`,
            `attributes:    ${attributeText(p.attributes) || '(none)'}`,
          ],
          sections,
          json: {
            principal: p.name,
            kind: p.kind,
            disabled: p.disabled,
            administrator: profile.administrator,
            groups: profile.groups,
            attributes: p.attributes,
            roles: profile.roles,
            grants: access.grants,
            masks: access.masks,
            rowFilters: access.rowFilters,
          },
        });
      });
    });

  access
    .command('explain')
    .argument('<principal>')
    .argument('<query>', 'one SQL statement')
    .description('What one statement would read as a principal: privilege checks, columns (readable/masked/hidden), row filters')
    .action(async (name: string, query: string) => {
      const self = name === context.principal;
      await runGoverned(context, { action: 'access explain', audit: self ? 'denials' : 'always', self: name }, async ({ strata, plane }) => {
        const profile = await loadPrincipalProfile(plane.identity, name);
        const values = context.config.values;
        const engine = DuckDbEngine.create(strata.runtime, { poolSize: values['duckdb.pool_size'] });
        try {
          const actingAs = self ? context.actingAs : context.principal;
          const governor = await plane.governorFor(name, engine, actingAs === undefined ? {} : { actingAs });
          // As in `strata sql`: SQL decided for a non-administrator never meets an unlocked DuckDB.
          if (!governor.principal.administrator && !strata.runtime.sandboxed) await strata.runtime.sandbox([join(strata.home, 'lake')]);
          const session = await SqlSession.open({ catalog: strata.catalog, engine, runtime: strata.runtime, governor });
          try {
            await printReport(context, strata, explanationReport(await session.explainAccess(query), profile));
          } finally {
            await session.close();
          }
        } finally {
          await engine.close();
        }
      });
    });
}
