/**
 * Pipeline versions, runs, step states and attempts, backfills and scheduler ticks, kept in the
 * catalog database (migrations in run-migrations.ts). Dialect-neutral Kysely over the catalog's
 * own connection; the runner and the scheduler are the only writers.
 *
 * Concurrency design (the same rule as the catalog backend): every decision is ONE statement —
 * `UPDATE … WHERE <expected state> RETURNING`, `INSERT … ON CONFLICT DO NOTHING` — and the number
 * of affected rows says who won. On SQLite a write statement holds the single write lock for its
 * whole duration (like `BEGIN IMMEDIATE`), so no transaction is ever held open across an `await`
 * (better-sqlite3's busy wait is synchronous and would stall a second connection in the process).
 * Where an operation needs two statements, they are ordered so that a crash in between leaves
 * nothing a reader could act on wrongly (documented per method).
 *
 * Leases: a claimed run or step carries `lease_owner` + `lease_expires_at`, renewed by the holder's
 * heartbeat. When a process dies its leases expire: `recoverExpired()` re-queues its runs and
 * `claimStep` takes over its steps, so work is neither lost nor done twice at once.
 *
 * @example
 *   const store = await RunStore.open(connection);
 *   const run = await store.createRun({ pipeline: 'sales', version, logicalDate: '2024-05-01',
 *     partition: '2024-05-01', trigger: 'manual', priority: RunPriority.manual, steps: ['load', 'check'] });
 *   const claimed = await store.claimRun('worker-1', 30_000, { global: 4, perPipeline: () => 1 });
 *   const attempt = await store.claimStep(claimed!.runId, 'load', 'worker-1', 30_000);
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { CatalogDialect } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import { claimRunStatement } from './run-claim.ts';
import { migratePipelines } from './run-migrations.ts';
import type {
  BackfillRecord,
  ClaimLimits,
  ErrorSummary,
  NewRun,
  PipelineVersion,
  RunRecord,
  RunState,
  StepAttemptRecord,
  StepRunRecord,
} from './run-model.ts';
import { toAttempt, toBackfill, toRun, toStep, toVersion, type PipelineDatabase, type RunRow, type StepRow } from './run-rows.ts';

type Db = Kysely<PipelineDatabase>;

/** The catalog database's connection, as `KyselyCatalogBackend.connection` exposes it. */
export interface RunStoreConnection<DB = unknown> {
  readonly db: Kysely<DB>;
  readonly dialect: CatalogDialect;
}

export interface RunFilter {
  readonly pipeline?: string;
  readonly state?: RunState;
  readonly backfillId?: string;
  readonly partition?: string;
  readonly limit?: number;
}

export interface ClaimFilter {
  /** Claim only this run (e.g. `strata pipeline run --wait` executing its own run). */
  readonly runId?: string;
  /** Running runs allowed per backfill; by default the backfill's own `concurrency`. */
  readonly backfillConcurrency?: (backfillId: string) => number;
}

export interface StepOutcome {
  readonly state: 'succeeded' | 'failed' | 'retrying' | 'skipped';
  readonly error?: ErrorSummary;
  /** JSON kept on the step row; left unchanged when absent. */
  readonly output?: string;
  /** For `retrying`: when the next attempt may start (default: now). */
  readonly nextAttemptAt?: number;
}

