/**
 * Executes one claimed run: its steps in DAG order, each attempt under a step lease, with
 * per-step timeouts, retries (exponential backoff, full jitter, retryable codes only), lineage
 * events, and notifications when the run ends or a quality gate fails.
 *
 * A step whose dependency failed becomes `upstream_failed`; steps on other branches of the DAG
 * still run — a failed check blocks exactly what depends on it. The run fails when any step did.
 *
 * Everything the executor knows lives in the run store, so a run taken over after a crash
 * continues from its persisted step states: finished steps are not rerun, a step that was running
 * is attempted again (and adopts its commit if the dead attempt had made one, commit-marker.ts).
 */
import { StrataError, messageOf } from '../../core/index.ts';
import { lineageRunId, runEvent, type LineageDataset, type RunEvent } from '../../observe/index.ts';
import type { PipelineDefinition, StepDefinition } from '../definition/pipeline-definition.ts';
import { PipelineDag } from '../definition/pipeline-dag.ts';
import { renderTemplate } from '../definition/templates.ts';
import type { ErrorSummary, RunRecord, RunState, StepRunRecord } from '../runs/run-model.ts';
import { backoffDelay, isRetryable, resolveRetryPolicy } from '../schedule/retry-policy.ts';
import type { RunnerDeps, RunSessions } from './runner-deps.ts';
import { runFunctionStep } from './function-step.ts';
import { runIngestStep } from './ingest-step.ts';
import { runPublishStep } from './publish-step.ts';
import { runQualityStep } from './quality-step.ts';
import { runSqlStep } from './sql-step.ts';
import type { StepExecution, StepOutcome, TableVersion } from './step-execution.ts';

const DONE: ReadonlySet<StepRunRecord['state']> = new Set(['succeeded', 'skipped']);
const FINAL: ReadonlySet<StepRunRecord['state']> = new Set(['succeeded', 'skipped', 'failed', 'upstream_failed']);

export async function executeRun(deps: RunnerDeps, run: RunRecord, definition: PipelineDefinition): Promise<RunState> {
  const dag = new PipelineDag(definition);
  const staged = new Set(definition.steps.flatMap((s) => (s.kind === 'publish' ? s.tables : [])));
  const heartbeat = setInterval(() => void deps.store.renewRunLease(run.runId, deps.owner, deps.leaseMs).catch(() => undefined), Math.max(50, deps.leaseMs / 3));
  heartbeat.unref();
  const failures: { step: string; error: ErrorSummary }[] = [];
  const sessions = deps.openSessions(definition);
  try {
    const fresh = (await deps.store.steps(run.runId)).every((s) => s.attempts === 0);
    if (fresh) await recordLineage(deps, [runLevelEvent(deps, run, definition, 'START')]);
    for (;;) {
      if ((await deps.store.getRun(run.runId)).state === 'cancelled') {
        await deps.store.finishRun(run.runId, deps.owner, 'cancelled').catch(() => undefined); // releases the lease
        return 'cancelled';
      }
      const states = new Map((await deps.store.steps(run.runId)).map((s) => [s.stepId, s]));
      let progressed = false;
      let wakeAt = Number.POSITIVE_INFINITY;
      for (const stepId of dag.order()) {
        const state = states.get(stepId);
        if (!state || FINAL.has(state.state)) continue;
        const upstream = dag.upstream(stepId).map((id) => states.get(id)?.state);
        if (upstream.some((s) => s === 'failed' || s === 'upstream_failed')) {
          await deps.store.markSteps(run.runId, [stepId], 'upstream_failed');
          progressed = true;
          continue;
        }
        if (!upstream.every((s) => s !== undefined && DONE.has(s))) continue;
        if (state.state === 'retrying' && (state.nextAttemptAt ?? 0) > deps.clock.now()) {
          wakeAt = Math.min(wakeAt, state.nextAttemptAt ?? 0);
          continue;
        }
        const attempt = await deps.store.claimStep(run.runId, stepId, deps.owner, deps.leaseMs);
        if (attempt === undefined) continue;
        const failed = await runAttempt(deps, sessions, run, definition, dag.step(stepId), attempt, staged);
        if (failed) failures.push({ step: stepId, error: failed });
        progressed = true;
        break; // re-read states: the DAG order is walked again from the top
      }
      if (progressed) continue;
      const steps = await deps.store.steps(run.runId);
      if (steps.every((s) => FINAL.has(s.state))) return await finish(deps, run, definition, steps);
      if (wakeAt !== Number.POSITIVE_INFINITY) {
        await deps.clock.sleep(Math.max(0, wakeAt - deps.clock.now()), deps.signal);
        continue;
      }
      // Some step is held by another live owner: let it finish; this run goes back to the queue.
      throw new StrataError('RUN_IN_PROGRESS', `Run ${run.runId} has a step held by another process`, { runId: run.runId });
    }
  } finally {
    clearInterval(heartbeat);
    await sessions.close();
  }
}

