/**
 * The pipeline service: registers pipeline versions, creates runs (manual, scheduled, backfills,
 * redrives), and works the queue — claiming runs under the global and per-pipeline concurrency
 * limits, fresh runs ahead of backfills — until it is idle or stopped. `strata pipeline …` uses it
 * for one invocation; `strata serve` keeps one running with the scheduler.
 *
 * @example
 *   const service = await PipelineService.open({ home });
 *   await service.register(definition, 'pipelines/daily.yaml');
 *   await service.trigger('daily', { logicalDate: '2024-03-01' });
 *   const finished = await service.runQueued();   // runs until nothing is claimable
 *   await service.close();
 */
import { randomUUID } from 'node:crypto';
import { StrataError, messageOf } from '../../core/index.ts';
import type { StrataHome } from '../../catalog/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { LineageStore, WebhookNotifier } from '../../observe/index.ts';
import { QualityResultsTable } from '../../quality/results/quality-results-table.ts';
import { SqlSession } from '../../sql/index.ts';
import type { PipelineDefinition } from '../definition/pipeline-definition.ts';
import { canonicalDefinition, definitionFromCanonical, versionOf } from '../definition/pipeline-version.ts';
import { checkInputs, validatePipeline } from '../definition/validate-pipeline.ts';
import { RunPriority, type BackfillRecord, type PipelineVersion, type RunRecord, type RunState } from '../runs/run-model.ts';
import { RunStore } from '../runs/run-store.ts';
import { systemClock, type Clock } from '../schedule/clock.ts';
import { datesBetween, latestTick, logicalDateOf, ticksBetween } from '../schedule/cron-schedule.ts';
import { isDeadLocalOwner, newOwnerId } from './owner-id.ts';
import { executeRun } from './run-executor.ts';
import type { NotificationEvent, RunnerDeps } from './runner-deps.ts';
import type { FaultInjector } from './step-execution.ts';
import { runSessions, type SparkCompute } from './run-sessions.ts';

export interface PipelineServiceOptions {
  readonly home: StrataHome;
  readonly clock?: Clock;
  /** Runs at once across all pipelines (default 2: the embedded engine shares one machine). */
  readonly globalConcurrency?: number;
  /** How long a lease lasts without a heartbeat (default 30 s). */
  readonly leaseMs?: number;
  readonly random?: () => number;
  readonly fault?: FaultInjector;
  readonly log?: (line: string) => void;
  /** For webhook deliveries (tests). */
  readonly fetch?: typeof fetch;
  /** Where steps on `spark` run; without it they fail with ENGINE_UNAVAILABLE. */
  readonly spark?: SparkCompute;
}

export interface FinishedRun {
  readonly run: RunRecord;
  readonly state: RunState;
}

export class PipelineService {
  readonly store: RunStore;
  readonly #engine: DuckDbEngine;
  readonly #deps: RunnerDeps;
  readonly #globalConcurrency: number;
  /** Definitions registered in this process, by version: the only ones whose function steps can run. */
  readonly #definitions = new Map<string, PipelineDefinition>();
  readonly #stop = new AbortController();
  readonly #inFlight = new Set<Promise<FinishedRun[]>>();
  readonly #session: SqlSession;

  private constructor(store: RunStore, engine: DuckDbEngine, session: SqlSession, deps: RunnerDeps, globalConcurrency: number) {
    this.#session = session;
    this.store = store;
    this.#engine = engine;
    this.#deps = deps;
    this.#globalConcurrency = globalConcurrency;
  }

