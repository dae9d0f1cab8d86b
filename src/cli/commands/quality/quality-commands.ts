/**
 * `strata quality …`: check a table with a DQDL ruleset, look at stored results, and list the rows
 * that fail. Checks run as the CLI's principal, governed (see quality-session.ts). See
 * docs/quality.md.
 *
 * Exit codes of `check` (and `failed-rows`): 0 every rule passed, 5 a rule failed or errored
 * (QUALITY_CHECK_FAILED, after the report is printed), 2 the rules file has a syntax error
 * (`file:line:column: …`).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { StrataError } from '../../../core/index.ts';
import type { StrataHome } from '../../../catalog/index.ts';
import { checkTable, fetchFailedRows, type TableCheckResult } from '../../../quality/check/index.ts';
import type { RuleOutcome } from '../../../quality/evaluate/evaluation.ts';
import { QualityResultsTable, type StoredRuleResult } from '../../../quality/results/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { rowStreamOf } from '../../output/index.ts';
import { commandLineText } from '../governance/command-line.ts';
import { checkJson, checkSummary, ruleRows } from './check-report.ts';
import { openGovernedSession } from '../governed-session.ts';
import { readRulesFile } from './rules-file.ts';

interface CheckOptions {
  readonly rules: string;
  readonly ruleset?: string;
  readonly branch?: string;
  readonly where?: string;
  readonly json?: boolean;
  readonly record: boolean;
}

interface FailedRowsOptions {
  readonly rules: string;
  readonly branch?: string;
  readonly where?: string;
  readonly limit: number;
}

interface ResultsOptions {
  readonly run?: string;
  readonly outcome?: RuleOutcome;
  readonly ruleset?: string;
  readonly limit: number;
  readonly json?: boolean;
}

const OUTCOMES: readonly RuleOutcome[] = ['passed', 'failed', 'error'];

export function registerQualityCommands(program: Command, context: CliContext): void {
  const quality = program.command('quality').description('Data quality: check tables with DQDL rules, stored results, failing rows');

  quality
    .command('check')
    .argument('<table>', 'the table to check, as db.table')
    .requiredOption('--rules <file>', 'a DQDL ruleset file (Rules = [ … ])')
    .option('--ruleset <name>', 'the name results are recorded under (default: the rules file name without extension)')
    .option('--branch <branch>', 'check the head of this branch or tag instead of main')
    .option('--where <sql>', 'check only the rows matching this SQL predicate (e.g. a partition)')
    .option('--json', 'print the whole result as one JSON object')
    .option('--no-record', 'do not record the results in system.quality_results (dynamic rules still read its history)')
    .description('Evaluate a DQDL ruleset on a table; exit 5 when a rule fails')
    .addHelpText(
      'after',
      `
Examples:
  $ strata quality check sales.orders --rules orders.dqdl
  $ strata quality check sales.orders --rules orders.dqdl --where "day = DATE '2024-03-01'" --json
  $ strata quality check sales.orders --rules orders.dqdl --branch wap-run1-load --no-record
Exit codes: 0 all rules passed, 5 a rule failed or errored, 2 a syntax error in the rules file.`,
    )
    .action(async (table: string, options: CheckOptions) => {
      const rules = await readRulesFile(options.rules);
      if (options.json !== true) void context.format; // an invalid --format fails before anything is opened
      const check = await context.withHome(async (strata) => {
        const results = await QualityResultsTable.open(strata.catalog);
        return runCheck(context, strata, {
          table,
          rules: rules.text,
          ruleset: options.ruleset ?? rules.name,
          branch: options.branch,
          where: options.where,
          results,
          record: options.record,
          print: async (done) => {
            if (options.json === true) {
              await context.stdout.write(`${checkJson(done)}\n`);
              return;
            }
            await context.render(ruleRows(done), strata);
            await context.note(checkSummary(done));
          },
        });
      });
      failUnlessPassed(check, options.rules);
    });

  quality
    .command('failed-rows')
    .argument('<table>', 'the table to check, as db.table')
    .requiredOption('--rules <file>', 'a DQDL ruleset file')
    .option('--branch <branch>', 'check the head of this branch or tag instead of main')
    .option('--where <sql>', 'check only the rows matching this SQL predicate')
    .option('--limit <n>', 'print at most n rows', parseCount, 100)
    .description('Print the rows failing the ruleset\'s row-level rules, with the rules each one broke (_dq_failed_rules)')
    .addHelpText(
      'after',
      `
Only row-level rules (IsComplete, ColumnValues, IsUnique …) name rows; dataset-level ones (RowCount,
Mean …) fail as a whole. Nothing is recorded.

Examples:
  $ strata quality failed-rows sales.orders --rules orders.dqdl
  $ strata quality failed-rows sales.orders --rules orders.dqdl --limit 10 --format csv`,
    )
    .action(async (table: string, options: FailedRowsOptions) => {
      const rules = await readRulesFile(options.rules);
      void context.format;
      await context.withHome(async (strata) => {
        const opened = await openGovernedSession(context, strata);
        try {
          const check = await checkTable({
            session: opened.session,
            table,
            rules: rules.text,
            ruleset: rules.name,
            branch: options.branch,
            where: options.where,
            results: await QualityResultsTable.open(strata.catalog),
            record: false,
          });
          const failed = await fetchFailedRows(opened.session, check, options.limit);
          await context.render({ columns: failed.columns, rows: oneBatch(failed.rows) }, strata);
          const datasetLevel = check.rules.filter((r) => r.outcome !== 'passed' && r.passingRows === undefined).map((r) => r.rule);
          if (datasetLevel.length > 0) await context.note(`Also failing, as a whole (no rows to show): ${datasetLevel.join('; ')}`);
        } finally {
          await opened.close();
        }
      });
    });

  quality
    .command('results')
    .argument('[table]', 'only results of this table (db.table)')
    .option('--run <id>', "only results recorded by this pipeline run")
    .option('--outcome <outcome>', `only rules with this outcome: ${OUTCOMES.join(', ')}`, parseOutcome)
    .option('--ruleset <name>', 'only results of this ruleset')
    .option('--limit <n>', 'at most n results (newest first)', parseCount, 50)
    .option('--json', 'print JSON lines (same as --format json)')
    .description('Stored rule results from system.quality_results, newest first')
    .addHelpText(
      'after',
      `
Administrators see every result; others see results of tables they may SELECT.

Examples:
  $ strata quality results sales.orders
  $ strata quality results --outcome failed --limit 20
  $ strata quality results --run 01HV… --json`,
    )
    .action(async (table: string | undefined, options: ResultsOptions) => {
      if (options.json === true) context.format = 'json';
      void context.format;
      await context.withHome(async (strata) => {
        const listed = await context.governed(strata, 'quality results', commandLineText(), async (guard) => {
          const results = await QualityResultsTable.open(strata.catalog);
          const filter = {
            ...(table === undefined ? {} : { dataset: table }),
            ...(options.run === undefined ? {} : { runId: options.run }),
            ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
            ...(options.ruleset === undefined ? {} : { ruleset: options.ruleset }),
          };
          if (guard.principal.administrator) return results.list({ ...filter, limit: options.limit });
          if (table !== undefined) {
            guard.require('SELECT', onTable(table));
            return results.list({ ...filter, limit: options.limit });
          }
          // Not an administrator: only tables the principal may read (the limit applies after that).
          const readable = (await results.list({ ...filter, limit: options.limit * 20 })).filter(
            (r) => guard.decidePrivilege('SELECT', onTable(r.dataset)).allowed,
          );
          return readable.slice(0, options.limit);
        });
        await context.render(resultRows(listed), strata);
      });
    });
}

interface CheckRun {
  readonly table: string;
  readonly rules: string;
  readonly ruleset: string;
  readonly branch: string | undefined;
  readonly where: string | undefined;
  readonly results: QualityResultsTable;
  readonly record: boolean;
  readonly print: (check: TableCheckResult) => Promise<void>;
}

/** Evaluates through a governed session, prints, then records (so a failed recording still shows the outcome). */
async function runCheck(context: CliContext, strata: StrataHome, run: CheckRun): Promise<TableCheckResult> {
  const opened = await openGovernedSession(context, strata);
  let check: TableCheckResult;
  try {
    check = await checkTable({
      session: opened.session,
      table: run.table,
      rules: run.rules,
      ruleset: run.ruleset,
      branch: run.branch,
      where: run.where,
      // Dynamic rules read history from it; recording happens below, after printing.
      results: run.results,
      record: false,
    });
  } finally {
    await opened.close();
  }
  await run.print(check);
  if (run.record) await run.results.record(check);
  return check;
}

