/**
 * The distributed engine: Apache Spark reached through Strata's own Spark Connect client. Spark
 * reads and writes Strata's tables itself, through the Iceberg REST catalog it was started with
 * (`lakeCatalogConf`, named `strata` in Spark SQL), so this is a `LakeEngine`.
 *
 * - One Spark session per engine, set up like the embedded engine's SQL: ANSI mode (overflow,
 *   division by zero and bad casts fail instead of yielding NULL), double-quoted identifiers
 *   (Strata's `"col"` works unchanged), UTC session time zone.
 * - `query()` streams Spark's Arrow batches; `batchRows` re-cuts them to that many rows.
 *   `timeoutMs` / `signal` interrupt the Spark operation (QUERY_TIMEOUT / QUERY_CANCELLED).
 * - `writeTable()` is one Spark Connect `WriteOperationV2` command (DataFrameWriterV2 on a SQL
 *   relation); `snapshotProperties` travel as `snapshot-property.<key>` write options, which
 *   Iceberg's Spark writer copies into the new snapshot's summary.
 * - Errors take DuckDB's shape (spark-engine-errors.ts).
 *
 * @example
 *   const spark = await SparkEngine.connect({ url: 'sc://spark.internal:15002' });
 *   await spark.writeTable({ database: 'sales', table: 'orders', sourceSql: 'SELECT …', mode: 'append' });
 *   const result = await spark.query('SELECT count(*) FROM strata.sales.orders', { timeoutMs: 60_000 });
 *
 * Gotchas:
 * - Iceberg's Spark catalog refuses to write to a branch that does not exist (`branch_<name>`
 *   identifiers must name an existing ref), so `writeTable` with a branch first runs
 *   `ALTER TABLE … CREATE BRANCH IF NOT EXISTS` (from main's current snapshot; on a table with no
 *   snapshot Iceberg creates an empty one for the branch). That is a separate commit.
 * - `WriteOperationV2` matches the source's columns to the table's BY NAME; `writeTable` reads the
 *   table's columns first and renames the source's to them in order, so positions decide.
 */
import { rebatch } from '../rebatch.ts';
import { StrataError } from '../../core/index.ts';
import type { EngineTableWrite, LakeEngine, QueryOptions, QueryResult } from '../engine.ts';
import { WriteOperationV2Mode, type Expression } from './connect/messages.ts';
import { SparkConnectClient } from './connect/spark-connect-client.ts';
import { DEFAULT_LAKE_CATALOG } from './lake-catalog-conf.ts';
import { sparkEngineError, type SqlEmbedding } from './spark-engine-errors.ts';

export interface SparkEngineOptions {
  /** The Spark Connect server: `sc://host:port[/;param=value…]`. */
  readonly url: string;
  /** Bearer token for the Spark Connect server (appended to `url`; it must not carry one too). */
  readonly token?: string;
  /** The `user_id` Spark sees (default: the URL's, else `strata`). */
  readonly userId?: string;
  /** The name Strata's REST catalog has in the server's Spark SQL (default `strata`). */
  readonly lakeCatalog?: string;
  /** More session settings, applied after (and able to override) the engine's own. */
  readonly sessionConf?: Readonly<Record<string, string>>;
}

/** The session settings every Spark engine session starts with. */
export const SPARK_SESSION_CONF: Readonly<Record<string, string>> = {
  'spark.sql.ansi.enabled': 'true',
  'spark.sql.ansi.doubleQuotedIdentifiers': 'true',
  'spark.sql.session.timeZone': 'UTC',
  // Spark would otherwise expand `${env:HOME}` or `${spark.sql.catalog.strata.token}` in any
  // statement text before parsing it: a user's literal must stay a literal.
  'spark.sql.variable.substitute': 'false',
};

const WRITE_MODES: Record<EngineTableWrite['mode'], number> = {
  append: WriteOperationV2Mode.APPEND,
  'overwrite-partitions': WriteOperationV2Mode.OVERWRITE_PARTITIONS,
  overwrite: WriteOperationV2Mode.OVERWRITE,
};

const ALWAYS: Expression = { literal: { boolean: true } };

export class SparkEngine implements LakeEngine {
  readonly name = 'spark';
  readonly lakeCatalog: string;
  readonly client: SparkConnectClient;

  private constructor(client: SparkConnectClient, lakeCatalog: string) {
    this.client = client;
    this.lakeCatalog = lakeCatalog;
  }