  static async open(options: PipelineServiceOptions): Promise<PipelineService> {
    const { home } = options;
    const clock = options.clock ?? systemClock;
    const connection = (home.catalog.backend as { readonly connection?: Parameters<typeof RunStore.open>[0] }).connection;
    if (!connection) throw new StrataError('CATALOG_ERROR', 'This catalog backend has no SQL connection for pipeline runs');
    const store = await RunStore.open(connection, { clock: () => clock.now() });
    const engine = DuckDbEngine.create(home.runtime);
    const session = await SqlSession.open({ catalog: home.catalog, engine, runtime: home.runtime });
    const notifier = new WebhookNotifier({
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const log = options.log ?? (() => undefined);
    const service = new PipelineService(
      store,
      engine,
      session,
      {
        home,
        store,
        openSessions: (definition) => runSessions({ catalog: home.catalog, embedded: session, definition, spark: options.spark, log }),
        results: await QualityResultsTable.open(home.catalog),
        lineage: await LineageStore.open(home.catalog),
        notify: async (definition, event, payload) => deliver(notifier, definition, event, payload),
        clock,
        owner: newOwnerId(),
        leaseMs: options.leaseMs ?? 30_000,
        random: options.random ?? Math.random,
        fault: options.fault ?? (() => undefined),
        log,
        namespace: `strata://${home.home}`,
      },
      options.globalConcurrency ?? 2,
    );
    return service;
  }

  get owner(): string {
    return this.#deps.owner;
  }

  /** Validates and records a version of the definition (idempotent); it becomes the latest. */
  async register(definition: PipelineDefinition, source?: string): Promise<PipelineVersion> {
    validatePipeline(definition);
    const version = versionOf(definition);
    this.#definitions.set(`${definition.name}@${version}`, definition);
    return this.store.saveVersion(definition.name, canonicalDefinition(definition), version, source);
  }

  /** A manual run for a logical date (default today, UTC). */
  async trigger(pipeline: string, options: { readonly logicalDate?: string; readonly partition?: string; readonly version?: string } = {}): Promise<RunRecord> {
    const version = await this.#version(pipeline, options.version);
    const logicalDate = options.logicalDate ?? new Date(this.#deps.clock.now()).toISOString().slice(0, 10);
    return this.#createRun(version, logicalDate, options.partition ?? logicalDate, 'manual', RunPriority.manual);
  }

  /**
   * Runs for every date in [from, to], at backfill priority (behind fresh runs) and with their own
   * concurrency. `onlyFailed` keeps only dates whose latest earlier run failed or was cancelled.
   */
  async backfill(
    pipeline: string,
    options: { readonly from: string; readonly to: string; readonly concurrency?: number; readonly onlyFailed?: boolean },
  ): Promise<{ readonly backfill: BackfillRecord; readonly runs: readonly RunRecord[] }> {
    const version = await this.#version(pipeline);
    let dates = datesBetween(options.from, options.to);
    if (options.onlyFailed) {
      const latest = new Map((await this.store.latestRunsByPartition(pipeline, options.from, options.to)).map((r) => [r.partition, r.state]));
      dates = dates.filter((d) => latest.get(d) === 'failed' || latest.get(d) === 'cancelled');
    }
    const backfill = await this.store.createBackfill({
      backfillId: randomUUID(),
      pipeline,
      from: options.from,
      to: options.to,
      concurrency: options.concurrency ?? 1,
      onlyFailed: options.onlyFailed ?? false,
    });
    const runs: RunRecord[] = [];
    for (const date of dates) runs.push(await this.#createRun(version, date, date, 'backfill', RunPriority.backfill, backfill.backfillId));
    return { backfill, runs };
  }

  /**
   * Reruns a finished run's failed and not-yet-run steps (successful ones stay), with the version
   * that ran (`pinned`, default) or the latest registered one.
   */
  async redrive(runId: string, options: { readonly version?: 'pinned' | 'latest' } = {}): Promise<RunRecord> {
    const run = await this.store.getRun(runId);
    const version = options.version === 'latest' ? (await this.#version(run.pipeline)).version : run.version;
    const definition = await this.definition(run.pipeline, version);
    const known = new Set(definition.steps.map((s) => s.id));
    const missing = (await this.store.steps(runId)).filter((s) => !known.has(s.stepId));
    if (missing.length > 0) {
      throw new StrataError('INVALID_ARGUMENT', `Version ${version} of ${run.pipeline} has no step(s) ${missing.map((s) => s.stepId).join(', ')} that run ${runId} has; redrive with the version that ran`, {
        runId,
      });
    }
    return this.store.redrive(runId, version);
  }

  /** Scheduler tick: creates the runs of every schedule tick due since the last one. */
  async schedule(pipelines?: readonly string[]): Promise<RunRecord[]> {
    const now = this.#deps.clock.now();
    const created: RunRecord[] = [];
    for (const latest of await this.store.listPipelines()) {
      if (pipelines && !pipelines.includes(latest.pipeline)) continue;
      const definition = await this.definition(latest.pipeline, latest.version);
      const schedule = definition.schedule;
      if (!schedule) continue;
      const last = await this.store.lastTick(latest.pipeline);
      let ticks: number[];
      if (last === undefined || !schedule.catchup) {
        const newest = latestTick(schedule, now);
        ticks = newest !== undefined && (last === undefined || newest > last) ? [newest] : [];
      } else {
        ticks = ticksBetween(schedule, last, now);
      }
      const to = ticks.at(-1);
      if (to === undefined) continue;
      if (!(await this.store.advanceTick(latest.pipeline, last, to))) continue; // another scheduler took these ticks
      for (const tick of ticks) {
        const date = logicalDateOf(schedule, tick);
        created.push(await this.#createRun(latest, date, date, 'schedule', RunPriority.scheduled));
      }
    }
    return created;
  }

  /**
   * Works the queue until nothing is claimable: recovers runs of dead processes, then runs up to
   * the global concurrency at once. Returns the runs it finished.
   */
  async runQueued(filter: { readonly runId?: string } = {}): Promise<FinishedRun[]> {
    const work = this.#workQueue(filter);
    this.#inFlight.add(work);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  async #workQueue(filter: { readonly runId?: string }): Promise<FinishedRun[]> {
    await this.recover();
    const finished: FinishedRun[] = [];
    const workers = Array.from({ length: this.#globalConcurrency }, async () => {
      for (;;) {
        if (this.#stop.signal.aborted) return;
        const run = await this.store.claimRun(this.#deps.owner, this.#deps.leaseMs, { global: this.#globalConcurrency, perPipeline: (p) => this.#concurrencyOf(p) }, {
          ...(filter.runId === undefined ? {} : { runId: filter.runId }),
          backfillConcurrency: (id) => this.#backfillConcurrency.get(id) ?? 1,
        });
        if (!run) return;
        finished.push({ run, state: await this.#execute(run) });
      }
    });
    await this.#loadBackfills();
    await Promise.all(workers);
    return finished;
  }

  /** Runs and steps held by processes that are gone go back to work at once (leases also expire on their own). */
  async recover(): Promise<void> {
    await this.store.recoverExpired();
    await this.store.releaseLeases((owner) => isDeadLocalOwner(owner));
  }

  /** Cancels a queued run at once; a running one stops before its next step (the step running finishes). */
  async cancel(runId: string): Promise<RunRecord> {
    return this.store.cancelRun(runId);
  }

  /** The definition of a version: this process's own (with its functions) or the stored one. */
  async definition(pipeline: string, version: string): Promise<PipelineDefinition> {
    const own = this.#definitions.get(`${pipeline}@${version}`);
    if (own) return own;
    return definitionFromCanonical((await this.store.version(pipeline, version)).definition);
  }

  /** The scheduler and worker loop of `strata serve`: every `intervalMs`, schedule then work the queue. */
  async start(intervalMs = 5_000): Promise<void> {
    while (!this.#stop.signal.aborted) {
      try {
        await this.schedule();
        await this.runQueued();
      } catch (error) {
        this.#deps.log(`pipeline scheduler: ${messageOf(error)}`);
      }
      await this.#deps.clock.sleep(intervalMs, this.#stop.signal).catch(() => undefined);
    }
  }

  /**
   * Stops claiming runs, lets the runs in progress finish, then releases the engine; safe to call
   * more than once.
   */
  async close(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    await Promise.allSettled([...this.#inFlight]);
    await this.#session.close();
    await this.#engine.close();
  }

  // ---- internals -------------------------------------------------------------------------

  readonly #concurrency = new Map<string, number>();
  readonly #backfillConcurrency = new Map<string, number>();

  #concurrencyOf(pipeline: string): number {
    return this.#concurrency.get(pipeline) ?? 1;
  }

  async #loadBackfills(): Promise<void> {
    for (const b of await this.store.listBackfills()) this.#backfillConcurrency.set(b.backfillId, b.concurrency);
    for (const p of await this.store.listPipelines()) {
      const definition = await this.definition(p.pipeline, p.version).catch(() => undefined);
      this.#concurrency.set(p.pipeline, definition?.concurrency ?? 1);
    }
  }

  async #version(pipeline: string, version?: string): Promise<PipelineVersion> {
    if (version !== undefined) return this.store.version(pipeline, version);
    const latest = await this.store.latestVersion(pipeline);
    if (!latest) throw new StrataError('PIPELINE_NOT_FOUND', `No pipeline named ${pipeline} is registered; run it once from its file (strata pipeline run <file>)`, { pipeline });
    return latest;
  }

  async #createRun(version: PipelineVersion, logicalDate: string, partition: string, trigger: RunRecord['trigger'], priority: number, backfillId?: string): Promise<RunRecord> {
    const definition = await this.definition(version.pipeline, version.version);
    return this.store.createRun({
      pipeline: version.pipeline,
      version: version.version,
      logicalDate,
      partition,
      trigger,
      priority,
      ...(backfillId === undefined ? {} : { backfillId }),
      steps: definition.steps.map((s) => s.id),
    });
  }

  async #execute(run: RunRecord): Promise<RunState> {
    try {
      const definition = await this.definition(run.pipeline, run.version);
      // Missing inputs fail the run before any step writes, naming the table and its reader.
      await checkInputs(definition, (id) => this.#deps.home.catalog.tableExists(id));
      return await executeRun(this.#deps, run, definition);
    } catch (error) {
      const state = StrataError.is(error, 'RUN_IN_PROGRESS') ? 'queued' : 'failed';
      this.#deps.log(`run ${run.runId} ${state === 'queued' ? 'postponed' : 'failed'}: ${messageOf(error)}`);
      if (state === 'failed') await this.store.finishRun(run.runId, this.#deps.owner, 'failed', { code: StrataError.is(error) ? error.code : 'UNKNOWN', message: messageOf(error) });
      else await this.store.releaseRun(run.runId, this.#deps.owner);
      return state === 'failed' ? 'failed' : 'queued';
    }
  }
}

async function deliver(notifier: WebhookNotifier, definition: PipelineDefinition, event: NotificationEvent, payload: Record<string, unknown>): Promise<void> {
  for (const target of definition.notifications ?? []) {
    if (target.events && !target.events.includes(event)) continue;
    const secret = target.secret ?? (target.secretEnv === undefined ? undefined : process.env[target.secretEnv]);
    await notifier.deliver({ url: target.url, ...(secret === undefined ? {} : { secret }) }, { type: event, payload });
  }
}