function failUnlessPassed(check: TableCheckResult, rulesFile: string): void {
  if (check.passed) return;
  const failed = check.rules.filter((r) => r.outcome !== 'passed');
  throw new StrataError(
    'QUALITY_CHECK_FAILED',
    `${failed.length} of ${check.rules.length} rule(s) did not pass on ${check.table}: ${failed.map((r) => r.rule).join('; ')}. ` +
      `See the failing rows with: strata quality failed-rows ${check.table} --rules ${rulesFile}`,
    { table: check.table, evaluationId: check.evaluationId, failedRules: failed.map((r) => r.rule) },
  );
}

function resultRows(results: readonly StoredRuleResult[]) {
  return rowStreamOf(
    [
      { name: 'evaluated_at', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'dataset' },
      { name: 'branch' },
      { name: 'ruleset' },
      { name: 'rule' },
      { name: 'outcome' },
      { name: 'observed_value', type: 'DOUBLE' },
      { name: 'message' },
      { name: 'run_id' },
      { name: 'evaluation_id' },
      { name: 'snapshot_id', type: 'BIGINT' },
    ],
    results.map((r) => [
      r.evaluatedAt,
      r.dataset,
      r.branch ?? null,
      r.ruleset ?? null,
      r.rule,
      r.outcome,
      r.observed ?? null,
      r.message ?? null,
      r.runId ?? null,
      r.evaluationId,
      r.snapshotId ?? null,
    ]),
  );
}

function onTable(name: string): { database: string; table: string } {
  const dot = name.lastIndexOf('.');
  return { database: name.slice(0, dot), table: name.slice(dot + 1) };
}

async function* oneBatch(rows: readonly (readonly unknown[])[]): AsyncIterable<readonly (readonly unknown[])[]> {
  await Promise.resolve();
  yield rows;
}

function parseCount(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`expected a positive whole number, got "${text}"`);
  return value;
}

function parseOutcome(text: string): RuleOutcome {
  if ((OUTCOMES as readonly string[]).includes(text)) return text as RuleOutcome;
  throw new InvalidArgumentError(`expected one of ${OUTCOMES.join(', ')}, got "${text}"`);
}
