/**
 * The quality gate of a write-audit-publish step: evaluate the step's DQDL rules on the branch it
 * wrote, then act on the outcome.
 *
 * - `fail`: QUALITY_CHECK_FAILED (not retried); the branch stays for inspection, main is untouched.
 * - `warn`: publish anyway; the failure is recorded and notified.
 * - `quarantine`: the rows failing row-level rules go to `<db>.<table>__dq_quarantine` (staged on
 *   a branch of the quarantine table, published together with the data), the branch is rewritten
 *   without them, and the rules are checked again. Dataset-level rules (RowCount, Mean …) cannot be
 *   fixed by removing rows: if they still fail, the step fails as with `fail`.
 */
import { StrataError } from '../../core/index.ts';
import { checkTable, type TableCheckResult } from '../../quality/check/check-table.ts';
import { EVALUATION_ID_COLUMN, quarantineFailedRows, quarantineTableName } from '../../quality/check/failed-rows.ts';
import { quoteSqlIdent } from '../../table/index.ts';
import { failingRowsSql } from '../../quality/evaluate/failing-rows.ts';
import type { AuditGate } from '../definition/pipeline-definition.ts';
import { markerSummary } from './commit-marker.ts';
import type { QualityOutcome, StepExecution } from './step-execution.ts';
import { openBranch } from './write-audit-publish.ts';

export interface GateDecision {
  readonly outcome: QualityOutcome;
  /** Tables whose branch must be published along with the data (the quarantine table). */
  readonly alsoPublish: readonly string[];
}

/**
 * Audits `table` at `branch`. For a quarantine, `rewrite(excludedRowsSql)` must redo the step's
 * write on a fresh branch without the rows `excludedRowsSql` selects (the quarantined rows, read
 * back from the quarantine table's branch, in the table's column order).
 */
export async function auditBranch(
  x: StepExecution,
  table: string,
  branch: string,
  gate: AuditGate,
  rewrite: (excludedRowsSql: string) => Promise<void>,
): Promise<GateDecision> {
  const ruleset = gate.ruleset ?? `${x.definition.name}.${x.step.id}`;
  const check = () =>
    checkTable({
      session: x.session,
      table,
      rules: x.render(gate.rules),
      ruleset,
      branch,
      ...(gate.where === undefined ? {} : { where: x.render(gate.where) }),
      results: x.results,
      context: { pipeline: x.definition.name, runId: x.run.runId, stepId: x.step.id, partition: x.run.partition },
    });
  const first = await check();
  const failed = failedRules(first);
  const outcome = { ruleset, table, action: gate.action, evaluationId: first.evaluationId, failedRules: failed } as const;
  if (first.passed) return { outcome: { ...outcome, passed: true }, alsoPublish: [] };
  if (gate.action === 'warn') {
    x.log(`quality gate ${ruleset} failed (${failed.join('; ')}); publishing anyway (action: warn)`);
    return { outcome: { ...outcome, passed: false }, alsoPublish: [] };
  }
  if (gate.action === 'fail') throw gateFailed(ruleset, table, branch, first, failed);

  if (failingRowsSql(first.dataset, first.rules) === undefined) throw gateFailed(ruleset, table, branch, first, failed);
  const quarantine = quarantineTableName(table);
  if (await x.home.catalog.tableExists(quarantine)) await openBranch(await x.home.catalog.loadTable(quarantine), branch, { fresh: false });
  const moved = await quarantineFailedRows({ session: x.session, check: first, into: quarantine, summary: markerSummary(x.key), branch });
  const columns = first.dataset.columns.map((c) => quoteSqlIdent(c.name)).join(', ');
  await rewrite(`SELECT ${columns} FROM ${moved.table} FOR VERSION AS OF '${branch}' WHERE ${EVALUATION_ID_COLUMN} = '${first.evaluationId}'`);
  const second = await check();
  if (!second.passed) throw gateFailed(ruleset, table, branch, second, failedRules(second));
  x.log(`quality gate ${ruleset}: quarantined ${moved.rows} row(s) into ${moved.table} (${failed.join('; ')}); the rest publishes`);
  return { outcome: { ...outcome, passed: false, quarantined: { table: moved.table, rows: moved.rows } }, alsoPublish: [moved.table] };
}

function failedRules(check: TableCheckResult): string[] {
  return check.rules.filter((r) => r.outcome !== 'passed').map((r) => r.rule);
}

function gateFailed(ruleset: string, table: string, branch: string, check: TableCheckResult, failed: readonly string[]): StrataError {
  return new StrataError(
    'QUALITY_CHECK_FAILED',
    `Quality gate ${ruleset} failed on ${table}: ${failed.join('; ')}. Main is unchanged; the rejected data is on branch ${branch}`,
    { ruleset, table, branch, evaluationId: check.evaluationId, failedRules: failed },
  );
}
