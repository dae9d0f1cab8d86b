/**
 * The engine plane's contract: what every SQL engine Strata drives (embedded DuckDB today, Spark
 * through Spark Connect later) must offer. Callers see rows in batches and never hold a whole
 * result in memory, so the same code serves a 10-row lookup and a 100-million-row export.
 *
 * @example
 *   const result = await engine.query('SELECT * FROM range(10)', { timeoutMs: 5_000 });
 *   for await (const batch of result) for (const row of batch) console.log(row[0]);
 */

export interface Engine {
  /** 'duckdb' | 'spark'. */
  readonly name: string;
  /** Run one statement; rows stream in batches. */
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  close(): Promise<void>;
}

export interface QueryOptions {
  /**
   * Cancel the query (QUERY_TIMEOUT) when it has not finished this many ms after `query()` was
   * called. The clock runs until the last batch is read or the result is cancelled, so a consumer
   * that reads slowly counts against it too.
   */
  readonly timeoutMs?: number;
  /** Aborting cancels the query (QUERY_CANCELLED), whether it is waiting, running or streaming. */
  readonly signal?: AbortSignal;
  /** Rows per batch (default: the engine's natural chunk, 2048 rows for DuckDB). */
  readonly batchRows?: number;
}

/** A result column: its name and the engine's SQL type text (e.g. `BIGINT`, `DECIMAL(10,2)`). */
export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

/**
 * Batches of rows, each row an array in `columns` order. Iterate it once. The engine holds a
 * connection until the iteration ends (or `cancel()`), so always drain or cancel a result.
 */
export interface QueryResult extends AsyncIterable<readonly unknown[][]> {
  readonly columns: readonly ColumnInfo[];
  cancel(): Promise<void>;
}

/**
 * A table write an engine commits itself, through Strata's Iceberg REST catalog (Spark): the rows
 * of `sourceSql` go into `database.table` (on `branch` when given), and `snapshotProperties` land
 * in the new snapshot's summary (pipeline commit markers, `strata.write-id`).
 */
export interface EngineTableWrite {
  readonly database: string;
  readonly table: string;
  /** Write to this branch instead of main (write-audit-publish); created from main when missing. */
  readonly branch?: string;
  /** A query in the engine's SQL whose columns match the table's, by position. */
  readonly sourceSql: string;
  /** append; replace the partitions the rows fall in; or replace every row of the table. */
  readonly mode: 'append' | 'overwrite-partitions' | 'overwrite';
  readonly snapshotProperties?: Readonly<Record<string, string>>;
}

/**
 * An engine that reads and writes Strata's tables itself, through the Iceberg REST catalog it
 * was configured with (Spark), instead of reading the planned files Strata hands it (DuckDB).
 */
export interface LakeEngine extends Engine {
  /** The name Strata's catalog has in this engine's SQL (`strata`): `strata.db.table`. */
  readonly lakeCatalog: string;
  /** Commit one write (see `EngineTableWrite`); resolves once the engine's commit has landed. */
  writeTable(write: EngineTableWrite, options?: QueryOptions): Promise<void>;
}

/** Whether `engine` reads and writes the lake itself (see `LakeEngine`). */
export function isLakeEngine(engine: Engine): engine is LakeEngine {
  return typeof (engine as Partial<LakeEngine>).writeTable === 'function' && typeof (engine as Partial<LakeEngine>).lakeCatalog === 'string';
}
