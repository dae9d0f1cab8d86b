/**
 * The row shapes of the pipeline tables (run-migrations.ts) and their conversion to the run model.
 *
 * Gotcha: `bigint` columns come back as numbers from SQLite but as strings from Postgres drivers,
 * so every timestamp goes through `millis()` on the way out.
 */
import type {
  BackfillRecord,
  ErrorSummary,
  PipelineVersion,
  RunRecord,
  RunState,
  RunTrigger,
  StepAttemptRecord,
  StepRunRecord,
  StepState,
} from './run-model.ts';

/** What a `bigint` column reads back as, depending on the driver. */
type BigintColumn = number | string | bigint;

export interface VersionRow {
  pipeline: string;
  version: string;
  definition: string;
  source: string | null;
  created_at: BigintColumn;
}

export interface RunRow {
  run_id: string;
  pipeline: string;
  version: string;
  logical_date: string;
  partition: string;
  trigger: string;
  priority: number;
  state: string;
  backfill_id: string | null;
  created_at: BigintColumn;
  started_at: BigintColumn | null;
  finished_at: BigintColumn | null;
  error_code: string | null;
  error_message: string | null;
  lease_owner: string | null;
  lease_expires_at: BigintColumn | null;
  redrives: number;
}

export interface StepRow {
  run_id: string;
  step_id: string;
  position: number;
  state: string;
  attempts: number;
  next_attempt_at: BigintColumn | null;
  started_at: BigintColumn | null;
  finished_at: BigintColumn | null;
  error_code: string | null;
  error_message: string | null;
  output: string | null;
  lease_owner: string | null;
  lease_expires_at: BigintColumn | null;
}

export interface AttemptRow {
  run_id: string;
  step_id: string;
  attempt: number;
  state: string;
  started_at: BigintColumn;
  finished_at: BigintColumn | null;
  error_code: string | null;
  error_message: string | null;
}

export interface BackfillRow {
  backfill_id: string;
  pipeline: string;
  from_date: string;
  to_date: string;
  concurrency: number;
  only_failed: number;
  created_at: BigintColumn;
}

export interface ScheduleRow {
  pipeline: string;
  last_tick: BigintColumn;
}

export interface PipelineDatabase {
  strata_pipeline_version: VersionRow;
  strata_pipeline_run: RunRow;
  strata_pipeline_step_run: StepRow;
  strata_pipeline_step_attempt: AttemptRow;
  strata_pipeline_backfill: BackfillRow;
  strata_pipeline_schedule: ScheduleRow;
}

export function millis(value: BigintColumn): number {
  return Number(value);
}

function optionalMillis(value: BigintColumn | null): number | undefined {
  return value === null ? undefined : Number(value);
}

function errorOf(code: string | null, message: string | null): ErrorSummary | undefined {
  return code === null ? undefined : { code, message: message ?? '' };
}

/**
 * Builds an object leaving out the keys whose value is undefined, as `exactOptionalPropertyTypes`
 * requires for optional fields.
 */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function toVersion(row: VersionRow): PipelineVersion {
  return compact<PipelineVersion>({
    pipeline: row.pipeline,
    version: row.version,
    definition: row.definition,
    source: row.source ?? undefined,
    createdAt: millis(row.created_at),
  });
}

export function toRun(row: RunRow): RunRecord {
  return compact<RunRecord>({
    runId: row.run_id,
    pipeline: row.pipeline,
    version: row.version,
    logicalDate: row.logical_date,
    partition: row.partition,
    trigger: row.trigger as RunTrigger,
    priority: Number(row.priority),
    state: row.state as RunState,
    backfillId: row.backfill_id ?? undefined,
    createdAt: millis(row.created_at),
    startedAt: optionalMillis(row.started_at),
    finishedAt: optionalMillis(row.finished_at),
    error: errorOf(row.error_code, row.error_message),
    leaseOwner: row.lease_owner ?? undefined,
    leaseExpiresAt: optionalMillis(row.lease_expires_at),
    redrives: Number(row.redrives),
  });
}

export function toStep(row: StepRow): StepRunRecord {
  return compact<StepRunRecord>({
    runId: row.run_id,
    stepId: row.step_id,
    state: row.state as StepState,
    attempts: Number(row.attempts),
    nextAttemptAt: optionalMillis(row.next_attempt_at),
    startedAt: optionalMillis(row.started_at),
    finishedAt: optionalMillis(row.finished_at),
    error: errorOf(row.error_code, row.error_message),
    output: row.output ?? undefined,
    leaseOwner: row.lease_owner ?? undefined,
    leaseExpiresAt: optionalMillis(row.lease_expires_at),
  });
}

export function toAttempt(row: AttemptRow): StepAttemptRecord {
  return compact<StepAttemptRecord>({
    runId: row.run_id,
    stepId: row.step_id,
    attempt: Number(row.attempt),
    state: row.state as StepAttemptRecord['state'],
    startedAt: millis(row.started_at),
    finishedAt: optionalMillis(row.finished_at),
    error: errorOf(row.error_code, row.error_message),
  });
}

export function toBackfill(row: BackfillRow): BackfillRecord {
  return {
    backfillId: row.backfill_id,
    pipeline: row.pipeline,
    from: row.from_date,
    to: row.to_date,
    concurrency: Number(row.concurrency),
    onlyFailed: Number(row.only_failed) !== 0,
    createdAt: millis(row.created_at),
  };
}