async function finish(deps: RunnerDeps, run: RunRecord, definition: PipelineDefinition, steps: readonly StepRunRecord[]): Promise<RunState> {
  const failed = steps.filter((s) => s.state === 'failed');
  const state: RunState = failed.length === 0 && steps.every((s) => DONE.has(s.state)) ? 'succeeded' : 'failed';
  const error = failed[0]?.error
    ? { code: failed[0].error.code, message: `step ${failed[0].stepId}: ${failed[0].error.message}` }
    : state === 'failed'
      ? { code: 'STEP_FAILED', message: 'a step did not run' }
      : undefined;
  await recordLineage(deps, [runLevelEvent(deps, run, definition, state === 'succeeded' ? 'COMPLETE' : 'FAIL', error)]);
  await deps.store.finishRun(run.runId, deps.owner, state, error);
  await deps.notify(definition, state === 'succeeded' ? 'run.succeeded' : 'run.failed', {
    pipeline: definition.name,
    runId: run.runId,
    logicalDate: run.logicalDate,
    partition: run.partition,
    state,
    ...(error ? { error } : {}),
    steps: steps.map((s) => ({ id: s.stepId, state: s.state, attempts: s.attempts, ...(s.error ? { error: s.error } : {}) })),
  });
  return state;
}

/** Runs one attempt; returns the error summary when the step ended failed (not when it will retry). */
async function runAttempt(
  deps: RunnerDeps,
  sessions: RunSessions,
  run: RunRecord,
  definition: PipelineDefinition,
  step: StepDefinition,
  attempt: number,
  staged: ReadonlySet<string>,
): Promise<ErrorSummary | undefined> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(deps.signal?.reason);
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  const stepLease = setInterval(() => void deps.store.renewStepLease(run.runId, step.id, deps.owner, deps.leaseMs).catch(() => undefined), Math.max(50, deps.leaseMs / 3));
  stepLease.unref();
  const timeoutMs = step.timeoutMs ?? definition.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const started = new Date(deps.clock.now());
  const log = (line: string) => deps.log(`[${definition.name} ${run.partition} ${step.id}#${attempt}] ${line}`);
  try {
    const session = await sessions.sessionFor(step.engine ?? definition.engine ?? 'duckdb');
    const x: StepExecution = {
      definition,
      step,
      run,
      attempt,
      key: { pipeline: definition.name, runId: run.runId, stepId: step.id, partition: run.partition, attempt },
      render: (text) => renderTemplate(text, { ds: run.logicalDate, runId: run.runId, partition: run.partition, pipeline: definition.name }),
      home: deps.home,
      session,
      signal: controller.signal,
      staged,
      results: deps.results,
      log,
      fault: deps.fault,
    };
    const work = executeStep(x);
    const outcome = await (timeoutMs === undefined
      ? work
      : Promise.race([
          work,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const error = new StrataError('STEP_TIMEOUT', `Step ${step.id} ran longer than ${timeoutMs} ms`, { step: step.id, timeoutMs });
              controller.abort(error);
              reject(error);
            }, timeoutMs);
          }),
        ]));
    await deps.store.finishStepAttempt(run.runId, step.id, deps.owner, { state: 'succeeded', output: JSON.stringify(outcome, bigintAsString) });
    await recordLineage(deps, stepEvents(deps, run, definition, step, attempt, started, outcome));
    for (const q of outcome.quality ?? []) {
      if (!q.passed) await deps.notify(definition, 'quality.failed', { pipeline: definition.name, runId: run.runId, step: step.id, partition: run.partition, ...q });
    }
    log(`succeeded${outcome.note ? ` (${outcome.note})` : ''}`);
    return undefined;
  } catch (error) {
    const summary: ErrorSummary = { code: StrataError.is(error) ? error.code : 'UNKNOWN', message: messageOf(error) };
    const policy = resolveRetryPolicy(step, definition);
    const retry = attempt < policy.maxAttempts && isRetryable(error, policy);
    const nextAttemptAt = retry ? deps.clock.now() + backoffDelay(policy, attempt, deps.random) : undefined;
    await deps.store.finishStepAttempt(run.runId, step.id, deps.owner, {
      state: retry ? 'retrying' : 'failed',
      error: summary,
      ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }),
    });
    log(`${retry ? 'failed, will retry' : 'failed'}: ${summary.code}: ${summary.message}`);
    if (!retry) {
      await recordLineage(deps, [stepEvent(deps, run, definition, step, attempt, 'FAIL', [], [], summary)]);
      if (summary.code === 'QUALITY_CHECK_FAILED' && StrataError.is(error)) {
        await deps.notify(definition, 'quality.failed', { pipeline: definition.name, runId: run.runId, step: step.id, partition: run.partition, ...error.details });
      }
    }
    return retry ? undefined : summary;
  } finally {
    clearTimeout(timer);
    clearInterval(stepLease);
    deps.signal?.removeEventListener('abort', onAbort);
  }
}

