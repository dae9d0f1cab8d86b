/**
 * `strata config`: the effective configuration and where each value comes from (default, the home's
 * strata.yaml, or an environment variable) — the first thing to run when a setting seems ignored.
 */
import type { Command } from 'commander';
import { CONFIG_KEYS, envVarOf, type ConfigKey } from '../../config/index.ts';
import { redactUrl } from '../../catalog/index.ts';
import type { CliContext } from '../cli-context.ts';
import { rowStreamOf } from '../output/index.ts';

export function registerConfig(program: Command, context: CliContext): void {
  program
    .command('config')
    .description('Print the configuration in force, with the source of each value')
    .addHelpText(
      'after',
      `
Precedence: environment variables (STRATA_*) > <home>/strata.yaml > defaults.

Examples:
  $ strata config
  $ STRATA_DUCKDB_THREADS=2 strata config --format json
  $ strata --home /data/strata config --format csv > config.csv`,
    )
    .action(async () => {
      const config = context.config;
      await context.note(`home: ${config.home}\nfile: ${config.file}${config.fileExists ? '' : ' (not present; run strata init)'}\n`);
      const rows = (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key) => {
        const raw = config.values[key];
        // A catalog URL may carry a password: show where it points, never the secret.
        const value = key === 'catalog.url' && typeof raw === 'string' ? redactUrl(raw) : raw;
        const source = config.sources[key];
        return [key, value === null ? null : String(value), source.kind === 'env' ? `env ${source.origin}` : source.kind === 'file' ? `file ${source.origin}` : 'default', envVarOf(key)];
      });
      await context.render(
        rowStreamOf(
          [
            { name: 'key', type: 'VARCHAR' },
            { name: 'value', type: 'VARCHAR' },
            { name: 'source', type: 'VARCHAR' },
            { name: 'env_var', type: 'VARCHAR' },
          ],
          rows,
        ),
      );
    });
}