  /**
   * Opens a session, applies `SPARK_SESSION_CONF` + `sessionConf`, and checks that the server
   * knows the lake catalog. ENGINE_UNAVAILABLE when the server cannot be reached or the catalog is
   * not configured; UNAUTHENTICATED when the token is refused.
   */
  static async connect(options: SparkEngineOptions): Promise<SparkEngine> {
    const lakeCatalog = options.lakeCatalog ?? DEFAULT_LAKE_CATALOG;
    const client = SparkConnectClient.connect(withToken(options.url, options.token), options.userId !== undefined ? { userId: options.userId } : {});
    const engine = new SparkEngine(client, lakeCatalog);
    try {
      await client.config.set({ ...SPARK_SESSION_CONF, ...options.sessionConf }).catch((error: unknown) => {
        throw sparkEngineError(error, '');
      });
      await engine.#checkLakeCatalog();
    } catch (error) {
      await client.close();
      throw error;
    }
    return engine;
  }

  async #checkLakeCatalog(): Promise<void> {
    try {
      const result = await this.client.sql(`SHOW NAMESPACES IN ${quoteName(this.lakeCatalog)}`);
      await result.cancel();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StrataError(
        'ENGINE_UNAVAILABLE',
        `The Spark server has no working catalog "${this.lakeCatalog}" for Strata's tables (${reason}). ` +
          `Start Spark with Iceberg's Spark runtime on spark.jars and the spark.sql.catalog.${this.lakeCatalog}.* settings ` +
          'of lakeCatalogConf() (type=rest, uri=<Strata server URL>, token=<a Strata token>)',
        { lakeCatalog: this.lakeCatalog },
        { cause: error },
      );
    }
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const run = new RunningQuery(sql, options);
    try {
      const result = await this.client.sql(sql, { signal: run.signal });
      return run.wrap(result, options.batchRows);
    } catch (error) {
      throw run.fail(error);
    }
  }

  /**
   * Commits `write` as one Spark write (after creating the branch from main when it is missing).
   * The source's columns go to the table's columns by position, as `EngineTableWrite` says.
   */
  async writeTable(write: EngineTableWrite, options: QueryOptions = {}): Promise<void> {
    const table = [this.lakeCatalog, write.database, write.table].map(quoteName).join('.');
    const branch = write.branch !== undefined && write.branch !== 'main' ? write.branch : undefined;
    const run = new RunningQuery(write.sourceSql, options);
    let step = `SELECT * FROM ${table} LIMIT 0`;
    let embedding: (SqlEmbedding & { sql?: string }) | undefined;
    let columns: string[] | undefined;
    try {
      // WriteOperationV2 matches columns by name: rename the source's to the table's, in order.
      const probe = await this.client.sql(step, { signal: run.signal });
      await drain(probe);
      columns = probe.columns.map((c) => c.name);
      if (branch !== undefined) {
        step = `ALTER TABLE ${table} CREATE BRANCH IF NOT EXISTS ${quoteName(branch)}`;
        await drain(await this.client.sql(step, { signal: run.signal }));
      }
      const aliases = columns.map((_, i) => quoteName(`c${i}`));
      const prefix = `SELECT ${columns.map((name, i) => `${aliases[i] ?? ''} AS ${quoteName(name)}`).join(', ')} FROM (`;
      const query = `${prefix}${write.sourceSql}\n) AS strata_src(${aliases.join(', ')})`;
      embedding = { ran: query, offset: prefix.length };
      await this.client.writeV2(
        {
          input: { sql: { query } },
          table_name: branch === undefined ? table : `${table}.${quoteName(`branch_${branch}`)}`,
          mode: WRITE_MODES[write.mode],
          ...(write.mode === 'overwrite' ? { overwrite_condition: ALWAYS } : {}),
          options: Object.fromEntries(Object.entries(write.snapshotProperties ?? {}).map(([key, value]) => [`snapshot-property.${key}`, value])),
        },
        { signal: run.signal },
      );
    } catch (error) {
      const mapped = run.fail(error, embedding ?? { ran: step, offset: 0, sql: step });
      if (columns === undefined && mapped.details['errorClass'] === 'TABLE_OR_VIEW_NOT_FOUND') {
        throw new StrataError('TABLE_NOT_FOUND', `Table ${write.database}.${write.table} does not exist in Spark's catalog ${this.lakeCatalog}; create it first`, { database: write.database, table: write.table }, { cause: mapped });
      }
      throw columns === undefined ? mapped : arityError(mapped, write, columns);
    }
    run.finish();
  }

  /** Releases the Spark session. */
  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * One operation's cancellation: the caller's signal and the timeout both abort `signal`, which
 * the client turns into an interrupt; the reason (QUERY_TIMEOUT or QUERY_CANCELLED) is kept so
 * the error the caller sees says which.
 */
