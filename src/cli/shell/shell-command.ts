/**
 * `strata shell`: an interactive SQL prompt over the catalog. Statements may span lines and run when
 * a line ends the statement with `;` (statement-buffer.ts). Dot commands: `.help`, `.format <f>`,
 * `.exit`. History is kept in `<home>/.strata_history` (terminal sessions only).
 *
 * Ctrl-C cancels the running query, or clears a half-typed statement; Ctrl-D or `.exit` quits.
 * With stdin from a pipe there is no prompt, an unterminated last statement still runs, and the
 * exit code is that of the last failed statement (0 when all succeeded) so scripts can check it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { OUTPUT_FORMATS, type OutputFormat } from '../../config/index.ts';
import { StrataError } from '../../core/index.ts';
import type { CliContext } from '../cli-context.ts';
import { openSqlRunner } from '../commands/sql-runner.ts';
import { exitCodeFor } from '../exit-codes.ts';
import { isCompleteStatement } from './statement-buffer.ts';

const HISTORY_FILE = '.strata_history';
const HISTORY_SIZE = 1000;
const PROMPT = 'strata> ';
const CONTINUATION = '   ...> ';

const HELP = `Statements end with ; and may span lines. Examples:
  SHOW DATABASES;
  SELECT * FROM sales.orders LIMIT 10;
  SELECT count(*) FROM sales.orders FOR VERSION AS OF 123456789;
Dot commands:
  .help              this text
  .format <format>   table, json or csv (parquet needs --output; use strata sql)
  .exit              quit (also .quit or Ctrl-D)
Ctrl-C cancels a running query or clears the statement being typed.
`;

export function registerShell(program: Command, context: CliContext): void {
  program
    .command('shell')
    .description('Interactive SQL shell: multi-line statements ending in ;, history, .help')
    .addHelpText(
      'after',
      `
Examples:
  $ strata shell
  $ strata --format json shell
  $ strata shell < script.sql          # no prompt; exit code of the last failed statement`,
    )
    .action(async () => {
      void context.format;
      await context.withHome(async (strata) => {
        const interactive = process.stdin.isTTY === true;
        // Opened before readline starts reading: piped lines that arrive while it opens would be lost.
        const runner = await openSqlRunner(context, strata);
        const historyPath = join(strata.home, HISTORY_FILE);
        const history = interactive && existsSync(historyPath) ? readFileSync(historyPath, 'utf8').split('\n').filter(Boolean).reverse() : [];
        const rl = createInterface({
          input: process.stdin,
          output: process.stdout,
          terminal: interactive,
          history,
          historySize: HISTORY_SIZE,
          removeHistoryDuplicates: true,
        });
        let latestHistory = history;
        rl.on('history', (h: string[]) => {
          latestHistory = h;
        });
        let buffer = '';
        let running: AbortController | undefined;
        let lastFailure = 0;
        const prompt = () => {
          if (!interactive) return;
          rl.setPrompt(buffer === '' ? PROMPT : CONTINUATION);
          rl.prompt();
        };
        rl.on('SIGINT', () => {
          if (running !== undefined) running.abort();
          else {
            buffer = '';
            process.stdout.write('^C\n');
            prompt();
          }
        });
        const execute = async (sql: string) => {
          running = new AbortController();
          try {
            await runner.run(sql, running.signal);
            // Interactively the exit code follows the last statement; a piped script keeps its
            // first failure, so a CI job running `strata shell < script.sql` cannot pass silently.
            if (interactive) lastFailure = 0;
          } catch (error) {
            if (!(error instanceof StrataError)) throw error;
            process.stderr.write(`error: ${error.message} [${error.code}]\n`);
            lastFailure = exitCodeFor(error);
          } finally {
            running = undefined;
          }
        };

        try {
          if (interactive) process.stdout.write(`Strata shell on ${strata.home}. End statements with ;  Type .help for help.\n`);
          prompt();
          for await (const line of rl) {
            if (buffer === '' && line.trim().startsWith('.')) {
              const [command, argument] = line.trim().split(/\s+/);
              if (command === '.exit' || command === '.quit') break;
              if (command === '.help') process.stdout.write(HELP);
              else if (command === '.format' && argument !== undefined && (OUTPUT_FORMATS as readonly string[]).includes(argument) && argument !== 'parquet') {
                context.format = argument as OutputFormat;
              } else {
                process.stderr.write(`error: unknown dot command ${line.trim()}; type .help\n`);
                lastFailure = 2;
              }
              prompt();
              continue;
            }
            buffer = buffer === '' ? line : `${buffer}\n${line}`;
            if (isCompleteStatement(buffer)) {
              const sql = buffer;
              buffer = '';
              await execute(sql);
            } else if (buffer.trim() === '') {
              buffer = '';
            }
            prompt();
          }
          if (buffer.trim() !== '') await execute(buffer);
        } finally {
          rl.close();
          await runner.close();
          if (interactive) writeFileSync(historyPath, `${[...latestHistory].reverse().join('\n')}\n`);
        }
        if (!interactive && lastFailure !== 0) process.exitCode = lastFailure;
      });
    });
}
