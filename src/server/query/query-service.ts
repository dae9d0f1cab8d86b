/**
 * The query service of `strata serve` — Athena's shape over Strata's lake: a client submits SQL
 * and gets an id at once, polls the state, pages through the stored result, cancels, and lists
 * its history. Each query runs on a governed SQL session as its principal, in a workgroup whose
 * limits apply: a fair queue for its concurrency slots, a scan cap checked from the plan before
 * the engine reads anything, a timeout, and an hourly/daily data-usage budget. An identical query
 * over the same snapshots with the same policies is answered from the stored result.
 *
 * @example
 *   const service = await createQueryService(context, { results });
 *   const { id } = await service.submit('alice', { sql: 'SELECT count(*) FROM sales.orders' });
 *   const info = await service.wait(id);          // or poll service.get('alice', id)
 *   const page = await service.results('alice', id, { offset: 0, limit: 100, format: 'json' });
 *
 * Visibility: a query, its state and its results are visible to the principal who started it and
 * to administrators; anyone else gets QUERY_NOT_FOUND, as if it did not exist.
 *
 * Gotchas: the scan cap and reuse apply to queries (SELECT/WITH/VALUES) only — INSERT … SELECT
 * and CREATE TABLE … AS run uncapped and unreused. Cancelling or timing out interrupts the engine;
 * a statement that writes through the table layer (INSERT, CTAS) is not interrupted mid-write.
 */
import { randomUUID } from 'node:crypto';
import { StrataError, splitStatements } from '../../core/index.ts';
import { loadPrincipalContext, type PrincipalContext } from '../../governance/index.ts';
import { SqlSession, type PlannedQuery } from '../../sql/index.ts';
import type { ServerContext } from '../server-context.ts';
import type { ResultPage, ResultStore, StoredResult } from '../results/result-types.ts';
import { FairQueue } from './fair-queue.ts';
import { QueryHistory } from './query-history.ts';
import { queryMetrics, type QueryMetrics } from './query-metrics.ts';
import { FINISHED_STATES, QueryRun, type PageRequest, type QueryInfo, type QueryState, type SubmitRequest } from './query-record.ts';
import { reuseKeyOf } from './reuse-key.ts';
import { bytesPlanned, enforceScanCap } from './scan-cap.ts';
import { UsageLedger } from './usage-ledger.ts';
import type { Workgroup, WorkgroupGrantee, WorkgroupSettings } from './workgroup.ts';
import { PRIMARY_WORKGROUP } from './workgroup-migrations.ts';
import { WorkgroupStore } from './workgroup-store.ts';

export interface QueryServiceOptions {
  readonly results: ResultStore;
  /** Milliseconds since the epoch; tests pass a controllable clock for budgets. */
  readonly clock?: () => number;
  /** Queries that may wait per workgroup before new ones are refused (QUOTA_EXCEEDED); default 1000. */
  readonly maxQueuedPerWorkgroup?: number;
  /** Finished queries kept in memory for polling (older ones are read from the history table); default 10 000. */
  readonly recentLimit?: number;
  /** Where unexpected failures (a history append that failed, an internal error) are reported. */
  readonly log?: (message: string, error: unknown) => void;
}

export interface HistoryRequest {
  readonly limit?: number;
  readonly state?: QueryState;
  readonly workgroup?: string;
}

interface Job {
  readonly run: QueryRun;
  readonly workgroup: Workgroup;
}

interface Slot {
  readonly workgroup: string;
  running: number;
  limit: number;
  readonly queue: FairQueue<Job>;
}

const DAY = 86_400_000;

/** Thrown from `onPlanned` to stop a query whose result can be reused; caught by the service. */
class ReusedResult extends StrataError {
  readonly stored: StoredResult;
  constructor(stored: StoredResult) {
    super('QUERY_CANCELLED', `Answered from the stored result of query ${stored.queryId} (result reuse); the engine did not run`, { reusedFrom: stored.queryId });
    this.stored = stored;
  }
}

/** Builds the service over the server's context and registers its shutdown hook. */
export async function createQueryService(context: ServerContext, options: QueryServiceOptions): Promise<QueryService> {
  const connection = (context.home.catalog.backend as { readonly connection?: Parameters<typeof WorkgroupStore.open>[0] }).connection;
  if (!connection) throw new StrataError('CATALOG_ERROR', 'This catalog backend has no SQL connection for the query service');
  const workgroups = await WorkgroupStore.open(connection, options.clock ? { clock: options.clock } : {});
  const service = new QueryService(context, workgroups, options);
  await service.loadUsage();
  context.onShutdown((graceMs) => service.shutdown(graceMs));
  return service;
}

