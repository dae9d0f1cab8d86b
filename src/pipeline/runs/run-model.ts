/**
 * The persisted state of pipeline runs (tables in the catalog database, run-migrations.ts): every
 * pipeline version that ran, every run and its steps' states and attempts, backfills, and the
 * scheduler's last tick per pipeline. A run or step being worked on carries a lease (owner +
 * expiry), renewed by a heartbeat; a killed process's leases expire and another process — or the
 * same one restarted — takes the work over, so no step runs twice at once and none is forgotten.
 */

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * `pending` not started (or reset for a redrive); `running` held by a lease; `retrying` failed an
 * attempt and waits for its backoff (`next_attempt_at`); `upstream_failed` a dependency failed;
 * `skipped` nothing to do.
 */
export type StepState = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'upstream_failed' | 'skipped';

export type RunTrigger = 'schedule' | 'manual' | 'backfill' | 'redrive';

/** Lower runs first: fresh scheduled and manual runs go ahead of backfills. */
export const RunPriority = { scheduled: 0, manual: 0, redrive: 0, backfill: 10 } as const;

export interface PipelineVersion {
  readonly pipeline: string;
  /** First 16 hex digits of the SHA-256 of `definition`. */
  readonly version: string;
  /** Canonical JSON of the definition; a function step's `run` is stored as its source text. */
  readonly definition: string;
  /** Where the definition was loaded from (a .yaml/.ts path), when known. */
  readonly source?: string;
  readonly createdAt: number;
}

export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
}

export interface RunRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly version: string;
  /** `YYYY-MM-DD`. */
  readonly logicalDate: string;
  /** The logical partition (by default the logical date); runs of one pipeline are unique per partition and trigger batch. */
  readonly partition: string;
  readonly trigger: RunTrigger;
  readonly priority: number;
  readonly state: RunState;
  readonly backfillId?: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly error?: ErrorSummary;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: number;
  /** How many times the run was redriven. */
  readonly redrives: number;
}

export interface StepRunRecord {
  readonly runId: string;
  readonly stepId: string;
  readonly state: StepState;
  /** Attempts started so far (0 before the first). */
  readonly attempts: number;
  readonly nextAttemptAt?: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly error?: ErrorSummary;
  /** JSON the runner keeps per step (outputs committed: table, branch, snapshot id; quality summary). */
  readonly output?: string;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: number;
}

/** One attempt of one step, kept for history (`strata pipeline show <run>`). */
export interface StepAttemptRecord {
  readonly runId: string;
  readonly stepId: string;
  readonly attempt: number;
  readonly state: 'running' | 'succeeded' | 'failed';
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly error?: ErrorSummary;
}

export interface BackfillRecord {
  readonly backfillId: string;
  readonly pipeline: string;
  /** Inclusive `YYYY-MM-DD` range. */
  readonly from: string;
  readonly to: string;
  /** Runs of this backfill at once. */
  readonly concurrency: number;
  /** Only partitions whose latest earlier run failed. */
  readonly onlyFailed: boolean;
  readonly createdAt: number;
}

export interface NewRun {
  readonly pipeline: string;
  readonly version: string;
  readonly logicalDate: string;
  readonly partition: string;
  readonly trigger: RunTrigger;
  readonly priority: number;
  readonly backfillId?: string;
  /** The step ids, created `pending`. */
  readonly steps: readonly string[];
  /** Supplied by tests for determinism; default a random UUID. */
  readonly runId?: string;
}

/** Concurrency limits applied when claiming the next queued run. */
export interface ClaimLimits {
  /** Running runs across all pipelines. */
  readonly global: number;
  /** Running runs per pipeline (the pipeline's `concurrency`, default 1). */
  readonly perPipeline: (pipeline: string) => number;
}
