/**
 * `strata sql "<statements>"`: runs one statement or a `;`-separated script over the catalog and
 * prints the last statement's result in the chosen format. `-` reads the script from stdin.
 */
import type { EngineName } from '../../config/index.ts';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { StrataError } from '../../core/index.ts';
import type { CliContext } from '../cli-context.ts';
import { runRemoteSql } from './remote-sql.ts';
import { interruptSignal, openSqlRunner } from './sql-runner.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerSql(program: Command, context: CliContext): void {
  program
    .command('sql')
    .argument('[statements]', 'SQL to run ("-" reads it from stdin)')
    .option('-f, --file <file>', 'read the SQL from a file')
    .option('--server <url>', "run on a Strata server's query service (e.g. http://127.0.0.1:8181) instead of the embedded engine")
    .option('--token <token>', 'bearer token for --server (default: $STRATA_TOKEN)')
    .option('--workgroup <name>', 'workgroup for --server (default: primary)')
    .option('--no-reuse', 'with --server: run the query even if an identical one has a stored result')
    .option('--engine <engine>', 'duckdb (embedded) or spark (the cluster of strata compute up / compute.spark.url); default: query.engine')
    .description('Run SQL over the catalog (queries, CTAS, INSERT, DELETE, ALTER, SHOW, DESCRIBE, time travel)')
    .addHelpText(
      'after',
      `
Examples:
  $ strata sql "CREATE DATABASE sales"
  $ strata sql "SELECT day, sum(amount) FROM sales.orders GROUP BY day ORDER BY day"
  $ strata sql "SELECT * FROM sales.orders FOR VERSION AS OF 123456789" --format json
  $ strata sql "SELECT * FROM sales.orders" --format parquet --output orders.parquet
  $ strata sql -f nightly.sql
  $ echo "SHOW TABLES" | strata sql -
  $ strata sql --server http://127.0.0.1:8181 --token $TOKEN "SELECT count(*) FROM sales.orders"
  $ strata sql --engine spark "SELECT region, count(*) FROM sales.orders GROUP BY region"
See docs/sql.md for the statements and docs/cli.md for output formats.`,
    )
    .action(async (statements: string | undefined, options: { file?: string; server?: string; token?: string; workgroup?: string; reuse: boolean; engine?: string }) => {
      const engine = options.engine === undefined ? undefined : engineName(options.engine);
      const sql = options.file !== undefined ? await readFile(options.file, 'utf8') : statements === '-' ? await readStdin() : statements;
      if (sql === undefined || sql.trim() === '') {
        throw new StrataError('INVALID_ARGUMENT', 'Give the SQL to run: strata sql "SELECT …", strata sql -f file.sql, or strata sql - (stdin).', {});
      }
      void context.format; // validate --format before opening the home
      if (options.server !== undefined) {
        const interrupt = interruptSignal();
        try {
          await runRemoteSql(context, sql, {
            server: options.server,
            reuse: options.reuse,
            signal: interrupt.signal,
            ...(options.token === undefined ? {} : { token: options.token }),
            ...(options.workgroup === undefined ? {} : { workgroup: options.workgroup }),
          });
        } finally {
          interrupt.dispose();
        }
        return;
      }
      await context.withHome(async (strata) => {
        const runner = await openSqlRunner(context, strata, engine === undefined ? {} : { engine });
        const interrupt = interruptSignal();
        try {
          await runner.run(sql, interrupt.signal);
        } finally {
          interrupt.dispose();
          await runner.close();
        }
      });
    });
}

function engineName(text: string): EngineName {
  if (text === 'duckdb' || text === 'spark') return text;
  throw new StrataError('INVALID_ARGUMENT', `--engine must be duckdb or spark, not ${JSON.stringify(text)}`, { engine: text });
}
