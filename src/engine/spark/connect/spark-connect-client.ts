/**
 * A Spark Connect client: one session on one Spark Connect server (Spark 4.0), reached over gRPC.
 * It runs SQL (`Plan.root = Relation.sql`) as reattachable executions and decodes the Arrow batches
 * into Strata's result shape (see arrow-rows.ts for the JS value of each type).
 *
 * @example
 *   const client = SparkConnectClient.connect('sc://127.0.0.1:15002/;user_id=etl');
 *   const result = await client.sql('SELECT id FROM range(10)');
 *   for await (const batch of result) for (const [id] of batch) console.log(id); // 0n, 1n, …
 *   await client.close();
 *
 * Gotchas:
 * - `sql()` resolves once the first Arrow batch (which carries the schema) arrives, so analysis
 *   errors reject `sql()` itself; runtime errors surface while iterating.
 * - Always drain or `cancel()` a result: an abandoned execution is released (and interrupted) only
 *   when its iteration ends.
 * - The session is created lazily by the server on the first call; `close()` releases it.
 */
import { randomUUID } from 'node:crypto';
import { StrataError } from '../../../core/errors.ts';
import type { ColumnInfo, QueryResult } from '../../engine.ts';
import { decodeArrowBatch } from './arrow-rows.ts';
import { parseConnectionString, type SparkConnectionOptions } from './connection-string.ts';
import {
  InterruptType,
  Messages,
  type Command,
  type ExecutePlanResponse,
  type Plan,
  type UserContext,
  type WriteOperationV2,
} from './messages.ts';
import { ReattachableExecution } from './reattachable-execution.ts';
import { RpcChannel } from './rpc-channel.ts';
import { causeChain, isServiceError, readSparkErrorInfo, sparkError, type SparkErrorCause } from './spark-errors.ts';

export interface SparkConnectClientOptions {
  /** Overrides the connection string's `user_id` (default `strata`). */
  readonly userId?: string;
  /** Joins an existing session instead of creating a new one (a UUID). */
  readonly sessionId?: string;
  /** gRPC receive limit in bytes (default 128 MiB). */
  readonly maxReceiveBytes?: number;
}

export interface SparkSqlOptions {
  /** Aborting interrupts the query on the server and ends the result with QUERY_CANCELLED. */
  readonly signal?: AbortSignal;
  /** The operation id to use (a UUID); default a fresh one. Lets a caller interrupt it by id. */
  readonly operationId?: string;
  /** Tags for `interrupt({ tag })`; no commas, not empty. */
  readonly tags?: readonly string[];
}

/** The result of `sql()`: batches of rows in `columns` order, plus the execution's id. */
export interface SparkQueryResult extends QueryResult {
  readonly operationId: string;
  /** The execution, for tests and diagnostics (e.g. `reattachCount`, `dropStream()`). */
  readonly execution: ReattachableExecution;
}

export type InterruptTarget = 'all' | { readonly operationId: string } | { readonly tag: string };

const CLIENT_TYPE = 'strata';

export class SparkConnectClient {
  readonly sessionId: string;
  readonly userId: string;
  readonly connection: SparkConnectionOptions;
  readonly #channel: RpcChannel;
  readonly #userContext: UserContext;
  #closed = false;

  private constructor(connection: SparkConnectionOptions, options: SparkConnectClientOptions) {
    this.connection = connection;
    this.userId = options.userId ?? connection.userId ?? 'strata';
    this.sessionId = options.sessionId ?? connection.sessionId ?? randomUUID();
    this.#userContext = { user_id: this.userId, user_name: this.userId };
    this.#channel = new RpcChannel(connection, options.maxReceiveBytes);
  }

  /** Opens a client for `sc://…` (parsed and validated; INVALID_ARGUMENT when malformed). */
  static connect(connectionString: string | SparkConnectionOptions, options: SparkConnectClientOptions = {}): SparkConnectClient {
    const connection = typeof connectionString === 'string' ? parseConnectionString(connectionString) : connectionString;
    return new SparkConnectClient(connection, options);
  }

  #base(): object {
    this.#assertOpen();
    return { session_id: this.sessionId, user_context: this.#userContext, client_type: CLIENT_TYPE };
  }