class RunningQuery {
  readonly #sql: string;
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  #stopped: StrataError | undefined;
  #finished = false;

  constructor(sql: string, options: QueryOptions) {
    this.#sql = sql;
    this.#callerSignal = options.signal;
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(
        () => this.halt(new StrataError('QUERY_TIMEOUT', `The query ran longer than its ${timeoutMs} ms timeout and was cancelled; raise timeoutMs or narrow the query`, { timeoutMs })),
        timeoutMs,
      );
    }
    this.#callerSignal?.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#callerSignal?.aborted === true) this.#onAbort();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  readonly #onAbort = (): void => {
    this.halt(new StrataError('QUERY_CANCELLED', 'The query was cancelled', { reason: String(this.#callerSignal?.reason) }));
  };

  halt(reason: StrataError): void {
    if (this.#finished || this.#stopped) return;
    this.#stopped = reason;
    this.#controller.abort(reason);
  }

  /** The error to throw: the stop reason if stopped, else Spark's error mapped against the SQL that ran. */
  fail(error: unknown, embedding?: SqlEmbedding & { readonly sql?: string }): StrataError {
    const sql = embedding?.sql ?? this.#sql;
    const mapped = this.#stopped ?? sparkEngineError(error, sql, embedding ?? { ran: sql, offset: 0 });
    this.finish();
    return mapped;
  }

  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onAbort);
  }

  wrap(result: QueryResult, batchRows: number | undefined): QueryResult {
    const batches = batchRows !== undefined && batchRows > 0 ? rebatch(this.#rows(result), batchRows) : this.#rows(result);
    let iterated = false;
    return {
      columns: result.columns,
      cancel: async () => {
        this.halt(new StrataError('QUERY_CANCELLED', 'The query was cancelled', {}));
        this.finish();
        await result.cancel();
      },
      [Symbol.asyncIterator]: () => {
        if (iterated) throw new StrataError('INVALID_ARGUMENT', 'A query result can be iterated only once');
        iterated = true;
        return batches[Symbol.asyncIterator]();
      },
    };
  }

  async *#rows(result: QueryResult): AsyncGenerator<readonly unknown[][]> {
    try {
      if (this.#stopped) throw this.#stopped;
      for await (const rows of result) {
        // Rows Spark already sent still count against the clock: a slow reader times out too.
        if (this.#stopped) throw this.#stopped;
        yield rows;
      }
      if (this.#stopped) throw this.#stopped;
    } catch (error) {
      throw this.fail(error);
    } finally {
      this.finish();
    }
  }
}

/** The source query has a different number of columns than the table: say so plainly. */
function arityError(error: StrataError, write: EngineTableWrite, columns: readonly string[]): StrataError {
  const parameters = error.details['messageParameters'] as Record<string, string> | undefined;
  if (error.details['errorClass'] !== 'ASSIGNMENT_ARITY_MISMATCH' || parameters?.['numExpr'] !== String(columns.length)) return error;
  const given = parameters['numTarget'] ?? '?';
  return new StrataError(
    'SQL_ERROR',
    `The write into ${write.database}.${write.table} gives ${given} column(s) for the table's ${columns.length} (${columns.join(', ')}); select one value per table column, in order`,
    { ...error.details, table: `${write.database}.${write.table}`, columns: [...columns] },
    { cause: error },
  );
}

async function drain(result: QueryResult): Promise<void> {
  for await (const rows of result) void rows;
}


/** A Spark SQL identifier part: backticks, with backticks inside doubled. */
export function quoteName(part: string): string {
  return `\`${part.replaceAll('`', '``')}\``;
}

function withToken(url: string, token: string | undefined): string {
  if (token === undefined) return url;
  const rest = url.slice('sc://'.length);
  const separator = rest.includes('/') ? (url.endsWith(';') ? '' : ';') : '/;';
  return `${url}${separator}token=${encodeURIComponent(token)}`;
}