/** The error code written on an attempt whose holder's lease expired and whose step was taken over. */
export const LEASE_EXPIRED = 'LEASE_EXPIRED';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class RunStore {
  readonly #db: Db;
  readonly #dialect: CatalogDialect;
  readonly #clock: () => number;

  private constructor(db: Db, dialect: CatalogDialect, clock: () => number) {
    this.#db = db;
    this.#dialect = dialect;
    this.#clock = clock;
  }

  /** Opens the store over the catalog database's connection (owned by the caller), migrating if needed. */
  static async open<DB>(connection: RunStoreConnection<DB>, options: { readonly clock?: () => number } = {}): Promise<RunStore> {
    await migratePipelines(connection.db, connection.dialect);
    return new RunStore(connection.db as unknown as Db, connection.dialect, options.clock ?? Date.now);
  }

  // ---- versions --------------------------------------------------------------------------------

  /**
   * Records a pipeline version. Idempotent: saving a version that exists returns the stored row
   * (its first `createdAt`). INVALID_ARGUMENT when the same version id arrives with another
   * definition (the id is a hash of the definition, so that is a caller bug).
   *
   * Going back to an older definition (A → B → A) makes A the latest again: registering is what
   * "latest" means (its `createdAt` moves forward).
   */
  async saveVersion(pipeline: string, definition: string, version: string, source?: string): Promise<PipelineVersion> {
    requireText('pipeline', pipeline);
    requireText('version', version);
    const latest = await this.latestVersion(pipeline);
    // Strictly increasing per pipeline so "latest" is never a tie within one millisecond.
    const createdAt = Math.max(this.#clock(), latest === undefined ? 0 : latest.createdAt + 1);
    await this.#db
      .insertInto('strata_pipeline_version')
      .values({ pipeline, version, definition, source: source ?? null, created_at: createdAt })
      .onConflict((oc) => oc.columns(['pipeline', 'version']).doNothing())
      .execute();
    if (latest !== undefined && latest.version !== version) {
      await this.#db.updateTable('strata_pipeline_version').set({ created_at: createdAt }).where('pipeline', '=', pipeline).where('version', '=', version).execute();
    }
    const stored = await this.version(pipeline, version);
    if (stored.definition !== definition) {
      throw new StrataError('INVALID_ARGUMENT', `Pipeline ${pipeline} version ${version} is already stored with a different definition; version ids must be the hash of the definition`, { pipeline, version });
    }
    return stored;
  }

  /** PIPELINE_NOT_FOUND when that pipeline version was never saved. */
  async version(pipeline: string, version: string): Promise<PipelineVersion> {
    const row = await this.#db.selectFrom('strata_pipeline_version').selectAll().where('pipeline', '=', pipeline).where('version', '=', version).executeTakeFirst();
    if (row === undefined) {
      throw new StrataError('PIPELINE_NOT_FOUND', `Pipeline ${pipeline} has no version ${version}; list pipelines with \`strata pipeline list\``, { pipeline, version });
    }
    return toVersion(row);
  }

  async latestVersion(pipeline: string): Promise<PipelineVersion | undefined> {
    const row = await this.#db
      .selectFrom('strata_pipeline_version')
      .selectAll()
      .where('pipeline', '=', pipeline)
      .orderBy('created_at', 'desc')
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toVersion(row);
  }

  /** The latest version of every pipeline, by pipeline name. */
  async listPipelines(): Promise<PipelineVersion[]> {
    const rows = await this.#db
      .selectFrom('strata_pipeline_version as v')
      .selectAll('v')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('strata_pipeline_version as w').select('w.version').whereRef('w.pipeline', '=', 'v.pipeline').whereRef('w.created_at', '>', 'v.created_at'))),
      )
      .orderBy('v.pipeline')
      .execute();
    return rows.map(toVersion);
  }

  // ---- runs ------------------------------------------------------------------------------------

  /**
   * Creates a queued run and its steps (all `pending`). The step rows are written first and the run
   * row last: claimers only look at run rows, so the run becomes visible complete or not at all. A
   * crash in between leaves step rows without a run, which nothing reads and a retry with the same
   * `runId` replaces. ALREADY_EXISTS when a run with that id exists.
   */
  async createRun(run: NewRun): Promise<RunRecord> {
    requireText('pipeline', run.pipeline);
    requireText('version', run.version);
    requireDate('logicalDate', run.logicalDate);
    requireText('partition', run.partition);
    if (new Set(run.steps).size !== run.steps.length) {
      throw new StrataError('INVALID_ARGUMENT', `Run of ${run.pipeline} lists a step twice: ${run.steps.join(', ')}`, { steps: [...run.steps] });
    }
    const runId = run.runId ?? randomUUID();
    const now = this.#clock();
    const row: RunRow = {
      run_id: runId,
      pipeline: run.pipeline,
      version: run.version,
      logical_date: run.logicalDate,
      partition: run.partition,
      trigger: run.trigger,
      priority: run.priority,
      state: 'queued',
      backfill_id: run.backfillId ?? null,
      created_at: now,
      started_at: null,
      finished_at: null,
      error_code: null,
      error_message: null,
      lease_owner: null,
      lease_expires_at: null,
      redrives: 0,
    };
    if (await this.#runExists(runId)) throw runExists(runId);
    // Leftovers of a crashed createRun with this id (steps without a run) are replaced.
    await this.#db
      .deleteFrom('strata_pipeline_step_run')
      .where('run_id', '=', runId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('strata_pipeline_run').select('run_id').where('run_id', '=', runId))))
      .execute();
    if (run.steps.length > 0) {
      await this.#db
        .insertInto('strata_pipeline_step_run')
        .values(run.steps.map((stepId, position) => ({ ...emptyStep(runId, stepId), position })))
        .execute();
    }
    try {
      await this.#db.insertInto('strata_pipeline_run').values(row).execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'unique') throw runExists(runId);
      throw error;
    }
    return toRun(row);
  }

  /** RUN_NOT_FOUND when there is no such run. */
  async getRun(runId: string): Promise<RunRecord> {
    const row = await this.#db.selectFrom('strata_pipeline_run').selectAll().where('run_id', '=', runId).executeTakeFirst();
    if (row === undefined) throw runNotFound(runId);
    return toRun(row);
  }

  /** Runs matching every given filter, newest first. */
  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    let query = this.#db.selectFrom('strata_pipeline_run').selectAll();
    if (filter.pipeline !== undefined) query = query.where('pipeline', '=', filter.pipeline);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.backfillId !== undefined) query = query.where('backfill_id', '=', filter.backfillId);
    if (filter.partition !== undefined) query = query.where('partition', '=', filter.partition);
    query = query.orderBy('created_at', 'desc').orderBy('run_id', 'desc');
    if (filter.limit !== undefined) query = query.limit(Math.max(0, Math.floor(filter.limit)));
    return (await query.execute()).map(toRun);
  }

  /** The run's steps in declaration order. RUN_NOT_FOUND for an unknown run. */
  async steps(runId: string): Promise<StepRunRecord[]> {
    const rows = await this.#db.selectFrom('strata_pipeline_step_run').selectAll().where('run_id', '=', runId).orderBy('position').execute();
    if (rows.length === 0) await this.getRun(runId);
    return rows.map(toStep);
  }

  /** Attempt history, by step declaration order then attempt number. */
  async attempts(runId: string, stepId?: string): Promise<StepAttemptRecord[]> {
    let query = this.#db
      .selectFrom('strata_pipeline_step_attempt as a')
      .innerJoin('strata_pipeline_step_run as s', (join) => join.onRef('s.run_id', '=', 'a.run_id').onRef('s.step_id', '=', 'a.step_id'))
      .selectAll('a')
      .where('a.run_id', '=', runId);
    if (stepId !== undefined) query = query.where('a.step_id', '=', stepId);
    return (await query.orderBy('s.position').orderBy('a.attempt').execute()).map(toAttempt);
  }

  /**
   * For each partition with a run whose logical date is in `[from, to]` (inclusive `YYYY-MM-DD`),
   * the most recently created run — what "backfill only the failed partitions" looks at. Sorted by
   * partition.
   */
  async latestRunsByPartition(pipeline: string, from: string, to: string): Promise<RunRecord[]> {
    requireDate('from', from);
    requireDate('to', to);
    const rows = await this.#db
      .selectFrom('strata_pipeline_run')
      .selectAll()
      .where('pipeline', '=', pipeline)
      .where('logical_date', '>=', from)
      .where('logical_date', '<=', to)
      .orderBy('created_at', 'desc')
      .orderBy('run_id', 'desc')
      .execute();
    const latest = new Map<string, RunRecord>();
    for (const row of rows) if (!latest.has(row.partition)) latest.set(row.partition, toRun(row));
    return [...latest.values()].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
  }

  // ---- claiming and leases: runs ----------------------------------------------------------------

  /**
   * Atomically claims the next queued run — lowest priority, then oldest — that the limits allow,
   * and marks it `running` under `owner`'s lease (see run-claim.ts for why one statement is enough).
   * `startedAt` is set on the first start only. Undefined when nothing may start now.
   *
   * Gotcha: runs whose holder died still count as running until `recoverExpired()` re-queues them;
   * a runner loop calls it before claiming.
   */
  async claimRun(owner: string, leaseMs: number, limits: ClaimLimits, filter: ClaimFilter = {}): Promise<RunRecord | undefined> {
    requireText('owner', owner);
    requireLease(leaseMs);
    let candidates = this.#db.selectFrom('strata_pipeline_run').select(['pipeline', 'backfill_id']).distinct().where('state', '=', 'queued');
    if (filter.runId !== undefined) candidates = candidates.where('run_id', '=', filter.runId);
    const queued = await candidates.execute();
    if (queued.length === 0) return undefined;
    const perPipeline = new Map(queued.map((r) => [r.pipeline, limits.perPipeline(r.pipeline)] as const));
    const backfillConcurrency = filter.backfillConcurrency;
    const perBackfill =
      backfillConcurrency === undefined
        ? undefined
        : new Map(queued.flatMap((r) => (r.backfill_id === null ? [] : [[r.backfill_id, backfillConcurrency(r.backfill_id)] as const])));
    const now = this.#clock();
    const statement = claimRunStatement({
      owner,
      now,
      leaseExpiresAt: now + leaseMs,
      global: limits.global,
      perPipeline,
      ...(perBackfill === undefined ? {} : { perBackfill }),
      ...(filter.runId === undefined ? {} : { runId: filter.runId }),
    });
    const result = await this.#exclusive((db) => statement.execute(db));
    const row = result.rows[0];
    return row === undefined ? undefined : toRun(row);
  }

  /** Extends `owner`'s lease on a running run; false when the run is no longer running under it (re-queued, taken over, cancelled). */
  async renewRunLease(runId: string, owner: string, leaseMs: number): Promise<boolean> {
    requireLease(leaseMs);
    const result = await this.#db
      .updateTable('strata_pipeline_run')
      .set({ lease_expires_at: this.#clock() + leaseMs })
      .where('run_id', '=', runId)
      .where('state', '=', 'running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Finishes a run held by `owner` and clears the lease. A run cancelled while it was running stays
   * `cancelled` whatever `state` says (cancellation wins). RUN_IN_PROGRESS when `owner` no longer
   * holds it (its lease expired and the run was re-queued or taken over); RUN_NOT_FOUND if unknown.
   */
  async finishRun(runId: string, owner: string, state: 'succeeded' | 'failed' | 'cancelled', error?: ErrorSummary): Promise<void> {
    const result = await this.#db
      .updateTable('strata_pipeline_run')
      .set({
        state: sql<string>`case when state = 'cancelled' then 'cancelled' else ${state} end`,
        finished_at: this.#clock(),
        error_code: error?.code ?? null,
        error_message: error?.message ?? null,
        lease_owner: null,
        lease_expires_at: null,
      })
      .where('run_id', '=', runId)
      .where('lease_owner', '=', owner)
      .where('state', 'in', ['running', 'cancelled'])
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return;
    const run = await this.getRun(runId);
    throw notHeld(`run ${runId}`, owner, run.leaseOwner, run.state);
  }

  /**
   * Re-queues every running run whose lease expired (its process died or stalled), keeping
   * `startedAt`, and returns them.
   *
   * Their `running` steps are deliberately left `running` with the expired lease: `claimStep`
   * takes such a step over (counting a new attempt and closing the dead one as LEASE_EXPIRED),
   * whereas resetting it to `pending` here could race a holder that is merely slow and about to
   * renew. A step whose holder is alive keeps renewing its own lease and cannot be taken over.
   */
  async recoverExpired(): Promise<{ runs: RunRecord[] }> {
    const now = this.#clock();
    const rows = await this.#db
      .updateTable('strata_pipeline_run')
      .set({ state: 'queued', lease_owner: null, lease_expires_at: null })
      .where('state', '=', 'running')
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
      .returningAll()
      .execute();
    return { runs: rows.map(toRun) };
  }

  /**
   * Expires at once the leases of runs and steps whose owner `isGone` says has died (a process on
   * this host that no longer exists), then re-queues those runs as `recoverExpired` does: a
   * restarted Strata need not wait out a killed process's leases.
   */
  async releaseLeases(isGone: (owner: string) => boolean): Promise<{ runs: RunRecord[] }> {
    const held = await this.#db
      .selectFrom('strata_pipeline_run')
      .select(['run_id', 'lease_owner'])
      .where('state', '=', 'running')
      .where('lease_owner', 'is not', null)
      .execute();
    const steps = await this.#db
      .selectFrom('strata_pipeline_step_run')
      .select(['run_id', 'step_id', 'lease_owner'])
      .where('state', '=', 'running')
      .where('lease_owner', 'is not', null)
      .execute();
    const gone = new Set([...held, ...steps].map((r) => r.lease_owner).filter((o): o is string => o !== null && isGone(o)));
    if (gone.size === 0) return { runs: [] };
    const owners = [...gone];
    await this.#db.updateTable('strata_pipeline_step_run').set({ lease_expires_at: 0 }).where('state', '=', 'running').where('lease_owner', 'in', owners).execute();
    await this.#db.updateTable('strata_pipeline_run').set({ lease_expires_at: 0 }).where('state', '=', 'running').where('lease_owner', 'in', owners).execute();
    return this.recoverExpired();
  }

  /** The owner gives a running run back to the queue (another process holds one of its steps). */
  async releaseRun(runId: string, owner: string): Promise<void> {
    await this.#db
      .updateTable('strata_pipeline_run')
      .set({ state: 'queued', lease_owner: null, lease_expires_at: null })
      .where('run_id', '=', runId)
      .where('state', '=', 'running')
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * Runs a failed or cancelled run again under `version`: its failed, upstream-failed, pending,
   * retrying and abandoned running steps (no live lease) become `pending` (attempt counts kept);
   * succeeded and skipped steps are not run again. The run goes back to `queued`, keeps its
   * trigger and `startedAt`, `redrives` + 1, error cleared.
   *
   * INVALID_ARGUMENT for a succeeded run; RUN_IN_PROGRESS for a queued or running one, a cancelled
   * one whose runner still holds a live lease (it has not stopped yet), or when a concurrent
   * redrive won. Steps are reset before the run is re-queued, and steps can only be
   * claimed while their run is running, so no claimer sees a half-reset run.
   */
  async redrive(runId: string, version: string): Promise<RunRecord> {
    requireText('version', version);
    const run = await this.getRun(runId);
    if (run.state === 'succeeded') {
      throw new StrataError('INVALID_ARGUMENT', `Run ${runId} succeeded; there is nothing to redrive (start a new run instead)`, { runId });
    }
    if (run.state === 'queued' || run.state === 'running') throw inProgress(runId, run.state);
    const now = this.#clock();
    // A run cancelled while running is still held until its runner stops (or its lease expires).
    if (run.leaseOwner !== undefined && (run.leaseExpiresAt ?? 0) > now) throw inProgress(runId, run.state);
    await this.#db
      .updateTable('strata_pipeline_step_run')
      .set({ state: 'pending', next_attempt_at: null, started_at: null, finished_at: null, error_code: null, error_message: null, lease_owner: null, lease_expires_at: null })
      .where('run_id', '=', runId)
      .where((eb) =>
        eb.or([
          eb('state', 'in', ['failed', 'upstream_failed', 'pending', 'retrying']),
          eb.and([eb('state', '=', 'running'), eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)])]),
        ]),
      )
      // Only while the run is still finished: a concurrent redrive that already re-queued it (and
      // a runner that already ran some steps again) must not have its steps reset under it.
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('strata_pipeline_run as r')
            .select('r.run_id')
            .where('r.run_id', '=', runId)
            .where('r.state', 'in', ['failed', 'cancelled'])
            .where((r) => r.or([r('r.lease_owner', 'is', null), r('r.lease_expires_at', 'is', null), r('r.lease_expires_at', '<=', now)])),
        ),
      )
      .execute();
    const row = await this.#db
      .updateTable('strata_pipeline_run')
      .set((eb) => ({
        state: 'queued',
        version,
        redrives: eb('redrives', '+', 1),
        finished_at: null,
        error_code: null,
        error_message: null,
        lease_owner: null,
        lease_expires_at: null,
      }))
      .where('run_id', '=', runId)
      .where('state', 'in', ['failed', 'cancelled'])
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw inProgress(runId, (await this.getRun(runId)).state);
    return toRun(row);
  }

  /**
   * Cancels a run. A queued run becomes `cancelled` at once. A running run also becomes
   * `cancelled` at once (so it frees its concurrency slot) but keeps its lease owner: the runner
   * notices between steps (`getRun(runId).state === 'cancelled'`, or `renewRunLease` returning
   * false, or `claimStep` refusing — steps of a run that is not running are never claimed),
   * finishes the step in hand and calls `finishRun`, which keeps the state `cancelled`.
   * Cancelling a cancelled run returns it unchanged; INVALID_ARGUMENT for a finished one.
   */
  async cancelRun(runId: string): Promise<RunRecord> {
    const row = await this.#db
      .updateTable('strata_pipeline_run')
      .set({ state: 'cancelled', finished_at: this.#clock() })
      .where('run_id', '=', runId)
      .where('state', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return toRun(row);
    const run = await this.getRun(runId);
    if (run.state === 'cancelled') return run;
    throw new StrataError('INVALID_ARGUMENT', `Run ${runId} already ${run.state}; only queued or running runs can be cancelled`, { runId, state: run.state });
  }

  // ---- claiming and leases: steps ---------------------------------------------------------------

  /**
   * Atomically starts the next attempt of a step of a running run, under `owner`'s lease. Allowed
   * when the step is `pending`, `retrying` and due (`now ≥ nextAttemptAt`), or `running` with an
   * expired lease (its holder died: the step is taken over and the dead attempt is closed as
   * failed with LEASE_EXPIRED). Returns the attempt number (1-based), or undefined when someone
   * else holds the step, it is finished or not yet due, or the run is not running (cancelled,
   * re-queued). RUN_NOT_FOUND when the run has no such step.
   *
   * Two statements: the step row's update decides (one winner), then the attempt row is written.
   * A crash in between loses only that attempt's history row; the takeover still counts it.
   */
  async claimStep(runId: string, stepId: string, owner: string, leaseMs: number): Promise<number | undefined> {
    requireText('owner', owner);
    requireLease(leaseMs);
    const now = this.#clock();
    const claimed = await this.#db
      .updateTable('strata_pipeline_step_run')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        lease_owner: owner,
        lease_expires_at: now + leaseMs,
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
        next_attempt_at: null,
        finished_at: null,
      }))
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .where((eb) =>
        eb.or([
          eb('state', '=', 'pending'),
          eb.and([eb('state', '=', 'retrying'), eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)])]),
          eb.and([eb('state', '=', 'running'), eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)])]),
        ]),
      )
      .where((eb) => eb.exists(eb.selectFrom('strata_pipeline_run as r').select('r.run_id').where('r.run_id', '=', runId).where('r.state', '=', 'running')))
      .returning('attempts')
      .executeTakeFirst();
    if (claimed === undefined) {
      await this.#step(runId, stepId);
      return undefined;
    }
    const attempt = Number(claimed.attempts);
    await this.#db
      .updateTable('strata_pipeline_step_attempt')
      .set({ state: 'failed', finished_at: now, error_code: LEASE_EXPIRED, error_message: 'The process running this attempt stopped renewing its lease; the step was taken over' })
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .where('attempt', '<', attempt)
      .where('state', '=', 'running')
      .execute();
    await this.#db
      .insertInto('strata_pipeline_step_attempt')
      .values({ run_id: runId, step_id: stepId, attempt, state: 'running', started_at: now, finished_at: null, error_code: null, error_message: null })
      .onConflict((oc) => oc.columns(['run_id', 'step_id', 'attempt']).doNothing())
      .execute();
    return attempt;
  }

  /** Extends `owner`'s lease on a running step; false when the step is no longer running under it. */
  async renewStepLease(runId: string, stepId: string, owner: string, leaseMs: number): Promise<boolean> {
    requireLease(leaseMs);
    const result = await this.#db
      .updateTable('strata_pipeline_step_run')
      .set({ lease_expires_at: this.#clock() + leaseMs })
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .where('state', '=', 'running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Ends the current attempt of a step held by `owner`: the step row takes `outcome.state`
   * (`retrying` waits for `nextAttemptAt`), the attempt row becomes `succeeded` (also for
   * `skipped`) or `failed` (also for `retrying`). The lease is released. RUN_IN_PROGRESS when
   * `owner` no longer holds the step (its lease expired and another process took it over).
   */
  async finishStepAttempt(runId: string, stepId: string, owner: string, outcome: StepOutcome): Promise<StepRunRecord> {
    const now = this.#clock();
    const terminal = outcome.state !== 'retrying';
    const row = await this.#db
      .updateTable('strata_pipeline_step_run')
      .set({
        state: outcome.state,
        finished_at: terminal ? now : null,
        next_attempt_at: terminal ? null : (outcome.nextAttemptAt ?? now),
        error_code: outcome.error?.code ?? null,
        error_message: outcome.error?.message ?? null,
        lease_owner: null,
        lease_expires_at: null,
        ...(outcome.output === undefined ? {} : { output: outcome.output }),
      })
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .where('state', '=', 'running')
      .where('lease_owner', '=', owner)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) {
      const step = await this.#step(runId, stepId);
      throw notHeld(`step ${stepId} of run ${runId}`, owner, step.lease_owner ?? undefined, step.state);
    }
    await this.#db
      .updateTable('strata_pipeline_step_attempt')
      .set({
        state: outcome.state === 'succeeded' || outcome.state === 'skipped' ? 'succeeded' : 'failed',
        finished_at: now,
        error_code: outcome.error?.code ?? null,
        error_message: outcome.error?.message ?? null,
      })
      .where('run_id', '=', runId)
      .where('step_id', '=', stepId)
      .where('attempt', '=', Number(row.attempts))
      .execute();
    return toStep(row);
  }

  /**
   * Sets steps to `upstream_failed` (a dependency failed; finished now) or back to `pending`.
   * Steps held by a live lease are left alone. Returns how many steps changed.
   */
  async markSteps(runId: string, stepIds: readonly string[], state: 'upstream_failed' | 'pending'): Promise<number> {
    if (stepIds.length === 0) return 0;
    const now = this.#clock();
    const result = await this.#db
      .updateTable('strata_pipeline_step_run')
      .set({
        state,
        finished_at: state === 'upstream_failed' ? now : null,
        next_attempt_at: null,
        lease_owner: null,
        lease_expires_at: null,
        ...(state === 'pending' ? { error_code: null, error_message: null } : {}),
      })
      .where('run_id', '=', runId)
      .where('step_id', 'in', [...stepIds])
      .where((eb) => eb.or([eb('state', '!=', 'running'), eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Replaces a step's output JSON (e.g. the snapshot it committed, before the attempt finishes). */
  async setStepOutput(runId: string, stepId: string, output: string): Promise<void> {
    const result = await this.#db.updateTable('strata_pipeline_step_run').set({ output }).where('run_id', '=', runId).where('step_id', '=', stepId).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw stepNotFound(runId, stepId);
  }

  // ---- backfills -------------------------------------------------------------------------------

  /** ALREADY_EXISTS for a used id; INVALID_ARGUMENT for a bad range or concurrency. */
  async createBackfill(backfill: Omit<BackfillRecord, 'createdAt'>): Promise<BackfillRecord> {
    requireText('backfillId', backfill.backfillId);
    requireText('pipeline', backfill.pipeline);
    requireDate('from', backfill.from);
    requireDate('to', backfill.to);
    if (backfill.from > backfill.to) {
      throw new StrataError('INVALID_ARGUMENT', `Backfill range ${backfill.from}..${backfill.to} is empty; --from must not be after --to`, { from: backfill.from, to: backfill.to });
    }
    if (!Number.isInteger(backfill.concurrency) || backfill.concurrency < 1) {
      throw new StrataError('INVALID_ARGUMENT', `Backfill concurrency must be a positive integer, got ${backfill.concurrency}`, { concurrency: backfill.concurrency });
    }
    const record: BackfillRecord = { ...backfill, createdAt: this.#clock() };
    try {
      await this.#db
        .insertInto('strata_pipeline_backfill')
        .values({
          backfill_id: record.backfillId,
          pipeline: record.pipeline,
          from_date: record.from,
          to_date: record.to,
          concurrency: record.concurrency,
          only_failed: record.onlyFailed ? 1 : 0,
          created_at: record.createdAt,
        })
        .execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'unique') {
        throw new StrataError('ALREADY_EXISTS', `Backfill ${record.backfillId} already exists`, { backfillId: record.backfillId });
      }
      throw error;
    }
    return record;
  }

  /** PIPELINE_NOT_FOUND when there is no such backfill. */
  async getBackfill(backfillId: string): Promise<BackfillRecord> {
    const row = await this.#db.selectFrom('strata_pipeline_backfill').selectAll().where('backfill_id', '=', backfillId).executeTakeFirst();
    if (row === undefined) {
      throw new StrataError('PIPELINE_NOT_FOUND', `Backfill ${backfillId} does not exist; list them with \`strata pipeline backfills\``, { backfillId });
    }
    return toBackfill(row);
  }

  /** Backfills, newest first. */
  async listBackfills(pipeline?: string): Promise<BackfillRecord[]> {
    let query = this.#db.selectFrom('strata_pipeline_backfill').selectAll();
    if (pipeline !== undefined) query = query.where('pipeline', '=', pipeline);
    return (await query.orderBy('created_at', 'desc').orderBy('backfill_id', 'desc').execute()).map(toBackfill);
  }

  // ---- scheduler ticks -------------------------------------------------------------------------

  /** The last schedule tick (epoch ms) the scheduler created runs for, if any. */
  async lastTick(pipeline: string): Promise<number | undefined> {
    const row = await this.#db.selectFrom('strata_pipeline_schedule').select('last_tick').where('pipeline', '=', pipeline).executeTakeFirst();
    return row === undefined ? undefined : Number(row.last_tick);
  }

  /**
   * Compare-and-set of the last tick: moves it from `from` (undefined: never ticked) to `to` and
   * returns true, or returns false when another scheduler moved it first. Create the tick's run
   * only after winning, so two schedulers never create the same tick's run twice.
   */
  async advanceTick(pipeline: string, from: number | undefined, to: number): Promise<boolean> {
    if (from === undefined) {
      const result = await this.#db
        .insertInto('strata_pipeline_schedule')
        .values({ pipeline, last_tick: to })
        .onConflict((oc) => oc.column('pipeline').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    }
    const result = await this.#db.updateTable('strata_pipeline_schedule').set({ last_tick: to }).where('pipeline', '=', pipeline).where('last_tick', '=', from).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /**
   * Runs a claiming statement so that no other claimer interleaves. On SQLite the single statement
   * already is (see run-claim.ts); elsewhere (Postgres) a transaction takes a table lock that
   * conflicts with itself but not with plain reads.
   */
  async #exclusive<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.#dialect.name === 'sqlite') return fn(this.#db);
    return this.#db.transaction().execute(async (trx) => {
      await sql`lock table strata_pipeline_run in share row exclusive mode`.execute(trx);
      return fn(trx);
    });
  }

  async #runExists(runId: string): Promise<boolean> {
    return (await this.#db.selectFrom('strata_pipeline_run').select('run_id').where('run_id', '=', runId).executeTakeFirst()) !== undefined;
  }

  async #step(runId: string, stepId: string): Promise<StepRow> {
    const row = await this.#db.selectFrom('strata_pipeline_step_run').selectAll().where('run_id', '=', runId).where('step_id', '=', stepId).executeTakeFirst();
    if (row === undefined) throw stepNotFound(runId, stepId);
    return row;
  }
}

function emptyStep(runId: string, stepId: string): Omit<StepRow, 'position'> {
  return {
    run_id: runId,
    step_id: stepId,
    state: 'pending',
    attempts: 0,
    next_attempt_at: null,
    started_at: null,
    finished_at: null,
    error_code: null,
    error_message: null,
    output: null,
    lease_owner: null,
    lease_expires_at: null,
  };
}

function requireText(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', `${name} must be a non-empty string`, { [name]: value });
  }
}

function requireDate(name: string, value: string): void {
  if (typeof value !== 'string' || !DATE.test(value)) {
    throw new StrataError('INVALID_ARGUMENT', `${name} must be a date written YYYY-MM-DD, got ${JSON.stringify(value)}`, { [name]: value });
  }
}

function requireLease(leaseMs: number): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new StrataError('INVALID_ARGUMENT', `A lease must last a positive number of milliseconds, got ${leaseMs}`, { leaseMs });
  }
}

function runNotFound(runId: string): StrataError {
  return new StrataError('RUN_NOT_FOUND', `Run ${runId} does not exist; list runs with \`strata pipeline runs\``, { runId });
}

function stepNotFound(runId: string, stepId: string): StrataError {
  return new StrataError('RUN_NOT_FOUND', `Run ${runId} has no step ${stepId}`, { runId, stepId });
}

function runExists(runId: string): StrataError {
  return new StrataError('ALREADY_EXISTS', `Run ${runId} already exists`, { runId });
}

function inProgress(runId: string, state: RunState): StrataError {
  return new StrataError('RUN_IN_PROGRESS', `Run ${runId} is ${state}; wait for it to finish or cancel it first`, { runId, state });
}

function notHeld(what: string, owner: string, holder: string | undefined, state: string): StrataError {
  const now = holder === undefined ? `it is ${state} and held by no one` : holder === owner ? `it is ${state}` : `it is held by ${holder}`;
  return new StrataError('RUN_IN_PROGRESS', `${owner} no longer holds ${what} (${now}); its lease expired or it was taken over, so stop working on it`, { owner, holder: holder ?? null, state });
}