export class QueryService {
  readonly workgroups: WorkgroupStore;
  readonly history: QueryHistory;
  readonly #context: ServerContext;
  readonly #results: ResultStore;
  readonly #clock: () => number;
  readonly #maxQueued: number;
  readonly #recentLimit: number;
  readonly #log: (message: string, error: unknown) => void;
  readonly #metrics: QueryMetrics;
  readonly #ledger = new UsageLedger();
  readonly #runs = new Map<string, QueryRun>();
  readonly #slots = new Map<string, Slot>();

  constructor(context: ServerContext, workgroups: WorkgroupStore, options: QueryServiceOptions) {
    this.#context = context;
    this.workgroups = workgroups;
    this.#results = options.results;
    this.#clock = options.clock ?? Date.now;
    this.#maxQueued = options.maxQueuedPerWorkgroup ?? 1000;
    this.#recentLimit = options.recentLimit ?? 10_000;
    this.#log = options.log ?? (() => undefined);
    this.#metrics = queryMetrics(context.metrics);
    this.history = new QueryHistory(context.home.catalog, context.engine);
  }

  /** Seeds the budgets' ledger with the last day of history (so a restart does not reset them). */
  async loadUsage(): Promise<void> {
    for (const usage of await this.history.usageSince(this.#clock() - DAY)) this.#ledger.record(usage.workgroup, usage.finishedAt, usage.bytes);
  }

  // ---- queries ---------------------------------------------------------------------------------

  /**
   * Accepts a query and returns at once (state `queued`, or `planning` when a slot was free).
   * Refuses with ACCESS_DENIED (no USE on the workgroup), WORKGROUP_NOT_FOUND, QUOTA_EXCEEDED
   * (budget spent or queue full), SHUTTING_DOWN, or INVALID_ARGUMENT (not exactly one statement).
   */
  async submit(principal: string, request: SubmitRequest): Promise<QueryInfo> {
    if (this.#context.lifecycle.shuttingDown) throw new StrataError('SHUTTING_DOWN', 'The server is shutting down and takes no new queries; retry against another server or after restart');
    const statements = splitStatements(request.sql);
    if (statements.length !== 1) {
      throw new StrataError('INVALID_ARGUMENT', `Submit exactly one SQL statement per query (got ${statements.length}); send a script's statements one by one`, {
        statements: statements.length,
      });
    }
    const name = request.workgroup ?? PRIMARY_WORKGROUP;
    const workgroup = await this.workgroups.get(name);
    const who = await this.#principal(principal);
    if (!(await this.workgroups.mayUse(who, name))) {
      throw new StrataError('ACCESS_DENIED', `${principal} may not use workgroup ${name}; ask an administrator for a USE grant (POST /api/v1/workgroups/${name}/grants) or use ${PRIMARY_WORKGROUP}`, {
        principal,
        workgroup: name,
      });
    }
    const now = this.#clock();
    this.#ledger.check(workgroup, now);
    const slot = this.#slot(workgroup);
    if (slot.queue.size >= this.#maxQueued) {
      throw new StrataError('QUOTA_EXCEEDED', `Workgroup ${name} already has ${slot.queue.size} queries waiting; wait for some to finish`, { workgroup: name, queued: slot.queue.size });
    }
    const run = new QueryRun(randomUUID(), principal, name, { ...request, sql: statements[0]?.text ?? request.sql }, now);
    this.#remember(run);
    const job: Job = { run, workgroup };
    if (slot.running < slot.limit && slot.queue.size === 0) {
      slot.queue.served(principal);
      this.#start(slot, job);
    } else {
      slot.queue.push(principal, job);
      this.#metrics.queueDepth.set({ workgroup: name }, slot.queue.size);
    }
    return run.info(now);
  }

  /** The query's state and timings; QUERY_NOT_FOUND unless `principal` started it or is an administrator. */
  async get(principal: string, id: string): Promise<QueryInfo> {
    const run = this.#runs.get(id);
    const info = run ? run.info(this.#clock()) : (await this.history.list({ id, limit: 1 }))[0];
    if (!info || (info.principal !== principal && !(await this.#isAdministrator(principal)))) throw queryNotFound(id);
    return info;
  }

  /** Resolves when the query has finished (and is in the history). For tests and embedders. */
  async wait(id: string): Promise<QueryInfo> {
    const run = this.#runs.get(id);
    if (!run) throw queryNotFound(id);
    return run.done;
  }

  /**
   * A page of a finished query's result. QUERY_NOT_FINISHED (409) while it runs; a failed query
   * answers with its own error, a cancelled one with QUERY_CANCELLED.
   */
  async results(principal: string, id: string, page: PageRequest): Promise<ResultPage> {
    const info = await this.get(principal, id);
    if (!FINISHED_STATES.has(info.state)) {
      throw new StrataError('QUERY_NOT_FINISHED', `Query ${id} is ${info.state}; poll GET /api/v1/queries/${id} until it has succeeded`, { id, state: info.state });
    }
    if (info.state === 'cancelled') throw new StrataError('QUERY_CANCELLED', `Query ${id} was cancelled and has no results`, { id });
    if (info.state === 'failed') {
      const code = (info.error?.code ?? 'INTERNAL') as StrataError['code'];
      throw new StrataError(code, `Query ${id} failed and has no results: ${info.error?.message ?? 'unknown error'}`, { id, state: info.state });
    }
    return this.#results.page(info.resultId ?? id, page);
  }

  /** Cancels a queued or running query (waits briefly for it to stop); a finished one is returned as is. */
  async cancel(principal: string, id: string): Promise<QueryInfo> {
    const info = await this.get(principal, id);
    const run = this.#runs.get(id);
    if (!run || FINISHED_STATES.has(info.state)) return info;
    await this.#cancel(run, 'cancel');
    return within(run.done, 5_000, () => run.info(this.#clock()));
  }

  /** Queries newest first: the principal's own, or everyone's for an administrator. */
  async list(principal: string, request: HistoryRequest = {}): Promise<QueryInfo[]> {
    const limit = request.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new StrataError('INVALID_ARGUMENT', 'limit must be a whole number from 1 to 10000', { limit });
    const everyone = await this.#isAdministrator(principal);
    const matches = (info: QueryInfo): boolean =>
      (everyone || info.principal === principal) &&
      (request.state === undefined || info.state === request.state) &&
      (request.workgroup === undefined || info.workgroup === request.workgroup);
    const now = this.#clock();
    const live = [...this.#runs.values()].filter((r) => !r.finished).map((r) => r.info(now)).filter(matches);
    const finished =
      request.state !== undefined && !FINISHED_STATES.has(request.state)
        ? []
        : await this.history.list({
            ...(everyone ? {} : { principal }),
            ...(request.state === undefined ? {} : { state: request.state }),
            ...(request.workgroup === undefined ? {} : { workgroup: request.workgroup }),
            limit,
          });
    return [...live, ...finished].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt)).slice(0, limit);
  }

  /** Drops history rows of whole days older than `olderThanMs`; returns how many. */
  async pruneHistory(olderThanMs: number): Promise<number> {
    return this.history.prune(olderThanMs, this.#clock());
  }

  /** Waits up to `graceMs` for running queries, cancels what is left (queued ones at once), marks them cancelled. */
  async shutdown(graceMs: number): Promise<void> {
    for (const slot of this.#slots.values()) {
      for (const job of slot.queue.drain()) await this.#finish(job.run, 'cancelled', { code: 'QUERY_CANCELLED', message: 'Cancelled: the server shut down before the query started' });
      this.#metrics.queueDepth.set({ workgroup: slot.workgroup }, 0);
    }
    const running = [...this.#runs.values()].filter((r) => !r.finished);
    await within(Promise.all(running.map((r) => r.done)).then(() => undefined), graceMs, () => undefined);
    const left = running.filter((r) => !r.finished);
    for (const run of left) run.abort.abort('shutdown');
    await Promise.all(left.map((r) => r.done));
  }

  // ---- workgroups (administrators) ---------------------------------------------------------------

  /** ACCESS_DENIED unless `principal` is an administrator. */
  async requireAdministrator(principal: string, what: string): Promise<void> {
    if (!(await this.#isAdministrator(principal))) throw new StrataError('ACCESS_DENIED', `Only administrators may ${what}`, { principal });
  }

  /** Workgroups `principal` may use (all of them for administrators). */
  async usableWorkgroups(principal: string): Promise<Workgroup[]> {
    const who = await this.#principal(principal);
    const out: Workgroup[] = [];
    for (const workgroup of await this.workgroups.list()) if (await this.workgroups.mayUse(who, workgroup.name)) out.push(workgroup);
    return out;
  }

  async createWorkgroup(principal: string, name: string, settings: WorkgroupSettings): Promise<Workgroup> {
    await this.requireAdministrator(principal, 'create workgroups');
    return this.workgroups.create(name, settings);
  }

  async updateWorkgroup(principal: string, name: string, settings: WorkgroupSettings): Promise<Workgroup> {
    await this.requireAdministrator(principal, 'change workgroups');
    const updated = await this.workgroups.update(name, settings);
    const slot = this.#slots.get(name);
    if (slot) {
      slot.limit = updated.concurrency;
      this.#pump(slot);
    }
    return updated;
  }

  async dropWorkgroup(principal: string, name: string): Promise<void> {
    await this.requireAdministrator(principal, 'drop workgroups');
    await this.workgroups.drop(name);
  }

  /** Grants USE; the grantee (principal, group or role) must exist. */
  async grantWorkgroup(principal: string, name: string, grantee: WorkgroupGrantee): Promise<void> {
    await this.requireAdministrator(principal, 'grant workgroups');
    const identity = this.#context.governance.identity;
    if (grantee.kind === 'principal') await identity.getPrincipal(grantee.name);
    else if (grantee.kind === 'role') await identity.getRole(grantee.name);
    else if (!(await identity.listGroups()).includes(grantee.name)) {
      throw new StrataError('PRINCIPAL_NOT_FOUND', `No group named ${grantee.name} exists; create it first or check the spelling`, { kind: 'group', name: grantee.name });
    }
    await this.workgroups.grant(name, grantee);
  }

  async revokeWorkgroup(principal: string, name: string, grantee: WorkgroupGrantee): Promise<void> {
    await this.requireAdministrator(principal, 'revoke workgroup grants');
    await this.workgroups.revoke(name, grantee);
  }

  // ---- running ------------------------------------------------------------------------------------

  #slot(workgroup: Workgroup): Slot {
    let slot = this.#slots.get(workgroup.name);
    if (!slot) {
      slot = { workgroup: workgroup.name, running: 0, limit: workgroup.concurrency, queue: new FairQueue<Job>() };
      this.#slots.set(workgroup.name, slot);
    }
    slot.limit = workgroup.concurrency;
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    slot.running++;
    job.run.state = 'planning';
    job.run.startedAt = this.#clock();
    void this.#execute(job).finally(() => {
      slot.running--;
      this.#pump(slot);
    });
  }

  #pump(slot: Slot): void {
    while (slot.running < slot.limit && !this.#context.lifecycle.shuttingDown) {
      const job = slot.queue.shift();
      if (!job) break;
      this.#start(slot, job);
    }
    this.#metrics.queueDepth.set({ workgroup: slot.workgroup }, slot.queue.size);
  }

  async #execute(job: Job): Promise<void> {
    const { run, workgroup } = job;
    const timeout = workgroup.timeoutMs === null ? undefined : setTimeout(() => run.abort.abort('timeout'), workgroup.timeoutMs);
    let session: SqlSession | undefined;
    try {
      run.abort.signal.throwIfAborted();
      const engine = await this.#context.engineFor(workgroup.engine);
      const governor = await this.#context.governance.governorFor(run.principal, engine);
      session = await SqlSession.open({ catalog: this.#context.home.catalog, engine, governor });
      let reuseKey: string | undefined;
      const result = await session.execute(run.statement, {
        signal: run.abort.signal,
        onPlanned: async (planned) => {
          reuseKey = await this.#onPlanned(run, workgroup, planned);
        },
      });
      if (run.plannedAt === undefined) {
        run.plannedAt = this.#clock();
        run.state = 'running';
        run.executed = true;
      }
      const stored =
        result.kind === 'rows'
          ? await this.#results.write(run.id, result.columns, result.rows)
          : await this.#results.write(run.id, [{ name: 'message', type: 'VARCHAR' }], oneBatch([[result.message]]));
      run.rowCount = result.kind === 'rows' ? stored.rowCount : (result.rowCount ?? 0);
      run.resultId = run.id;
      if (reuseKey !== undefined) await this.#results.remember(reuseKey, run.id);
      await this.#finish(run, 'succeeded');
    } catch (error) {
      if (error instanceof ReusedResult) {
        run.reused = true;
        run.resultId = error.stored.queryId;
        run.rowCount = error.stored.rowCount;
        await this.#finish(run, 'succeeded');
      } else if (run.abort.signal.aborted) {
        const reason: unknown = run.abort.signal.reason;
        if (reason === 'timeout') {
          await this.#finish(run, 'failed', {
            code: 'QUERY_TIMEOUT',
            message: `The query ran longer than workgroup ${workgroup.name}'s timeout of ${workgroup.timeoutMs} ms and was cancelled; narrow it or use a workgroup with a longer timeout`,
          });
        } else {
          await this.#finish(run, 'cancelled', {
            code: 'QUERY_CANCELLED',
            message: reason === 'shutdown' ? 'Cancelled: the server shut down while the query ran' : 'The query was cancelled',
          });
        }
      } else if (error instanceof StrataError) {
        await this.#finish(run, 'failed', { code: error.code, message: error.message });
      } else {
        this.#log(`query ${run.id} failed unexpectedly`, error);
        await this.#finish(run, 'failed', { code: 'INTERNAL', message: `Internal error; quote query id ${run.id} when reporting it` });
      }
    } finally {
      if (timeout) clearTimeout(timeout);
      await session?.close().catch((error: unknown) => this.#log(`query ${run.id}: closing its session failed`, error));
    }
  }

  /** The plan is known, nothing has run: reuse a stored result, or enforce the scan cap. Returns the reuse key to remember. */
  async #onPlanned(run: QueryRun, workgroup: Workgroup, planned: PlannedQuery): Promise<string | undefined> {
    run.plannedAt = this.#clock();
    run.bytesPlanned = bytesPlanned(planned.plans);
    // A write is never answered from a stored result; its source is still held to the scan cap.
    const key = planned.kind === 'query' ? reuseKeyOf(run.statement, planned, workgroup.name) : undefined;
    if (key !== undefined && run.reuse) {
      const stored = await this.#results.lookup(key);
      this.#metrics.reuse.inc({ hit: String(stored !== undefined) });
      if (stored) throw new ReusedResult(stored);
    }
    await enforceScanCap(this.#context.home.catalog, planned.plans, workgroup.scanCapBytes, workgroup.name);
    run.abort.signal.throwIfAborted();
    run.state = 'running';
    run.executed = true;
    return key;
  }

  /** Records the outcome: history first, then the state clients see, then metrics and the budget ledger. */
  async #finish(run: QueryRun, state: QueryState, error?: { code: string; message: string }): Promise<void> {
    if (run.finished) return;
    run.finishedAt = this.#clock();
    if (error) run.error = error;
    const info: QueryInfo = { ...run.info(run.finishedAt), state };
    try {
      await this.history.append(info);
    } catch (failure) {
      this.#log(`query ${run.id}: could not record it in the query history`, failure);
    }
    run.state = state;
    this.#metrics.queries.inc({ state, workgroup: run.workgroup });
    this.#metrics.duration.observe({ workgroup: run.workgroup }, (run.finishedAt - run.submittedAt) / 1000);
    if (info.bytesScanned > 0) {
      this.#metrics.bytesScanned.inc({ workgroup: run.workgroup }, info.bytesScanned);
      this.#ledger.record(run.workgroup, run.finishedAt, info.bytesScanned);
    }
    run.settle(info);
    this.#forgetOld();
  }

  async #cancel(run: QueryRun, reason: 'cancel' | 'shutdown'): Promise<void> {
    const slot = this.#slots.get(run.workgroup);
    const queued = slot?.queue.find((j) => j.run === run);
    if (slot && queued && slot.queue.remove(queued)) {
      await this.#finish(run, 'cancelled', { code: 'QUERY_CANCELLED', message: 'The query was cancelled before it started' });
      return;
    }
    run.abort.abort(reason);
  }

  #remember(run: QueryRun): void {
    this.#runs.set(run.id, run);
  }

  /** Keeps at most `recentLimit` finished queries in memory; older ones are served from the history table. */
  #forgetOld(): void {
    let excess = [...this.#runs.values()].filter((r) => r.finished).length - this.#recentLimit;
    for (const [id, run] of this.#runs) {
      if (excess <= 0) break;
      if (!run.finished) continue;
      this.#runs.delete(id);
      excess--;
    }
  }

  async #principal(name: string): Promise<PrincipalContext> {
    return loadPrincipalContext(this.#context.governance.identity, name);
  }

  async #isAdministrator(name: string): Promise<boolean> {
    return this.#context.governance.identity.isAdministrator(name);
  }
}

/** `promise`, or `fallback()` once `ms` have passed (the timer never keeps the process alive). */
async function within<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function queryNotFound(id: string): StrataError {
  return new StrataError('QUERY_NOT_FOUND', `Query ${id} does not exist, or was started by someone else; list yours with GET /api/v1/queries`, { id });
}

function oneBatch(rows: unknown[][]): AsyncIterable<readonly unknown[][]> {
  return {
    async *[Symbol.asyncIterator]() {
      yield await Promise.resolve(rows);
    },
  };
}
