/**
 * The ways the TPC-H bench runs one query ("legs"); each returns every row, in the engines' JS
 * value forms, so answers can be compared.
 *
 *   bare DuckDB   — a DuckDB instance of its own (default settings, as Strata's runtime has them)
 *                   with a view `tpch.<table>` = `read_parquet([...])` over each Iceberg table's
 *                   data files: no catalog, no planning, no Strata. The query text is the same.
 *   Strata        — `SqlSession.execute` on an engine (DuckDB or Spark): parse, resolve each
 *                   `tpch.<table>` through the catalog, plan its files, create the per-statement
 *                   views, run, stream every batch back, drop the views.
 *   Spark direct  — the same text with `tpch.` → `strata.tpch.` sent straight to the Spark engine:
 *                   Spark's own time on the same tables, the reference that separates what the
 *                   Strata front end adds on Spark from what Spark itself takes.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { engineValueConverter, type LakeEngine } from '../../src/engine/index.ts';
import type { SqlSession } from '../../src/sql/index.ts';
import { readParquet } from '../query-overhead.ts';
import { TPCH_DATABASE } from './queries.ts';
import type { LoadedTable } from './tpch-load.ts';

export interface QueryLeg {
  readonly name: string;
  /** Runs one query and returns all of its rows. */
  run(sql: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

export async function bareDuckDbLeg(tables: readonly LoadedTable[]): Promise<QueryLeg> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`CREATE SCHEMA ${TPCH_DATABASE}`);
  for (const table of tables) {
    await connection.run(`CREATE VIEW ${TPCH_DATABASE}.${table.name} AS SELECT * FROM ${readParquet(table.files)}`);
  }
  return {
    name: 'bare DuckDB',
    run: (sql) => streamAll(connection, sql),
    close: () => {
      connection.closeSync();
      instance.closeSync();
      return Promise.resolve();
    },
  };
}

async function streamAll(connection: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const result = await connection.stream(sql);
  const rows: unknown[][] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return rows;
    rows.push(...chunk.convertRows(engineValueConverter));
  }
}

/**
 * A leg over a `SqlSession`; closing it closes the session (the engine belongs to the caller).
 * A query still running after `timeoutMs` is cancelled and fails (QUERY_TIMEOUT).
 */
export function strataLeg(name: string, session: SqlSession, timeoutMs: number): QueryLeg {
  return {
    name,
    run: async (sql) => {
      const result = await session.execute(sql, { timeoutMs });
      if (result.kind !== 'rows') throw new Error(`bench: expected rows from ${sql}`);
      const rows: unknown[][] = [];
      for await (const batch of result.rows) rows.push(...batch);
      return rows;
    },
    close: () => session.close(),
  };
}

/** Spark SQL without Strata's front end: `tpch.t` read as `<lake catalog>.tpch.t`, current snapshot. */
export function sparkDirectLeg(engine: LakeEngine, timeoutMs: number): QueryLeg {
  const prefix = new RegExp(`\\b${TPCH_DATABASE}\\.`, 'g');
  return {
    name: 'Spark SQL direct',
    run: async (sql) => {
      const rows: unknown[][] = [];
      for await (const batch of await engine.query(sql.replace(prefix, `${engine.lakeCatalog}.${TPCH_DATABASE}.`), { timeoutMs })) rows.push(...batch);
      return rows;
    },
    close: () => Promise.resolve(),
  };
}
