/**
 * The `strata` command tree: global options, then one register function per command. Kept apart
 * from main.ts so tests and other entry points can build the same program.
 */
import { Command, InvalidArgumentError } from 'commander';
import { OUTPUT_FORMATS } from '../config/index.ts';
import type { StrataHome } from '../catalog/index.ts';
import { StrataError } from '../core/index.ts';
import { sparkCompute } from './commands/spark-compute.ts';
import { CliContext } from './cli-context.ts';
import { registerCatalogListing } from './commands/catalog-listing-commands.ts';
import { registerConfig } from './commands/config-command.ts';
import { registerDescribe } from './commands/describe-command.ts';
import { registerIngest } from './commands/ingest-command.ts';
import { initHome, registerInit } from './commands/init-command.ts';
import { registerSnapshots } from './commands/snapshots-command.ts';
import { registerSql } from './commands/sql-command.ts';
import { registerShell } from './shell/shell-command.ts';
import { registerServe } from './commands/serve-command.ts';
import { registerCompute } from './commands/compute-command.ts';
import { registerPipelineCommands } from './commands/pipeline/pipeline-commands.ts';
import { registerStreamCommands } from './commands/stream/stream-commands.ts';
import { registerQualityCommands } from './commands/quality/quality-commands.ts';
import { registerAccessCommands } from './commands/governance/access-commands.ts';
import { registerAuditCommands } from './commands/governance/audit-commands.ts';
import { registerGrantCommands } from './commands/governance/grant-commands.ts';
import { registerGroupCommands } from './commands/governance/group-commands.ts';
import { registerMaskCommands } from './commands/governance/mask-commands.ts';
import { registerPrincipalCommands } from './commands/governance/principal-commands.ts';
import { registerRoleCommands } from './commands/governance/role-commands.ts';
import { registerRowFilterCommands } from './commands/governance/row-filter-commands.ts';
import { registerTagCommands } from './commands/governance/tag-commands.ts';
import { registerTokenCommands } from './commands/governance/token-commands.ts';
import { runAdTechDemo } from '../demo/adtech-pipeline.ts';
import { runLakeTour } from '../demo/lake-tour.ts';

export function buildProgram(): { program: Command; context: CliContext } {
  const program = new Command()
    .name('strata')
    .description('Strata: one lake of Apache Iceberg tables, one catalog, disposable compute.')
    // Throw instead of exiting, so main.ts maps every failure to an exit code in one place.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .option('--home <dir>', 'Strata home directory (default: $STRATA_HOME, else ./.strata)')
    // No commander `.choices()`: `strata ingest` reads --format as its INPUT format (ndjson included),
    // because commander gives a program option to the program wherever it appears on the line.
    .option('--format <format>', `output format: ${OUTPUT_FORMATS.join(', ')} (default: output.format from config, else table); for ingest, the input format`)
    .option('-o, --output <file>', 'write the output to a file instead of stdout (required for --format parquet)')
    .option('--as <principal>', 'run the command as another principal, to try policies out (administrators only)')
    .addHelpText(
      'after',
      `
Examples:
  $ strata init
  $ strata tables
  $ strata describe sales.orders --format json
  $ strata --home /data/strata snapshots sales.orders --format csv

Exit codes: 0 ok, 1 unexpected, 2 usage/invalid input, 3 not found, 4 conflict,
5 data quality/ingest failure, 6 access denied, 124 timeout, 130 cancelled. Details: docs/cli.md`,
    );
  const context = new CliContext(program);

  registerInit(program, context);
  registerConfig(program, context);
  registerCatalogListing(program, context);
  registerDescribe(program, context);
  registerSnapshots(program, context);
  registerSql(program, context);
  registerShell(program, context);
  registerServe(program, context);
  registerCompute(program, context);
  registerPipelineCommands(program, context);
  registerStreamCommands(program, context);
  registerQualityCommands(program, context);
  registerIngest(program, context);
  registerPrincipalCommands(program, context);
  registerGroupCommands(program, context);
  registerRoleCommands(program, context);
  registerTokenCommands(program, context);
  registerGrantCommands(program, context);
  registerAccessCommands(program, context);
  registerTagCommands(program, context);
  registerMaskCommands(program, context);
  registerRowFilterCommands(program, context);
  registerAuditCommands(program, context);

  program
    .command('demo')
    .description(
      'Run the main job as a pipeline: generate ad-tech events, ingest them into raw, process behind a DQDL gate, curate, backfill, answer a question',
    )
    .option('--scale <n>', 'grow the data set (1 ≈ 30,000 events over 7 days)', parsePositiveNumber, 1)
    .option('--engine <engine>', 'run the SQL and quality steps on duckdb (embedded) or spark (a transient local cluster)', 'duckdb')
    .addHelpText(
      'after',
      '\nInitialises the home first if needed (as strata init). Running it again changes nothing: every day already has a successful run.\n\nExamples:\n  $ strata demo\n  $ strata demo --scale 10\n  $ strata demo --engine spark\n  $ strata --home /tmp/strata-demo demo',
    )
    .action(async (options: { scale: number; engine: string }) => {
      if (options.engine !== 'duckdb' && options.engine !== 'spark') throw new StrataError('INVALID_ARGUMENT', `--engine must be duckdb or spark, not ${JSON.stringify(options.engine)}`);
      // So that the commands the demo suggests (strata sql, pipeline runs …) work on its home.
      await initHome(context.home);
      const config = context.config.values;
      await runAdTechDemo({
        home: context.home,
        homeOptions: context.homeOptions(),
        scale: options.scale,
        ...(options.engine === 'spark' ? { spark: (strata: StrataHome) => sparkCompute({ strata, config, homeOptions: context.homeOptions() }) } : {}),
      });
    });

  program
    .command('tour')
    .description("A narrated tour of the lake's Iceberg tables: partitioning, pruning, schema and spec evolution, overwrite, delete, branches, time travel")
    .addHelpText('after', '\nExamples:\n  $ strata tour\n  $ strata --home /tmp/strata-tour tour')
    .action(async () => {
      await runLakeTour({ home: context.home });
    });

  return { program, context };
}

function parsePositiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`expected a positive number, got "${text}"`);
  return value;
}
