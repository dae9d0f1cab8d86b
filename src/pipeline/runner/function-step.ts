/**
 * The TypeScript function step. Strata cannot see inside a function, so its exactly-once story is
 * the function's own: `context.runId`, `stepId` and `attempt` are there to make its effects
 * idempotent. Its declared inputs and outputs feed the DAG and lineage.
 */
import type { FunctionStep } from '../definition/pipeline-definition.ts';
import { rowsOf } from './session-rows.ts';
import type { StepExecution, StepOutcome } from './step-execution.ts';

export async function runFunctionStep(x: StepExecution, step: FunctionStep): Promise<StepOutcome> {
  await step.run({
    pipeline: x.definition.name,
    runId: x.run.runId,
    stepId: step.id,
    attempt: x.attempt,
    logicalDate: x.run.logicalDate,
    partition: x.run.partition,
    signal: x.signal,
    sql: (text) => rowsOf(x.session, text),
    log: x.log,
  });
  return { inputs: (step.inputs ?? []).map((table) => ({ table })), outputs: (step.outputs ?? []).map((table) => ({ table })) };
}
