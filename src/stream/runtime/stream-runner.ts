/**
 * The micro-batch loop of one stream: plan a range, log it, read and decode, run the operators,
 * checkpoint state, write dead letters, commit the sink with the batch's offsets, tell the source.
 *
 * Exactly-once, end to end:
 * - The sink commit is the commit point. Its snapshot summary carries the batch id, the end
 *   offsets and the watermark (model/batch-commit.ts), and the commit is refused if that batch is
 *   already on the table, so a batch lands once even if two runners race.
 * - Everything before it is replayable: the batch's range, processing timestamp and watermark are
 *   logged first (offset-log.ts), sources re-read a range identically, operators are deterministic,
 *   the state checkpoint of an uncommitted batch is discarded on restore, and the dead-letter commit
 *   of a batch is skipped when the table already has it.
 * - Everything after it is advisory: the Kafka group's offsets and the progress row. A crash there
 *   loses nothing: the restart reads the offsets from the sink's summary.
 *
 * After a crash (or any failed batch) the runner recovers the same way it starts: last committed
 * batch from the sink, state restored to it, the logged plan of the next batch replayed if any.
 *
 * @example
 *   const runner = await StreamRunner.open({ home, definition, version });
 *   await runner.run({ availableNow: true });
 *   await runner.close();
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { StrataError, messageOf } from '../../core/index.ts';
import type { StrataHome } from '../../catalog/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { SqlSession } from '../../sql/index.ts';
import {
  hasNewRecords,
  rememberPosition,
  type BatchContext,
  type BatchProgress,
  type DeadLetter,
  type DeadLetterReason,
  type SourceOffsets,
  type SourceRecord,
  type StateStore,
  type StreamDefinition,
  type StreamRow,
  type StreamSource,
} from '../model/index.ts';
import { recordDecoder } from '../format/index.ts';
import { nextWatermark } from '../time/index.ts';
import { openStateStore } from '../state/index.ts';
import { openStreamSink, writeDeadLetters, type StreamSink } from '../sink/index.ts';
import { buildChain, type Chain } from './build-chain.ts';
import { OffsetLog, type BatchPlan } from './offset-log.ts';
import { openSource, type SourceOpener } from './open-source.ts';
import { streamArea, type StreamArea } from './stream-area.ts';
import type { StreamStore, StreamStatus } from './stream-store.ts';
import type { StreamMetrics } from './stream-metrics.ts';
import { StreamAlerts } from './stream-alerts.ts';

/** Points where tests inject a crash (the runner must recover from each without loss or duplicates). */
export type FaultPoint = 'after-plan' | 'after-read' | 'after-process' | 'after-checkpoint' | 'after-dead-letters' | 'after-sink-commit' | 'after-source-commit';

export interface StreamRunnerOptions {
  readonly home: StrataHome;
  readonly definition: StreamDefinition;
  /** The definition's version (definition/stream-version.ts), logged with each batch plan. */
  readonly version: string;
  /** The registry: lease, desired state and progress rows. Without it the runner keeps no progress history. */
  readonly store?: StreamStore;
  /** Lease owner id (default: host:pid:random). */
  readonly owner?: string;
  readonly metrics?: StreamMetrics;
  readonly alerts?: StreamAlerts;
  readonly openSource?: SourceOpener;
  /** Local scratch for the state store's spill database (default `<home>/tmp/streams/<name>`). */
  readonly localDir?: string;
  /** Consecutive failed batch attempts before the runner gives up (default 5). */
  readonly maxConsecutiveFailures?: number;
  /** Delay before retrying a failed batch, doubled per failure up to 30 s (default 1 000 ms). */
  readonly retryDelayMs?: number;
  readonly fault?: (point: FaultPoint, batchId: number) => void | Promise<void>;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Process what the source has now (in batches), then return — overrides the definition's trigger. */
  readonly availableNow?: boolean;
}

export interface RunSummary {
  readonly batches: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly deadLetters: number;
  /** Why the loop ended. */
  readonly reason: 'available-now-drained' | 'stopped' | 'aborted' | 'lease-lost';
}

