#!/usr/bin/env node
/**
 * The `strata` command's entry point: builds the program, runs it, and turns any failure into a
 * message on stderr and an exit code (mapped in exit-codes.ts, documented in docs/cli.md).
 */
import { CommanderError } from 'commander';
import { StrataError } from '../core/index.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';
import { buildProgram } from './program.ts';

// `strata … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.OK);
  throw error;
});

const { program } = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has already printed the message (or the help); help and --version are not errors.
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0;
    process.exit(ok ? ExitCode.OK : ExitCode.USAGE);
  }
  if (error instanceof StrataError) {
    process.stderr.write(`strata: ${error.message} [${error.code}]\n`);
  } else {
    process.stderr.write(`strata: unexpected error: ${error instanceof Error ? (process.env['STRATA_DEBUG'] ? error.stack : error.message) : String(error)}\n`);
    if (!process.env['STRATA_DEBUG']) process.stderr.write('strata: set STRATA_DEBUG=1 for the stack trace, and please report it.\n');
  }
  process.exit(exitCodeFor(error));
}
