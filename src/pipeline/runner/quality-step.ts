/**
 * The quality step: a standalone gate on a table's main branch. Failing rules fail the step
 * (action `fail`), which blocks exactly the steps that depend on it, or are recorded and notified
 * (action `warn`). Quarantine needs a write to take rows out of, so it belongs on a SQL step's
 * `audit` gate instead.
 */
import { StrataError } from '../../core/index.ts';
import { checkTable } from '../../quality/check/check-table.ts';
import type { QualityStep } from '../definition/pipeline-definition.ts';
import type { StepExecution, StepOutcome } from './step-execution.ts';
import { runBranch } from './write-audit-publish.ts';

export async function runQualityStep(x: StepExecution, step: QualityStep): Promise<StepOutcome> {
  const ruleset = step.ruleset ?? `${x.definition.name}.${step.id}`;
  // A staged table is checked where it is staged: on the run's branch, before the publish step.
  const branch = x.staged.has(step.table) ? runBranch(x.run.runId) : undefined;
  const check = await checkTable({
    session: x.session,
    table: step.table,
    rules: x.render(step.rules),
    ruleset,
    ...(branch === undefined ? {} : { branch }),
    results: x.results,
    context: { pipeline: x.definition.name, runId: x.run.runId, stepId: step.id, partition: x.run.partition },
  });
  const failedRules = check.rules.filter((r) => r.outcome !== 'passed').map((r) => r.rule);
  if (!check.passed && step.action === 'fail') {
    throw new StrataError('QUALITY_CHECK_FAILED', `Quality check ${ruleset} failed on ${step.table}: ${failedRules.join('; ')}`, {
      ruleset,
      table: step.table,
      evaluationId: check.evaluationId,
      failedRules,
    });
  }
  return {
    inputs: [{ table: step.table, ...(check.snapshotId === undefined ? {} : { snapshotId: check.snapshotId }), ...(branch ? { branch } : {}) }],
    outputs: [],
    quality: [{ ruleset, table: step.table, passed: check.passed, action: step.action, failedRules, evaluationId: check.evaluationId }],
  };
}