/** A runner renews its lease every third of this; a dead runner's stream can be taken over after it. */
const LEASE_TTL_MS = 15_000;

export class StreamRunner {
  readonly definition: StreamDefinition;
  readonly #options: StreamRunnerOptions;
  readonly #source: StreamSource;
  readonly #state: StateStore;
  readonly #sink: StreamSink;
  readonly #chain: Chain;
  readonly #offsetLog: OffsetLog;
  readonly #area: StreamArea;
  readonly #alerts: StreamAlerts;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #decode: (record: SourceRecord) => { readonly row: StreamRow } | { readonly letter: DeadLetter };
  /** Last committed batch (-1: none yet). */
  #committed = -1;
  #offsets: SourceOffsets = {};
  #watermark: bigint | undefined;
  #lastBatchAt: number | undefined;
  #closed = false;
  readonly #owner: string;

  private constructor(options: StreamRunnerOptions, parts: { source: StreamSource; state: StateStore; sink: StreamSink; chain: Chain; area: StreamArea }) {
    this.definition = options.definition;
    this.#options = options;
    this.#owner = options.owner ?? defaultOwner();
    this.#source = parts.source;
    this.#state = parts.state;
    this.#sink = parts.sink;
    this.#chain = parts.chain;
    this.#area = parts.area;
    this.#offsetLog = new OffsetLog(parts.area.offsets);
    this.#alerts = options.alerts ?? new StreamAlerts(options.definition.name, options.definition.alerts);
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => undefined);
    this.#decode = recordDecoder(options.definition.source.format, options.definition.source.columns);
  }

  /** Opens the source, state store and sink, and recovers to the last committed batch. */
  static async open(options: StreamRunnerOptions): Promise<StreamRunner> {
    const { definition } = options;
    // The lease comes first: recovery prunes the offset log and discards uncommitted checkpoints,
    // which must never happen under a runner that is still alive elsewhere.
    const owner = options.owner ?? defaultOwner();
    const { store } = options;
    if (store && !(await store.claim(definition.name, owner, LEASE_TTL_MS))) {
      const record = await store.get(definition.name);
      throw new StrataError(
        'STREAM_RUNNING',
        `Stream ${definition.name} is already running (lease held by ${record?.leaseOwner ?? 'another process'}); stop it first with "strata stream stop ${definition.name}"`,
        { stream: definition.name, owner: record?.leaseOwner },
      );
    }
    try {
      return await StreamRunner.#openClaimed({ ...options, owner });
    } catch (error) {
      await store?.release(definition.name, owner, 'failed', messageOf(error)).catch(() => undefined);
      throw error;
    }
  }

  static async #openClaimed(options: StreamRunnerOptions & { readonly owner: string }): Promise<StreamRunner> {
    const { home, definition } = options;
    const area = streamArea(home.lake, definition.name);
    const session = await SqlSession.open({ catalog: home.catalog, engine: DuckDbEngine.create(home.runtime), runtime: home.runtime });
    const chain = await buildChain(definition, { session, runtime: home.runtime });
    const sink = await openStreamSink({ catalog: home.catalog, runtime: home.runtime, stream: definition.name, sink: definition.sink, fields: chain.outputFields });
    const localDir = options.localDir ?? join(home.runtime.tempDirectory, 'streams', definition.name);
    const source = await (options.openSource ?? openSource)(definition.source, {
      stream: definition.name,
      store: area.source,
      ...(options.log ? { log: options.log } : {}),
    });
    let state: StateStore;
    try {
      state = await openStateStore({ store: area.state, localDir, settings: definition.state, ...(options.log ? { log: options.log } : {}) });
    } catch (error) {
      await source.close();
      throw error;
    }
    const runner = new StreamRunner(options, { source, state, sink, chain, area });
    try {
      await runner.#recover();
    } catch (error) {
      await runner.close();
      throw error;
    }
    return runner;
  }

  /** The last committed batch id (-1 before the first). */
  get committedBatchId(): number {
    return this.#committed;
  }

  /** Where the next batch starts. */
  get offsets(): SourceOffsets {
    return this.#offsets;
  }

  get watermark(): bigint | undefined {
    return this.#watermark;
  }

  /** Where the stream keeps its offset log, state and source logs. */
  get area(): StreamArea {
    return this.#area;
  }

  /** Back to the last committed batch: its offsets, watermark and state. */
  async #recover(): Promise<void> {
    const last = await this.#sink.lastCommit();
    this.#committed = last?.batchId ?? -1;
    this.#watermark = last?.watermark;
    await this.#state.restore(last?.batchId);
    const pending = await this.#offsetLog.read(this.#committed + 1);
    this.#offsets = pending?.start ?? last?.offsets ?? (await this.#offsetLog.startingOffsets(() => this.#source.initialOffsets()));
    await this.#offsetLog.prune(this.#committed);
    if (last) this.#log(`stream ${this.definition.name}: resuming after batch ${last.batchId}${pending ? ` (replaying the planned batch ${pending.batchId})` : ''}`);
  }

  /**
   * Runs one micro-batch — the logged plan of an interrupted one first — and returns its progress,
   * or undefined when the source has nothing new (no batch is started then). `limit` caps the
   * batch's end offsets (available-now).
   */
  async runBatch(limit?: SourceOffsets): Promise<BatchProgress | undefined> {
    if (this.#closed) throw new StrataError('INVALID_ARGUMENT', `Stream ${this.definition.name}'s runner is closed`);
    const startedAt = this.#now();
    const batchId = this.#committed + 1;
    const plan = await this.#plan(batchId, limit);
    if (!plan) return undefined;
    const fault = async (point: FaultPoint): Promise<void> => {
      await this.#options.fault?.(point, batchId);
    };
    await fault('after-plan');

    const timer = stopwatch(this.#now);
    const records: SourceRecord[] = [];
    for await (const chunk of this.#source.read(plan.start, plan.end)) records.push(...chunk);
    const readMs = timer.lap();
    await fault('after-read');

    const letters: DeadLetter[] = [];
    const rows: StreamRow[] = [];
    for (const record of records) {
      const decoded = this.#decode(record);
      if ('row' in decoded) {
        rememberPosition(decoded.row, record.position);
        rows.push(decoded.row);
      } else {
        letters.push(decoded.letter);
      }
    }
    const watermark = plan.watermark === undefined ? undefined : BigInt(plan.watermark);
    const eventTime = this.definition.source.eventTime;
    const next = eventTime ? nextWatermark(watermark, maxEventTime(rows, eventTime.column), eventTime.maxLatenessMs) : undefined;
    this.#state.beginBatch(batchId, plan.batchTimestampMs);
    const context: BatchContext = {
      stream: this.definition.name,
      batchId,
      batchTimestampMs: plan.batchTimestampMs,
      watermark,
      nextWatermark: next,
      state: this.#state,
      deadLetter: (letter) => letters.push(letter),
    };
    let output: StreamRow[] = rows;
    for (const operator of this.#chain.operators) output = await operator.process(output, context);
    this.#state.expireIdle(plan.batchTimestampMs);
    const processMs = timer.lap();
    await fault('after-process');

    try {
      await this.#state.checkpoint(batchId);
    } catch (error) {
      this.#alerts.checkpointFailed(batchId, messageOf(error));
      throw error;
    }
    const checkpointMs = timer.lap();
    await fault('after-checkpoint');

    if (letters.length > 0) {
      await writeDeadLetters({
        catalog: this.#options.home.catalog,
        table: this.definition.deadLetterTable,
        stream: this.definition.name,
        batchId,
        batchTimestampMs: plan.batchTimestampMs,
        letters,
      });
    }
    await fault('after-dead-letters');
    const commit = await this.#sink.commit(output, { stream: this.definition.name, batchId, offsets: plan.end, ...(next === undefined ? {} : { watermark: next }) });
    this.#committed = batchId;
    this.#offsets = plan.end;
    this.#watermark = next;
    await fault('after-sink-commit');
    await this.#source.committed(plan.end);
    await fault('after-source-commit');
    const commitMs = timer.lap();

    const stats = this.#state.stats();
    const finishedAt = this.#now();
    const progress: BatchProgress = {
      stream: this.definition.name,
      batchId,
      startOffsets: plan.start,
      endOffsets: plan.end,
      ...(next === undefined ? {} : { watermark: String(next) }),
      rowsIn: records.length,
      rowsOut: commit.rows,
      deadLetters: letters.length,
      durations: { read: readMs, process: processMs, checkpoint: checkpointMs, commit: commitMs, total: finishedAt - startedAt },
      stateRows: stats.rows,
      stateBytes: stats.bytes,
      snapshotId: String(commit.snapshotId),
      startedAt,
      finishedAt,
    };
    await this.#options.store?.recordProgress(progress);
    this.#options.metrics?.batchCommitted(progress, countByReason(letters), this.#lastBatchAt === undefined ? undefined : startedAt - this.#lastBatchAt);
    this.#lastBatchAt = startedAt;
    return progress;
  }

  /** The logged plan of `batchId` (an interrupted batch), or a new one; undefined when there is nothing to do. */
  async #plan(batchId: number, limit: SourceOffsets | undefined): Promise<BatchPlan | undefined> {
    const logged = await this.#offsetLog.read(batchId);
    if (logged) return logged;
    const latest = await this.#source.latestOffsets(this.#offsets, this.definition.source.maxRecordsPerBatch);
    const end = limit ? capOffsets(latest, limit, this.#offsets) : latest;
    if (!hasNewRecords(this.#offsets, end)) return undefined;
    const plan: BatchPlan = {
      batchId,
      start: this.#offsets,
      end,
      batchTimestampMs: this.#now(),
      ...(this.#watermark === undefined ? {} : { watermark: String(this.#watermark) }),
      version: this.#options.version,
    };
    await this.#offsetLog.write(plan);
    return plan;
  }

  /**
   * The trigger loop: a batch per trigger interval until stopped (signal, `strata stream stop`, a
   * lost lease) — or, with available-now, until everything the source had at the start is done.
   * A failed batch is retried from the last commit with backoff; after `maxConsecutiveFailures`
   * the error is thrown (and alerted).
   */
  async run(options: RunOptions = {}): Promise<RunSummary> {
    const { store } = this.#options;
    const name = this.definition.name;
    const owner = this.#owner;
    const availableNow = options.availableNow ?? this.definition.trigger.kind === 'available-now';
    const intervalMs = this.definition.trigger.kind === 'interval' ? this.definition.trigger.intervalMs : 0;
    if (store && !(await store.renew(name, owner, LEASE_TTL_MS, 'running'))) {
      throw new StrataError('STREAM_RUNNING', `Stream ${name}'s lease was taken over by another runner; this one stops`, { stream: name });
    }
    const totals = { batches: 0, rowsIn: 0, rowsOut: 0, deadLetters: 0 };
    let reason: RunSummary['reason'] = 'stopped';
    let status: StreamStatus = 'stopped';
    let failure: string | undefined;
    const heartbeat = store ? setInterval(() => void store.renew(name, owner, LEASE_TTL_MS).catch(() => undefined), LEASE_TTL_MS / 3) : undefined;
    heartbeat?.unref();
    try {
      await store?.renew(name, owner, LEASE_TTL_MS, 'running');
      const limit = availableNow ? await this.#source.latestOffsets(this.#offsets, Number.MAX_SAFE_INTEGER) : undefined;
      let failures = 0;
      for (;;) {
        if (options.signal?.aborted) {
          reason = 'aborted';
          break;
        }
        const started = this.#now();
        let progress: BatchProgress | undefined;
        try {
          progress = await this.runBatch(limit);
          failures = 0;
        } catch (error) {
          failures++;
          this.#options.metrics?.batchFailed(name);
          this.#log(`stream ${name}: batch ${this.#committed + 1} failed (${messageOf(error)}); attempt ${failures} of ${this.#options.maxConsecutiveFailures ?? 5}`);
          if (failures >= (this.#options.maxConsecutiveFailures ?? 5)) throw error;
          await sleep(Math.min(30_000, (this.#options.retryDelayMs ?? 1_000) * 2 ** (failures - 1)), options.signal);
          await this.#recover();
          continue;
        }
        if (progress) {
          totals.batches++;
          totals.rowsIn += progress.rowsIn;
          totals.rowsOut += progress.rowsOut;
          totals.deadLetters += progress.deadLetters;
          await this.#reportLag(progress);
        }
        if (availableNow && (!progress || !hasNewRecords(this.#offsets, limit ?? {}))) {
          reason = 'available-now-drained';
          status = 'finished';
          break;
        }
        if (store) {
          if (!(await store.renew(name, owner, LEASE_TTL_MS, 'running'))) {
            reason = 'lease-lost';
            break;
          }
          if ((await store.get(name))?.desired === 'stopped') {
            reason = 'stopped';
            break;
          }
        }
        const wait = progress ? intervalMs - (this.#now() - started) : Math.max(intervalMs, 100);
        if (wait > 0) await sleep(wait, options.signal);
      }
    } catch (error) {
      status = 'failed';
      failure = messageOf(error);
      this.#alerts.failed(failure);
      throw error;
    } finally {
      if (heartbeat) clearInterval(heartbeat);
      if (store && reason !== 'lease-lost') await store.release(name, owner, status, failure).catch(() => undefined);
      await this.#alerts.flush();
    }
    return { ...totals, reason };
  }

  async #reportLag(progress: BatchProgress): Promise<void> {
    const backlog = await this.#source.backlog(this.#offsets).catch(() => undefined);
    if (backlog !== undefined) this.#options.metrics?.backlog(this.definition.name, backlog);
    const watermarkDelayMs = progress.watermark === undefined ? undefined : Math.max(0, progress.finishedAt - Number(BigInt(progress.watermark) / 1000n));
    this.#alerts.lag({ ...(backlog === undefined ? {} : { backlogRecords: backlog }), ...(watermarkDelayMs === undefined ? {} : { watermarkDelayMs }) });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#source.close(), this.#state.close()]);
    // Opened but never run (or run already released it): give the lease back.
    await this.#options.store?.release(this.definition.name, this.#owner, 'stopped').catch(() => undefined);
  }

  /** Deletes the stream's local scratch (not its lake area). */
  static async removeLocalState(home: StrataHome, stream: string): Promise<void> {
    await rm(join(home.runtime.tempDirectory, 'streams', stream), { recursive: true, force: true });
  }
}

function maxEventTime(rows: readonly StreamRow[], column: string): bigint | undefined {
  let max: bigint | undefined;
  for (const row of rows) {
    const value = row[column];
    if (typeof value === 'bigint' && (max === undefined || value > max)) max = value;
  }
  return max;
}

/** Per key, the smaller of `latest` and `limit` (never behind `from`). */
function capOffsets(latest: SourceOffsets, limit: SourceOffsets, from: SourceOffsets): SourceOffsets {
  const capped: Record<string, number> = {};
  for (const [key, value] of Object.entries(latest)) capped[key] = Math.max(from[key] ?? 0, Math.min(value, limit[key] ?? from[key] ?? 0));
  return capped;
}

function countByReason(letters: readonly DeadLetter[]): Map<DeadLetterReason, number> {
  const counts = new Map<DeadLetterReason, number>();
  for (const letter of letters) counts.set(letter.reason, (counts.get(letter.reason) ?? 0) + 1);
  return counts;
}

function stopwatch(now: () => number): { lap(): number } {
  let last = now();
  return {
    lap() {
      const current = now();
      const elapsed = current - last;
      last = current;
      return elapsed;
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

let ownerSeq = 0;
function defaultOwner(): string {
  return `${process.pid}:${Date.now().toString(36)}:${++ownerSeq}`;
}
