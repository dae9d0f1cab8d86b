/**
 * What a pipeline is: a DAG of typed steps that declare their inputs and outputs, so the runner
 * derives the order, lineage and "what depends on this check" from the definition alone.
 * Written in TypeScript with `definePipeline` (define-pipeline.ts) or in YAML (pipeline-yaml.ts);
 * both produce this shape and pass the same validation (validate-pipeline.ts).
 *
 * Templates: SQL text, paths and DQDL in a step may use `{{ ds }}` (the run's logical date,
 * `YYYY-MM-DD`), `{{ partition }}` (the logical partition string), `{{ run_id }}`, `{{ ds_nodash }}`
 * and `{{ next_ds }}` — expanded per run (templates.ts).
 *
 * @example
 *   export default definePipeline({
 *     name: 'daily_sales',
 *     schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin' },
 *     steps: [
 *       { id: 'conform', kind: 'sql', inputs: ['raw.orders'], output: 'processed.orders', mode: 'overwrite-partitions',
 *         sql: "SELECT * FROM raw.orders WHERE order_date = DATE '{{ ds }}'",
 *         audit: { rules: 'Rules = [ IsComplete "order_id" ]', action: 'quarantine' } },
 *       { id: 'notify', kind: 'function', dependsOn: ['conform'], run: async (ctx) => { … } },
 *     ],
 *   });
 */
import type { StrataErrorCode } from '../../core/index.ts';

/** Engine a step runs on: `duckdb` (embedded) or `spark` (a Spark cluster through Spark Connect). */
export type StepEngine = 'duckdb' | 'spark';

/**
 * Where a pipeline's Spark steps run: `shared` — the configured cluster (`compute.spark.url`, or
 * the one `strata compute up` started); `transient` — a cluster started for each run and torn
 * down when the run ends, whatever its outcome (EMR's transient clusters).
 */
export type ComputeMode = 'shared' | 'transient';

/** How a SQL step's result lands in its output table. */
export type WriteMode = 'append' | 'overwrite-partitions' | 'merge';

/** What a quality gate does when rules fail. */
export type GateAction = 'fail' | 'warn' | 'quarantine';

export interface RetryPolicy {
  /** Total attempts including the first (default 3; 1 = no retry). */
  readonly maxAttempts?: number;
  /** Backoff before the 2nd attempt; doubles (×`multiplier`) each time up to `maxDelayMs` (default 1000). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly multiplier?: number;
  /**
   * Error codes worth retrying. Default: COMMIT_CONFLICT, COMMIT_STATE_UNKNOWN, STORAGE_ERROR,
   * STEP_TIMEOUT, QUERY_TIMEOUT, CATALOG_ERROR and errors without a StrataError code (a crashed
   * function). SQL errors, access denials and failed quality gates are not retried: they fail
   * the same way again.
   */
  readonly retryOn?: readonly (StrataErrorCode | 'UNKNOWN')[];
}

export interface ScheduleDefinition {
  /** Five- or six-field cron (seconds optional), as croner reads it. */
  readonly cron: string;
  /** IANA zone the cron is read in (default UTC); DST gaps and repeats follow croner's rules. */
  readonly timezone?: string;
  /**
   * Create runs for ticks missed while no scheduler was running (default false: only the most
   * recent missed tick runs; older ones are left to a backfill).
   */
  readonly catchup?: boolean;
}

/** A quality gate on a step's output, evaluated on the write-audit-publish branch before main moves. */
export interface AuditGate {
  /** DQDL text (`Rules = [ … ]`). */
  readonly rules: string;
  readonly action: GateAction;
  /** SQL predicate (templated) narrowing the audited rows, e.g. `event_date = DATE '{{ ds }}'`; default the whole table. */
  readonly where?: string;
  /** Name stored with the results (default `<pipeline>.<step>`). */
  readonly ruleset?: string;
}

export interface NotificationTarget {
  readonly url: string;
  /** HMAC-SHA256 key for the `x-strata-signature` header; read from this env var when `secretEnv` is used. */
  readonly secret?: string;
  readonly secretEnv?: string;
  /** Default: all of them. */
  readonly events?: readonly ('run.succeeded' | 'run.failed' | 'quality.failed')[];
}

