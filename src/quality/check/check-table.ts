/**
 * Checks one Strata table with a DQDL ruleset: parses the rules, describes the table through the
 * session, lets the evaluator run its SQL passes through the same session, and (optionally)
 * records the outcome in `system.quality_results`, whose history also feeds dynamic rules.
 *
 * What is read:
 * - `db.t` at main's head; with `branch`, `db.t FOR VERSION AS OF '<branch or tag>'` (the
 *   write-audit-publish branch a pipeline staged);
 * - with `where`, only the rows matching it: the dataset becomes `(SELECT * FROM … WHERE <where>)`
 *   (a pipeline narrows a check to the partition it wrote). `where` is SQL from the caller,
 *   not from end users: it is spliced into the statement as written.
 *
 * Governance: the check runs through the caller's SqlSession. A governed session evaluates the
 * rules on what its principal may see — row filters drop rows before RowCount or Completeness
 * count them, masked columns are checked masked — and a rule on a table the principal may not read
 * fails with ACCESS_DENIED. Use a trusted session (no governor) for checks that must see all data.
 *
 * Gotcha: every pass reads the branch's head as it is when the pass runs; the recorded
 * `snapshotId` is the head when the check started. A commit landing mid-check can make passes
 * disagree (a pipeline's own branch does not move under it).
 *
 * @example
 *   const check = await checkTable({ session, table: 'sales.orders', rules: 'Rules = [ IsComplete "id", RowCount > 0 ]', results });
 *   if (!check.passed) console.log(check.rules.filter((r) => r.outcome !== 'passed'));
 */
import type { SqlSession } from '../../sql/index.ts';
import { parseDqdl } from '../dqdl/parse-dqdl.ts';
import { evaluateRuleset, type EvaluationContext, type QualityDataset } from '../evaluate/index.ts';
import { newEvaluationId, type QualityResultsTable } from '../results/quality-results-table.ts';
import { collectRows, describeRelation, quoteLiteral, requireTableName } from './session-sql.ts';
import type { CheckContext, TableCheckResult } from './table-check-result.ts';

export type { CheckContext, TableCheckResult } from './table-check-result.ts';

export interface CheckTableOptions {
  readonly session: SqlSession;
  /** `db.table`. */
  readonly table: string;
  /** The DQDL ruleset text (`Rules = [ … ]`). */
  readonly rules: string;
  /** A name for the ruleset, recorded with the results and scoping dynamic rules' history. */
  readonly ruleset?: string | undefined;
  /** Evaluate the head of this branch or tag instead of main. */
  readonly branch?: string | undefined;
  /** An extra SQL predicate narrowing the dataset (e.g. one partition). */
  readonly where?: string | undefined;
  /** Record the results here, and read dynamic rules' history from it. */
  readonly results?: QualityResultsTable | undefined;
  /** `false`: only read history from `results`, do not record (the caller records later, or never). Default true. */
  readonly record?: boolean | undefined;
  /** Pipeline coordinates recorded with the results. */
  readonly context?: CheckContext | undefined;
  /** The clock for `now()` in rules and for `evaluatedAt` (default: the wall clock). */
  readonly now?: (() => Date) | undefined;
}

export async function checkTable(options: CheckTableOptions): Promise<TableCheckResult> {
  const { session, table, branch, where, results, ruleset: name } = options;
  requireTableName(table);
  const ruleset = parseDqdl(options.rules);
  const now = options.now ?? (() => new Date());
  const evaluatedAt = now();

  const reference = branch === undefined ? table : `${table} FOR VERSION AS OF ${quoteLiteral(branch)}`;
  const relation = where === undefined ? reference : `(SELECT * FROM ${reference} WHERE ${where}\n)`;
  let snapshotId: bigint | undefined;
  const columns = await describeRelation(session, relation, {
    onPlanned: (planned) => {
      const plan = planned.plans.find((p) => p.table.toLowerCase() === table.toLowerCase() && p.metadataTable === undefined);
      snapshotId = plan?.snapshotId;
    },
  });
  const dataset: QualityDataset = { relation, columns };

  const context: EvaluationContext = {
    dataset,
    run: async (sql) => (await collectRows(session, sql)).rows,
    relationOf: async (other) => {
      requireTableName(other, 'dataset');
      return { relation: other, columns: await describeRelation(session, other) };
    },
    ...(results === undefined ? {} : { history: (metricKey: string, k: number) => results.history(table, metricKey, k, { ruleset: name }) }),
    now,
  };
  const evaluated = await evaluateRuleset(ruleset, context);

  const check: TableCheckResult = {
    ...evaluated,
    table,
    ...(snapshotId === undefined ? {} : { snapshotId }),
    ...(branch === undefined ? {} : { branch }),
    ...(name === undefined ? {} : { ruleset: name }),
    evaluationId: newEvaluationId(),
    evaluatedAt,
    dataset,
  };
  if (results !== undefined && options.record !== false) await results.record(check, options.context ?? {});
  return check;
}
