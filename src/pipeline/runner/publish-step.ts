/**
 * The publish step: main of every listed table fast-forwards to the run's staging branch, after
 * the steps that wrote and checked them succeeded. Idempotent: a table already published (its
 * branch gone) is left as it is.
 */
import type { PublishStep } from '../definition/pipeline-definition.ts';
import type { StepExecution, StepOutcome, TableVersion } from './step-execution.ts';
import { publishBranch, runBranch } from './write-audit-publish.ts';

export async function runPublishStep(x: StepExecution, step: PublishStep): Promise<StepOutcome> {
  const branch = runBranch(x.run.runId);
  const outputs: TableVersion[] = [];
  await x.fault('before-publish', step.id, x.attempt);
  for (const name of step.tables) {
    const table = await x.home.catalog.loadTable(name);
    const snapshotId = await publishBranch(table, branch);
    outputs.push({ table: name, ...(snapshotId === undefined ? {} : { snapshotId }) });
  }
  await x.fault('after-publish', step.id, x.attempt);
  return { inputs: [], outputs };
}