interface StepCommon {
  /** Unique within the pipeline: letters, digits, `_` and `-`. */
  readonly id: string;
  readonly description?: string;
  /** Steps that must succeed first, besides those implied by inputs ↔ outputs. */
  readonly dependsOn?: readonly string[];
  readonly retries?: RetryPolicy;
  readonly timeoutMs?: number;
  readonly engine?: StepEngine;
}

/** Reads tables, writes one table. */
export interface SqlStep extends StepCommon {
  readonly kind: 'sql';
  /** Tables read (`db.table`); a table another step writes makes that step a dependency. */
  readonly inputs: readonly string[];
  /** `db.table` written; created on first run from the query's columns when missing. */
  readonly output: string;
  /** A SELECT (templated). */
  readonly sql: string;
  readonly mode: WriteMode;
  /** `merge`: the key columns; a source row replaces the target row with the same key. */
  readonly mergeKeys?: readonly string[];
  /** Partitioning for a table the step creates, e.g. `['event_date']` or `['day(ts)']`. */
  readonly partitionBy?: readonly string[];
  /** Write-audit-publish: write to a branch, check these rules there, then publish to main. */
  readonly audit?: AuditGate;
}

/** Files → a raw table (the ingest plane: bad records are quarantined, never dropped). */
export interface IngestStep extends StepCommon {
  readonly kind: 'ingest';
  /** Files, directories or globs (templated). */
  readonly paths: readonly string[];
  /** `db.table`. */
  readonly into: string;
  readonly format?: 'json' | 'ndjson' | 'csv' | 'parquet';
  /** Path of a schema file (see `strata ingest --schema`). */
  readonly schema?: string;
  /** Fail the step when quarantined/read is above this ratio (0..1). */
  readonly maxBadRatio?: number;
}

/** A standalone gate on a table: fails (blocking its dependants) or warns. */
export interface QualityStep extends StepCommon {
  readonly kind: 'quality';
  /** `db.table` checked at its current snapshot (templated `where` clauses narrow it to the run's partition). */
  readonly table: string;
  readonly rules: string;
  readonly action: 'fail' | 'warn';
  readonly ruleset?: string;
}

/** Publishes staged work: fast-forwards each table's main branch to the run's branch. */
export interface PublishStep extends StepCommon {
  readonly kind: 'publish';
  readonly tables: readonly string[];
}

/** Any TypeScript (TypeScript definitions only): call an API, compute, write through the context. */
export interface FunctionStep extends StepCommon {
  readonly kind: 'function';
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  readonly run: (context: FunctionStepContext) => Promise<void> | void;
}

export type StepDefinition = SqlStep | IngestStep | QualityStep | PublishStep | FunctionStep;
export type StepKind = StepDefinition['kind'];

/** What a function step gets (filled in by the runner). */
export interface FunctionStepContext {
  readonly pipeline: string;
  readonly runId: string;
  readonly stepId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The logical date (`YYYY-MM-DD`) and partition string of the run. */
  readonly logicalDate: string;
  readonly partition: string;
  readonly signal: AbortSignal;
  /** Runs SQL on the run's session (trusted: pipelines run as their owner). */
  readonly sql: (text: string) => Promise<readonly Record<string, unknown>[]>;
  readonly log: (message: string) => void;
}

export interface PipelineDefinition {
  /** Letters, digits and `_`; unique in the catalog. */
  readonly name: string;
  readonly description?: string;
  readonly schedule?: ScheduleDefinition;
  /** Runs of this pipeline at once (default 1). */
  readonly concurrency?: number;
  /** Defaults for every step (a step's own settings win). */
  readonly retries?: RetryPolicy;
  readonly timeoutMs?: number;
  readonly engine?: StepEngine;
  /** Where its Spark steps run (default shared); see `ComputeMode`. */
  readonly compute?: ComputeMode;
  readonly notifications?: readonly NotificationTarget[];
  readonly steps: readonly StepDefinition[];
}
