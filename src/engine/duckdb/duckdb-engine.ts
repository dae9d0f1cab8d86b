/**
 * The embedded engine: DuckDB in process, on the table plane's `DuckDbRuntime` instance, so one
 * memory limit, one thread count and one spill directory (all from `DuckDbRuntime.create` options)
 * govern every DuckDB query Strata runs, reads, writes and SQL alike.
 *
 * - A pool of `poolSize` connections bounds concurrent queries; more callers wait in FIFO order.
 * - Results stream: each batch is one DuckDB chunk (2048 rows) fetched when the consumer asks for
 *   it (`fetchChunk`), so memory stays flat however large the result.
 * - `timeoutMs` and `signal` cancel through `connection.interrupt()`; the interrupted connection is
 *   discarded. A cancelled or timed-out query fails with QUERY_CANCELLED / QUERY_TIMEOUT, whether it
 *   was waiting for a connection, running, or between batches.
 * - DuckDB errors become SQL_ERROR with DuckDB's message, error class and position (duckdb-errors.ts).
 * - Values take the forms in value-forms.ts (bigint for BIGINT, exact strings for DECIMAL and times).
 *
 * @example
 *   const engine = DuckDbEngine.create(home.runtime, { poolSize: 4 });
 *   const result = await engine.query('SELECT * FROM range(1e6)', { timeoutMs: 10_000 });
 *   for await (const rows of result) process(rows);
 *   await engine.close();
 */
import { rebatch } from '../rebatch.ts';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { StrataError } from '../../core/index.ts';
import type { DuckDbRuntime } from '../../table/index.ts';
import type { ColumnInfo, Engine, QueryOptions, QueryResult } from '../engine.ts';
import { ConnectionPool, type PoolStats } from './connection-pool.ts';
import { duckDbError } from './duckdb-errors.ts';
import { engineValueConverter } from './value-forms.ts';

export interface DuckDbEngineOptions {
  /** Concurrent queries (default 4). */
  readonly poolSize?: number;
  /** Applied when a query passes no `timeoutMs` (default: none). */
  readonly defaultTimeoutMs?: number;
}

export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  readonly runtime: DuckDbRuntime;
  readonly #pool: ConnectionPool;
  readonly #defaultTimeoutMs: number | undefined;

  private constructor(runtime: DuckDbRuntime, options: DuckDbEngineOptions) {
    this.runtime = runtime;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.#pool = new ConnectionPool(() => openConnection(runtime), options.poolSize ?? 4);
  }

  static create(runtime: DuckDbRuntime, options: DuckDbEngineOptions = {}): DuckDbEngine {
    return new DuckDbEngine(runtime, options);
  }

  get poolStats(): PoolStats {
    return this.#pool.stats;
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const run = new RunningQuery(this.#pool, sql, options.timeoutMs ?? this.#defaultTimeoutMs, options.signal);
    return run.start(options.batchRows);
  }

  /** Closes the pool; the DuckDB instance belongs to the runtime, which its owner closes. */
  async close(): Promise<void> {
    this.#pool.close();
    return Promise.resolve();
  }
}

async function openConnection(runtime: DuckDbRuntime): Promise<DuckDBConnection> {
  const connection = await runtime.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
  } catch {
    // ICU missing: timestamps with time zone then already render in UTC.
  }
  return connection;
}

/** One query's life: waiting for a connection, running, streaming, finished. */
class RunningQuery {
  readonly #pool: ConnectionPool;
  readonly #sql: string;
  readonly #signal: AbortSignal | undefined;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #connection: DuckDBConnection | undefined;
  #stopped: StrataError | undefined;
  #busy = false;
  #finished = false;

  constructor(pool: ConnectionPool, sql: string, timeoutMs: number | undefined, signal: AbortSignal | undefined) {
    this.#pool = pool;
    this.#sql = sql;
    this.#signal = signal;
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(
        () => this.#halt(new StrataError('QUERY_TIMEOUT', `The query ran longer than its ${timeoutMs} ms timeout and was cancelled; raise timeoutMs or narrow the query`, { timeoutMs })),
        timeoutMs,
      );
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => {
    this.#halt(new StrataError('QUERY_CANCELLED', 'The query was cancelled', { reason: String(this.#signal?.reason) }));
  };

  async start(batchRows: number | undefined): Promise<QueryResult> {
    if (this.#signal?.aborted === true) this.#onAbort();
    if (this.#stopped) {
      this.#finish(false);
      throw this.#stopped;
    }
    let result: DuckDBResult;
    try {
      this.#connection = await this.#pool.acquire(this.#stop.signal);
      if (this.#stopped) throw this.#stopped;
      result = await this.#guard(() => this.#connectionOrThrow().stream(this.#sql));
    } catch (error) {
      throw this.#fail(error);
    }
    const names = result.columnNames();
    const types = result.columnTypes();
    const columns: ColumnInfo[] = names.map((name, i) => ({ name, type: types[i]?.toString() ?? 'UNKNOWN' }));
    const batches = batchRows !== undefined && batchRows > 0 ? rebatch(this.#chunks(result), batchRows) : this.#chunks(result);
    let iterated = false;
    return {
      columns,
      cancel: async () => {
        this.#halt(new StrataError('QUERY_CANCELLED', 'The query was cancelled', {}));
        return Promise.resolve();
      },
      [Symbol.asyncIterator]: () => {
        if (iterated) throw new StrataError('INVALID_ARGUMENT', 'A query result can be iterated only once');
        iterated = true;
        return batches[Symbol.asyncIterator]();
      },
    };
  }

  async *#chunks(result: DuckDBResult): AsyncGenerator<unknown[][]> {
    let ok = false;
    try {
      for (;;) {
        if (this.#stopped) throw this.#stopped;
        const chunk = await this.#guard(() => result.fetchChunk());
        if (!chunk || chunk.rowCount === 0) break;
        yield chunk.convertRows(engineValueConverter);
      }
      ok = true;
    } catch (error) {
      throw this.#fail(error);
    } finally {
      // Reached on completion, on error, and when the consumer stops early (break/return).
      // A consumer that left early leaves a live streaming result on the connection: discard it too.
      this.#finish(!ok);
    }
  }

  async #guard<T>(step: () => Promise<T>): Promise<T> {
    this.#busy = true;
    try {
      return await step();
    } finally {
      this.#busy = false;
    }
  }

  #connectionOrThrow(): DuckDBConnection {
    if (!this.#connection) throw new StrataError('QUERY_CANCELLED', 'The query has no connection');
    return this.#connection;
  }

  /** Stop the query for `reason`: interrupt it if DuckDB is working, else just release. */
  #halt(reason: StrataError): void {
    if (this.#finished || this.#stopped) return;
    this.#stopped = reason;
    this.#stop.abort(reason);
    if (this.#connection && this.#busy) this.#connection.interrupt();
    else if (this.#connection) this.#finish(true);
  }

  #fail(error: unknown): StrataError {
    const mapped = this.#stopped ?? duckDbError(error, this.#sql);
    this.#finish(this.#stopped !== undefined || mapped.code === 'QUERY_CANCELLED');
    return mapped;
  }

  #finish(discard: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) this.#pool.release(connection, { discard });
  }
}
