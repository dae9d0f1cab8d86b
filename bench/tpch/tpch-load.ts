/**
 * Loads the generated TPC-H Parquet into Strata Iceberg tables `tpch.<table>` through Strata's own
 * write path: one `CREATE TABLE tpch.t AS SELECT * FROM read_parquet('…')` per table on a trusted
 * `SqlSession` (the table writer's DuckDB COPY with field ids, manifests, one commit). The tables
 * are unpartitioned, as TPC-H defines them; column types are the generator's (BIGINT keys,
 * DECIMAL(15,2) money, DATE, VARCHAR).
 *
 * The data files each table's scan plans (`table.scan().planFiles()`) are what the bare DuckDB leg
 * reads, so all legs read the same bytes.
 */
import type { StrataHome } from '../../src/catalog/index.ts';
import { DuckDbEngine } from '../../src/engine/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { dataFiles, readParquet } from '../query-overhead.ts';
import { TPCH_DATABASE, TPCH_TABLES, type TpchTable } from './queries.ts';
import type { TpchData } from './tpch-data.ts';

export interface LoadedTable {
  readonly name: TpchTable;
  readonly rows: number;
  /** Local paths of the table's data files. */
  readonly files: readonly string[];
  readonly bytes: number;
}

export interface TpchLoad {
  readonly ms: number;
  readonly tables: readonly LoadedTable[];
}

export async function loadTpch(home: StrataHome, data: TpchData): Promise<TpchLoad> {
  const started = performance.now();
  const engine = DuckDbEngine.create(home.runtime);
  const session = await SqlSession.open({ catalog: home.catalog, engine });
  const tables: LoadedTable[] = [];
  try {
    await session.execute(`CREATE DATABASE ${TPCH_DATABASE}`);
    for (const name of TPCH_TABLES) {
      const result = await session.execute(`CREATE TABLE ${TPCH_DATABASE}.${name} AS SELECT * FROM ${readParquet([data.files[name]])}`);
      if (result.kind !== 'ok') throw new Error(`bench: CREATE TABLE ${TPCH_DATABASE}.${name} returned rows`);
      const files = await dataFiles(await home.catalog.loadTable(`${TPCH_DATABASE}.${name}`));
      tables.push({ name, rows: result.rowCount ?? 0, files: files.paths, bytes: files.bytes });
    }
  } finally {
    await session.close();
    await engine.close();
  }
  return { ms: performance.now() - started, tables };
}
