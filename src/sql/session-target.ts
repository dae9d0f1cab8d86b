/**
 * Where a `SqlSession`'s statements run: the engine-specific half of a session. The session's
 * front end is the same on every engine — DuckDB's parser finds and governs the `db.table`
 * references, the catalog and the table plane do DDL and deletes — and a target says how the
 * engine then reads a planned table, holds the per-statement views, describes a query and commits
 * a write.
 *
 * - DuckDB (duckdb-target.ts) reads the files Strata planned and writes through Strata's own
 *   table writer.
 * - Spark (spark-target.ts) reads and writes the tables itself through Strata's Iceberg REST
 *   catalog (`LakeEngine`); Strata pins the snapshot it planned.
 */
import type { Catalog, PartitionFieldInput } from '../catalog/index.ts';
import type { ColumnInfo, Engine } from '../engine/index.ts';
import { DuckDbEngine, isLakeEngine } from '../engine/index.ts';
import type { ScanPlan, Snapshot, Table, TableScan, WriteOptions } from '../table/index.ts';
import { duckDbTarget } from './duckdb-target.ts';
import { sparkTarget } from './spark-target.ts';

/** One planned table read, handed to `SessionTarget.scanSql`. */
export interface PlannedRead {
  readonly database: string;
  readonly name: string;
  readonly table: Table;
  readonly scan: TableScan;
  readonly plan: ScanPlan;
}

/** How INSERT writes: append, or replace the partitions it writes, or replace the whole table. */
export type WriteMode = 'append' | 'overwrite-partitions' | 'overwrite';

export interface TableWriteRequest {
  readonly table: Table;
  readonly database: string;
  readonly name: string;
  /** A query (in the session's SQL, views already created) whose columns are the table's, in order and by name. */
  readonly sourceSql: string;
  readonly mode: WriteMode;
  readonly write: WriteOptions;
}

export interface CreateTableAsRequest {
  readonly database: string;
  readonly name: string;
  readonly partitionBy: readonly PartitionFieldInput[];
  readonly sourceSql: string;
  /** The source's columns (from `describeQuery`). */
  readonly columns: readonly ColumnInfo[];
  readonly write: WriteOptions | undefined;
}

export interface SessionTarget {
  readonly engine: Engine;
  /** `duckdb` or `spark`: which SQL the metadata tables and literals are written in. */
  readonly dialect: 'duckdb' | 'spark';
  /** Runs a scalar query on the SQL front end (DuckDB), e.g. `json_serialize_sql(…)`. */
  parseScalar(sql: string): Promise<unknown>;
  /** The SQL reading one planned table (governance wraps it afterwards). */
  scanSql(read: PlannedRead): Promise<string>;
  /** The statement as the engine runs it (Spark: DuckDB-style string literals re-quoted). */
  statementText(sql: string): string;
  createView(name: string, sql: string): Promise<void>;
  dropView(name: string): Promise<void>;
  /** Name and engine type of each column a query returns. */
  describeQuery(sql: string): Promise<ColumnInfo[]>;
  /** EXPLAIN [ANALYZE] rows as (part, text). */
  explain(sql: string, analyze: boolean): Promise<[string, string][]>;
  /** Runs a statement that returns little or nothing, to completion. */
  run(sql: string): Promise<unknown[][]>;
  /** Writes `sourceSql`'s rows to an existing table; the snapshot it committed. */
  write(request: TableWriteRequest): Promise<Snapshot>;
  /** Creates a table from a query's rows; the new table and its first snapshot, if any. */
  createTableAs(request: CreateTableAsRequest): Promise<{ table: Table; snapshot: Snapshot | undefined }>;
  close(): Promise<void>;
}

/** The target for `engine`: Spark when it reads the lake itself, else the embedded DuckDB path. */
export function targetFor(engine: Engine, catalog: Catalog): SessionTarget {
  if (isLakeEngine(engine)) return sparkTarget(engine, catalog, DuckDbEngine.create(catalog.runtime, { poolSize: 1 }));
  return duckDbTarget(engine, catalog);
}

/** Runs `sql` on `engine` to completion and returns every row. */
export async function runToEnd(engine: Engine, sql: string): Promise<unknown[][]> {
  const result = await engine.query(sql);
  const out: unknown[][] = [];
  for await (const batch of result) out.push(...batch);
  return out;
}