  #assertOpen(): void {
    if (this.#closed) throw new StrataError('INVALID_ARGUMENT', 'This Spark Connect client is closed; open a new one');
  }

  /** Maps a failed call, fetching the server-side cause chain when the server offers one. */
  async #error(error: unknown, operation: string, sql?: string): Promise<StrataError> {
    let causes: SparkErrorCause[] | undefined;
    if (isServiceError(error)) {
      const errorId = readSparkErrorInfo(error).errorId;
      if (errorId !== undefined) {
        try {
          const details = await this.#channel.unary(
            'FetchErrorDetails',
            Messages.FetchErrorDetailsRequest,
            Messages.FetchErrorDetailsResponse,
            { ...this.#base(), error_id: errorId },
            10_000,
          );
          causes = causeChain(details);
        } catch {
          // The details are a bonus; the ErrorInfo alone still maps the error.
        }
      }
    }
    return sparkError(error, { operation, ...(sql !== undefined ? { sql } : {}), ...(causes ? { causes } : {}) });
  }

  /** The server's Spark version (AnalyzePlan.spark_version); also a cheap connectivity check. */
  async version(): Promise<string> {
    try {
      const response = await this.#channel.unary('AnalyzePlan', Messages.AnalyzePlanRequest, Messages.AnalyzePlanResponse, {
        ...this.#base(),
        spark_version: {},
      });
      return response.spark_version?.version ?? '';
    } catch (error) {
      throw await this.#error(error, 'version request');
    }
  }

  /** Runs one SQL statement; rows stream in batches (one per Arrow batch Spark sends). */
  async sql(text: string, options: SparkSqlOptions = {}): Promise<SparkQueryResult> {
    const operationId = options.operationId ?? randomUUID();
    const execution = new ReattachableExecution(
      this.#channel,
      { sessionId: this.sessionId, userContext: this.#userContext, clientType: CLIENT_TYPE, operationId },
      { root: { sql: { query: text } } } satisfies Plan,
      options.tags ?? [],
    );
    this.#assertOpen();
    const signal = options.signal;
    if (signal?.aborted) throw new StrataError('QUERY_CANCELLED', 'The query was cancelled before it started', { sql: text });
    const onAbort = (): void => {
      execution.cancel();
      void this.interrupt({ operationId }).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const responses = execution.responses();
    const mapError = (error: unknown): Promise<StrataError> => this.#error(error, 'query', text);
    const next = async (): Promise<ExecutePlanResponse | undefined> => {
      try {
        const step = await responses.next();
        return step.done ? undefined : step.value;
      } catch (error) {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) throw new StrataError('QUERY_CANCELLED', 'The Spark query was cancelled', { sql: text }, { cause: error });
        throw await mapError(error);
      }
    };

    // Read until the first Arrow batch: it carries the schema (Spark always sends at least one).
    let columns: ColumnInfo[] = [];
    const pending: unknown[][][] = [];
    let exhausted = false;
    while (true) {
      const response = await next();
      if (response === undefined) {
        exhausted = true;
        break;
      }
      if (response.arrow_batch?.data) {
        const decoded = decodeArrowBatch(response.arrow_batch.data);
        columns = decoded.columns;
        if (decoded.rows.length > 0) pending.push(decoded.rows);
        break;
      }
    }
    if (exhausted) signal?.removeEventListener('abort', onAbort);

    let iterated = false;
    const result: SparkQueryResult = {
      columns,
      operationId,
      execution,
      async *[Symbol.asyncIterator]() {
        if (iterated) throw new StrataError('INVALID_ARGUMENT', 'A query result can be iterated only once');
        iterated = true;
        try {
          while (pending.length > 0) yield pending.shift()!;
          if (exhausted) return;
          while (true) {
            const response = await next();
            if (response === undefined) break;
            if (!response.arrow_batch?.data) continue;
            const { rows } = decodeArrowBatch(response.arrow_batch.data);
            if (rows.length > 0) yield rows;
          }
        } finally {
          signal?.removeEventListener('abort', onAbort);
          await responses.return(undefined);
        }
      },
      async cancel() {
        signal?.removeEventListener('abort', onAbort);
        if (exhausted) return;
        execution.cancel();
        await responses.return(undefined);
      },
    };
    return result;
  }

  /**
   * Runs one Command plan (e.g. a write) to completion; resolves when the server reports
   * `result_complete`. `sqlText` is the SQL the command carries (if any), kept in error details
   * so a query context's position can be read against it.
   */
  async command(command: Command, options: SparkSqlOptions & { readonly sqlText?: string } = {}): Promise<void> {
    this.#assertOpen();
    const operationId = options.operationId ?? randomUUID();
    const execution = new ReattachableExecution(
      this.#channel,
      { sessionId: this.sessionId, userContext: this.#userContext, clientType: CLIENT_TYPE, operationId },
      { command } satisfies Plan,
      options.tags ?? [],
    );
    const signal = options.signal;
    const sqlDetails = options.sqlText === undefined ? {} : { sql: options.sqlText };
    if (signal?.aborted) throw new StrataError('QUERY_CANCELLED', 'The command was cancelled before it started', sqlDetails);
    const onAbort = (): void => {
      execution.cancel();
      void this.interrupt({ operationId }).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const responses = execution.responses();
      while (!(await responses.next()).done) {
        // A command's responses carry no rows; drain until result_complete.
      }
    } catch (error) {
      if (signal?.aborted) throw new StrataError('QUERY_CANCELLED', 'The Spark command was cancelled', sqlDetails, { cause: error });
      throw await this.#error(error, 'command', options.sqlText);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * DataFrameWriterV2 on a SQL relation: writes `write.input`'s rows into `write.table_name`
   * (a multi-part name, e.g. `` `strata`.`db`.`t` ``) with `write.mode` (`WriteOperationV2Mode`).
   * Errors in the input's SQL carry `details.sql` = that SQL.
   */
  async writeV2(write: WriteOperationV2, options: SparkSqlOptions = {}): Promise<void> {
    await this.command({ write_operation_v2: write }, { ...options, sqlText: write.input.sql.query });
  }

  /** Session configuration (Config RPC). */
  readonly config = {
    /** Sets session config keys (e.g. `spark.sql.shuffle.partitions`). */
    set: async (pairs: Readonly<Record<string, string>>): Promise<void> => {
      await this.#config({ set: { pairs: Object.entries(pairs).map(([key, value]) => ({ key, value })) } }, 'config set');
    },
    /** Reads config keys; an unset key without a default maps to `undefined`. */
    get: async (keys: readonly string[]): Promise<Record<string, string | undefined>> => {
      const response = await this.#config({ get_option: { keys: [...keys] } }, 'config get');
      const out: Record<string, string | undefined> = Object.fromEntries(keys.map((k) => [k, undefined]));
      for (const pair of response.pairs ?? []) out[pair.key] = pair.value;
      return out;
    },
    /** Resets keys to their defaults. */
    unset: async (keys: readonly string[]): Promise<void> => {
      await this.#config({ unset: { keys: [...keys] } }, 'config unset');
    },
  };

  async #config(operation: object, what: string) {
    try {
      return await this.#channel.unary('Config', Messages.ConfigRequest, Messages.ConfigResponse, { ...this.#base(), operation });
    } catch (error) {
      throw await this.#error(error, what);
    }
  }

  /** Interrupts running executions of this session; returns the ids that were interrupted. */
  async interrupt(target: InterruptTarget): Promise<string[]> {
    const body =
      target === 'all'
        ? { interrupt_type: InterruptType.ALL }
        : 'operationId' in target
          ? { interrupt_type: InterruptType.OPERATION_ID, operation_id: target.operationId }
          : { interrupt_type: InterruptType.TAG, operation_tag: target.tag };
    try {
      const response = await this.#channel.unary('Interrupt', Messages.InterruptRequest, Messages.InterruptResponse, {
        ...this.#base(),
        ...body,
      });
      return response.interrupted_ids ?? [];
    } catch (error) {
      throw await this.#error(error, 'interrupt');
    }
  }

  /** Releases the server-side session (best effort) and closes the channel. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#channel.unary(
        'ReleaseSession',
        Messages.ReleaseSessionRequest,
        Messages.ReleaseSessionResponse,
        { session_id: this.sessionId, user_context: this.#userContext, client_type: CLIENT_TYPE },
        5_000,
      );
    } catch {
      // The server drops idle sessions on its own; closing must not fail because it is gone.
    } finally {
      this.#closed = true;
      this.#channel.close();
    }
  }
}
