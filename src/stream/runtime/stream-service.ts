/**
 * The stream plane's front door for the CLI and the server: register definitions, run a stream in
 * this process (`strata stream start`), supervise every stream whose desired state is `running`
 * (`strata serve --streams`), and reach a stream's HTTP ingest log.
 *
 * Desired state lives in the catalog database, so `strata stream stop` from any process stops a
 * stream running in any other: runners read it between batches and finish the batch in hand.
 */
import type { Registry } from 'prom-client';
import { StrataError, messageOf } from '../../core/index.ts';
import type { StrataHome } from '../../catalog/index.ts';
import type { StreamDefinition } from '../model/index.ts';
import { streamVersion } from '../definition/index.ts';
import { HttpIngestLog } from '../source/http-ingest-log.ts';
import type { SourceOpener } from './open-source.ts';
import { replayDeadLetters, type ReplayOptions, type ReplayResult } from './replay-dead-letters.ts';
import { streamArea } from './stream-area.ts';
import { StreamMetrics } from './stream-metrics.ts';
import { StreamRunner, type RunOptions, type RunSummary, type StreamRunnerOptions } from './stream-runner.ts';
import { StreamStore, type DesiredState, type StreamRecord } from './stream-store.ts';

export interface StreamServiceOptions {
  readonly home: StrataHome;
  /** Where stream metrics go (the server's registry); none: not exported. */
  readonly metrics?: Registry;
  readonly log?: (line: string) => void;
  readonly openSource?: SourceOpener;
  /** Passed to every runner (tests: faults, retry delays). */
  readonly runner?: Partial<Pick<StreamRunnerOptions, 'fault' | 'retryDelayMs' | 'maxConsecutiveFailures' | 'now'>>;
}

export class StreamService {
  readonly home: StrataHome;
  readonly store: StreamStore;
  readonly #options: StreamServiceOptions;
  readonly #running = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  readonly #logs = new Map<string, HttpIngestLog>();
  #supervising: AbortController | undefined;

  private constructor(options: StreamServiceOptions, store: StreamStore) {
    this.home = options.home;
    this.store = store;
    this.#options = options;
  }

  static async open(options: StreamServiceOptions): Promise<StreamService> {
    const store = await StreamStore.open(StreamStore.connectionOf(options.home.catalog.backend));
    return new StreamService(options, store);
  }

  /** Records (or replaces) a definition; a running stream picks the new version up on its next start. */
  async register(definition: StreamDefinition, options: { source?: string; desired?: DesiredState } = {}): Promise<StreamRecord> {
    const existing = await this.store.get(definition.name);
    return this.store.register(definition, {
      version: streamVersion(definition),
      ...(options.source === undefined ? {} : { source: options.source }),
      desired: options.desired ?? existing?.desired ?? 'stopped',
    });
  }

  /** Runs a registered stream in this process until stopped, aborted, or (available-now) drained. */
  async run(name: string, options: RunOptions = {}): Promise<RunSummary> {
    const record = await this.store.require(name);
    const runner = await StreamRunner.open({
      home: this.home,
      definition: record.definition,
      version: record.version,
      store: this.store,
      ...(this.#options.metrics ? { metrics: StreamMetrics.for(this.#options.metrics) } : {}),
      ...(this.#options.openSource ? { openSource: this.#options.openSource } : {}),
      ...(this.#options.log ? { log: this.#options.log } : {}),
      ...this.#options.runner,
    });
    try {
      return await runner.run(options);
    } finally {
      await runner.close();
    }
  }

  /**
   * Supervises: every `pollMs`, starts each stream whose desired state is running and that no
   * process holds (this one included), and stops those whose desired state turned to stopped (the
   * runner notices between batches). A stream that fails is restarted on a later poll only after
   * its desired state is set again (`strata stream start`), so a broken definition does not spin.
   */
  supervise(pollMs = 2_000): Promise<void> {
    if (this.#supervising) throw new StrataError('INVALID_ARGUMENT', 'This stream service already supervises');
    const stop = new AbortController();
    this.#supervising = stop;
    return (async () => {
      while (!stop.signal.aborted) {
        try {
          await this.#superviseOnce();
        } catch (error) {
          this.#options.log?.(`stream supervisor: ${messageOf(error)}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    })();
  }

  async #superviseOnce(): Promise<void> {
    const now = Date.now();
    for (const record of await this.store.list()) {
      if (record.desired !== 'running' || this.#running.has(record.name)) continue;
      if (record.status === 'failed') continue;
      if (record.leaseOwner !== undefined && (record.leaseExpiresAt ?? 0) > now) continue;
      this.#start(record.name);
    }
  }

  #start(name: string): void {
    const stop = new AbortController();
    const done = this.run(name, { signal: stop.signal })
      .then((summary) => this.#options.log?.(`stream ${name}: ${summary.reason} after ${summary.batches} batch(es)`))
      .catch((error: unknown) => this.#options.log?.(`stream ${name} failed: ${messageOf(error)}`))
      .finally(() => this.#running.delete(name));
    this.#running.set(name, { stop, done });
  }

  /** Names of the streams this process runs now. */
  runningHere(): string[] {
    return [...this.#running.keys()];
  }

  /** The durable ingest log behind a stream's HTTP source (the server's POST route appends to it). */
  async ingestLog(name: string): Promise<{ log: HttpIngestLog; definition: StreamDefinition }> {
    const record = await this.store.require(name);
    if (record.definition.source.kind !== 'http') {
      throw new StrataError('INVALID_ARGUMENT', `Stream ${name} reads from ${record.definition.source.kind}, not HTTP ingest; records cannot be POSTed to it`, { stream: name });
    }
    let log = this.#logs.get(name);
    if (!log) {
      log = new HttpIngestLog(streamArea(this.home.lake, name).source);
      this.#logs.set(name, log);
    }
    return { log, definition: record.definition };
  }

  /** Sends a stream's dead letters back to its source (see replay-dead-letters.ts). */
  async replayDeadLetters(name: string, options: ReplayOptions = {}): Promise<ReplayResult> {
    const record = await this.store.require(name);
    return replayDeadLetters(
      { home: this.home, store: this.store, definition: record.definition, ingestLog: async () => (await this.ingestLog(name)).log },
      options,
    );
  }

  async close(): Promise<void> {
    this.#supervising?.abort();
    for (const { stop } of this.#running.values()) stop.abort();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }
}
