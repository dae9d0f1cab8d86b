/**
 * What Strata's SQL layer costs on top of DuckDB: the analytical queries of analytical-queries.ts run
 *   strata  — `SqlSession.execute` on `DuckDbEngine.create(home.runtime)`: `tpch.lineitem` resolved
 *             through the catalog (parse via json_serialize_sql, load the table, plan and prune its
 *             files, create a view reading them by field id), the query streamed in batches and
 *             every batch consumed (values converted to Strata's forms);
 *   duckdb  — the same query on DuckDB directly, `read_parquet([...])` over the table's data files
 *             (the full scan's files, so DuckDB prunes only by row-group statistics), on one reused
 *             connection of the same DuckDB instance, streamed and every chunk converted (`getRows`).
 * Both run on one DuckDB instance (same threads, same memory limit), alternating, after one warm-up
 * each; the warm-up checks that both return the same number of rows.
 * *rewrite + plan* times `resolveQuery` alone (parse, catalog load, file planning), the part of the
 * overhead that does not depend on the data read; `session.lastPlan` gives the files it planned.
 */
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StrataHome } from '../src/catalog/index.ts';
import { DuckDbEngine, type Engine } from '../src/engine/index.ts';
import { SqlSession, resolveQuery } from '../src/sql/index.ts';
import type { Table } from '../src/table/index.ts';
import { ANALYTICAL_QUERIES, fillTables } from './analytical-queries.ts';
import { TPCH_NAMESPACE, createTpchTables } from './lineitem-tables.ts';
import { summarize, timed, type Summary } from './stats.ts';

export interface QueryTiming {
  readonly name: string;
  readonly shape: string;
  readonly rows: number;
  readonly strata: Summary;
  readonly duckdb: Summary;
  readonly resolve: Summary;
  /** lineitem files the Strata plan read, of all its files (from `session.lastPlan`). */
  readonly lineitemFilesPlanned: number;
}

export interface QueryOverheadResult {
  readonly lineitemRows: number;
  readonly orderRows: number;
  readonly buildMs: number;
  readonly lineitemFiles: number;
  readonly lineitemBytes: number;
  readonly ordersFiles: number;
  readonly runs: number;
  readonly queries: readonly QueryTiming[];
}

export async function queryOverhead(home: StrataHome, lineitemRows: number, runs: number): Promise<QueryOverheadResult> {
  const tables = await createTpchTables(home, lineitemRows);
  const lineitemFiles = await dataFiles(tables.lineitem);
  const ordersFiles = await dataFiles(tables.orders);
  const direct = {
    lineitem: readParquet(lineitemFiles.paths),
    orders: readParquet(ordersFiles.paths),
  };
  const qualified = { lineitem: `${TPCH_NAMESPACE}.lineitem`, orders: `${TPCH_NAMESPACE}.orders` };

  const engine = DuckDbEngine.create(home.runtime);
  const session = await SqlSession.open({ catalog: home.catalog, engine });
  const connection = await home.runtime.connect();
  const scalar = async (sql: string): Promise<unknown> => (await drain(engine, sql))[0];
  try {
    const queries: QueryTiming[] = [];
    for (const query of ANALYTICAL_QUERIES) {
      const strataSql = fillTables(query, qualified);
      const directSql = fillTables(query, direct);
      const strataRows = await viaStrata(session, strataSql);
      const directRows = await viaDuckDb(connection, directSql);
      if (strataRows !== directRows) throw new Error(`bench: ${query.name} gave ${strataRows} rows through Strata, ${directRows} on DuckDB`);
      const lineitemFilesPlanned = session.lastPlan
        .filter((p) => p.table === qualified.lineitem)
        .reduce((sum, p) => sum + (p.stats?.filesPlanned ?? 0), 0);
      const strata: number[] = [];
      const duckdb: number[] = [];
      const resolve: number[] = [];
      for (let r = 0; r < runs; r++) {
        strata.push((await timed(() => viaStrata(session, strataSql))).ms);
        duckdb.push((await timed(() => viaDuckDb(connection, directSql))).ms);
        resolve.push((await timed(() => resolveQuery(strataSql, { catalog: home.catalog, scalar }))).ms);
      }
      queries.push({
        name: query.name,
        shape: query.shape,
        rows: strataRows,
        strata: summarize(strata),
        duckdb: summarize(duckdb),
        resolve: summarize(resolve),
        lineitemFilesPlanned,
      });
    }
    return {
      lineitemRows,
      orderRows: tables.orderRows,
      buildMs: tables.buildMs,
      lineitemFiles: lineitemFiles.paths.length,
      lineitemBytes: lineitemFiles.bytes,
      ordersFiles: ordersFiles.paths.length,
      runs,
      queries,
    };
  } finally {
    connection.closeSync();
    await session.close();
    await engine.close();
  }
}

/** Local paths and total size of the table's current data files, from a full scan plan. */
export async function dataFiles(table: Table): Promise<{ paths: string[]; bytes: number }> {
  const plan = await table.scan().planFiles();
  return {
    paths: plan.tasks.map((t) => {
      if (!t.file.filePath.startsWith('file:')) throw new Error(`bench: expected a local data file, got ${t.file.filePath}`);
      return fileURLToPath(t.file.filePath);
    }),
    bytes: plan.stats.bytesPlanned,
  };
}

export function readParquet(paths: readonly string[]): string {
  return `read_parquet([${paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')}])`;
}

/** Rows returned, every batch consumed. */
async function viaStrata(session: SqlSession, sql: string): Promise<number> {
  const result = await session.execute(sql);
  if (result.kind !== 'rows') throw new Error(`bench: expected rows from ${sql}`);
  let rows = 0;
  for await (const batch of result.rows) rows += batch.length;
  return rows;
}

/** Rows returned, every chunk fetched and converted to JS values. */
async function viaDuckDb(connection: DuckDBConnection, sql: string): Promise<number> {
  const result = await connection.stream(sql);
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return rows;
    rows += chunk.getRows().length;
  }
}

async function drain(engine: Engine, sql: string): Promise<unknown[]> {
  const first: unknown[] = [];
  for await (const batch of await engine.query(sql)) for (const row of batch) first.push(row[0]);
  return first;
}