function executeStep(x: StepExecution): Promise<StepOutcome> {
  const step = x.step;
  switch (step.kind) {
    case 'sql':
      return runSqlStep(x, step);
    case 'ingest':
      return runIngestStep(x, step);
    case 'quality':
      return runQualityStep(x, step);
    case 'publish':
      return runPublishStep(x, step);
    case 'function':
      return runFunctionStep(x, step);
  }
}

// ---- lineage ------------------------------------------------------------------------------

async function recordLineage(deps: RunnerDeps, events: readonly RunEvent[]): Promise<void> {
  try {
    await deps.lineage.record([...events]);
  } catch (error) {
    // Lineage is an observer: losing an event must not fail the run that produced it.
    deps.log(`could not record lineage: ${messageOf(error)}`);
  }
}

function runLevelEvent(deps: RunnerDeps, run: RunRecord, definition: PipelineDefinition, eventType: 'START' | 'COMPLETE' | 'FAIL', error?: ErrorSummary): RunEvent {
  return runEvent({
    eventType,
    eventTime: new Date(deps.clock.now()),
    runId: run.runId,
    job: { namespace: deps.namespace, name: definition.name, jobType: { processingType: 'BATCH', integration: 'STRATA', jobType: 'PIPELINE' } },
    nominalTime: { start: new Date(`${run.logicalDate}T00:00:00Z`) },
    ...(error ? { error: { message: error.message, code: error.code } } : {}),
  });
}

function stepEvents(deps: RunnerDeps, run: RunRecord, definition: PipelineDefinition, step: StepDefinition, attempt: number, started: Date, outcome: StepOutcome): RunEvent[] {
  const start = stepEvent(deps, run, definition, step, attempt, 'START', outcome.inputs, []);
  return [{ ...start, eventTime: started.toISOString() }, stepEvent(deps, run, definition, step, attempt, 'COMPLETE', outcome.inputs, outcome.outputs)];
}

function stepEvent(
  deps: RunnerDeps,
  run: RunRecord,
  definition: PipelineDefinition,
  step: StepDefinition,
  attempt: number,
  eventType: 'START' | 'COMPLETE' | 'FAIL',
  inputs: readonly TableVersion[],
  outputs: readonly TableVersion[],
  error?: ErrorSummary,
): RunEvent {
  const dataset = (t: TableVersion): LineageDataset => ({
    namespace: deps.namespace,
    name: t.table,
    ...(t.snapshotId === undefined ? {} : { snapshotId: t.snapshotId }),
    ...(t.branch === undefined ? {} : { branch: t.branch }),
    ...(t.rows === undefined ? {} : { rowCount: t.rows }),
    ...(t.bytes === undefined ? {} : { bytes: t.bytes }),
  });
  return runEvent({
    eventType,
    eventTime: new Date(deps.clock.now()),
    runId: lineageRunId(run.runId, step.id, String(attempt)),
    job: {
      namespace: deps.namespace,
      name: `${definition.name}.${step.id}`,
      ...(step.kind === 'sql' ? { sql: step.sql } : {}),
      jobType: { processingType: 'BATCH', integration: 'STRATA', jobType: 'STEP' },
    },
    parent: { runId: run.runId, namespace: deps.namespace, name: definition.name },
    nominalTime: { start: new Date(`${run.logicalDate}T00:00:00Z`) },
    inputs: inputs.map(dataset),
    outputs: outputs.map(dataset),
    ...(error ? { error: { message: error.message, code: error.code } } : {}),
  });
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
