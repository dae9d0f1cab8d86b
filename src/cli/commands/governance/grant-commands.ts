/**
 * `strata grant <words…>` and `strata revoke <words…>`: the words are joined and run as the SQL
 * statement `GRANT …` / `REVOKE …` through a governed SQL session, so the command line and SQL
 * share one grammar, one rights check (administrators, or holders WITH GRANT OPTION) and one
 * audit trail. Quote the words your shell would otherwise eat:
 *
 *   strata grant SELECT "(a, b)" ON ads.events TO ROLE analyst
 *   strata grant SELECT ON TAGS "domain=ads AND pii=false" TO ROLE analyst WITH GRANT OPTION
 *   strata revoke SELECT ON ads.events FROM ROLE analyst
 */
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import { openSqlRunner } from '../sql-runner.ts';

export function registerGrantCommands(program: Command, context: CliContext): void {
  for (const verb of ['grant', 'revoke'] as const) {
    const keyword = verb.toUpperCase();
    program
      .command(verb)
      .argument('<words...>', `the rest of a ${keyword} statement`)
      .description(`${verb === 'grant' ? 'Grant privileges' : 'Revoke privileges'} (same grammar as SQL ${keyword}; see docs/sql.md)`)
      .addHelpText(
        'after',
        verb === 'grant'
          ? `
Examples:
  $ strata grant SELECT ON ads.events TO ROLE analyst
  $ strata grant SELECT "(a, b)" ON ads.events TO GROUP eu-team
  $ strata grant SELECT ON TAGS "domain=ads AND pii=false" TO ROLE analyst WITH GRANT OPTION
  $ strata grant ALL PRIVILEGES ON DATABASE ads TO USER alice`
          : `
Examples:
  $ strata revoke SELECT ON ads.events FROM ROLE analyst
  $ strata revoke GRANT OPTION FOR SELECT ON DATABASE ads FROM alice`,
      )
      .action(async (words: string[]) => {
        void context.format;
        await context.withHome(async (strata) => {
          const runner = await openSqlRunner(context, strata);
          try {
            await runner.run(`${keyword} ${words.join(' ')}`);
          } finally {
            await runner.close();
          }
        });
      });
  }
}
