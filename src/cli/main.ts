#!/usr/bin/env node
/**
 * The `strata` command. Commands arrive plane by plane; today: `demo`.
 */
import { Command } from 'commander';
import { defaultHome } from '../catalog/index.ts';
import { StrataError } from '../core/index.ts';
import { runDemo } from './demo.ts';

const program = new Command()
  .name('strata')
  .description('Strata: one lake of Apache Iceberg tables, one catalog, disposable compute.')
  .option('--home <dir>', 'Strata home directory (default: $STRATA_HOME or ./.strata)');

program
  .command('demo')
  .description('Run the main job on embedded defaults: create, write, evolve, prune, time-travel an Iceberg table')
  .action(async () => {
    const home = (program.opts<{ home?: string }>().home) ?? defaultHome();
    await runDemo({ home });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof StrataError) {
    console.error(`strata: ${error.message} [${error.code}]`);
    process.exit(2);
  }
  throw error;
}
