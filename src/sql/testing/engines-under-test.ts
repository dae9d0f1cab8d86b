/**
 * The engines the SQL, pipeline and governance suites run on (test code: it starts servers, so it
 * reaches above the SQL plane), each opened over a Strata home the same way a user's session
 * would be:
 *
 * - duckdb: the embedded engine on the home's DuckDB runtime.
 * - spark: a real Spark Connect server (pip pyspark, local[2], Iceberg's Spark runtime on its
 *   class path), ONE per test file, started on first use; per home, a real `strata serve` over that
 *   home gives Spark the Iceberg REST catalog, and the engine's Spark session is pointed at it
 *   with session settings (so one Spark server serves every home of the file).
 *
 * @example
 *   for (const candidate of ENGINES) describe(candidate.name, { skip: candidate.skip }, () => { … });
 *   after(() => shutdownEngines());
 */
import type { StrataHome } from '../../catalog/index.ts';
import { DuckDbEngine, type Engine } from '../../engine/index.ts';
import {
  SparkEngine,
  ensureIcebergRuntimeJar,
  icebergServerConf,
  sessionLakeCatalogConf,
  sparkConnectSkipReason,
  startSparkConnectServer,
  type SparkConnectTestServer,
} from '../../engine/spark/index.ts';
import { bootstrapAdmin, openGovernance } from '../../governance/index.ts';
import { startServer } from '../../server/index.ts';

export interface OpenedEngine {
  readonly engine: Engine;
  close(): Promise<void>;
}

export interface EngineUnderTest {
  readonly name: 'duckdb' | 'spark';
  /** Why this engine cannot run here (a skip message), or undefined. */
  readonly skip: string | undefined;
  open(home: StrataHome): Promise<OpenedEngine>;
  /** Names of the per-statement views (`strata_ref_…`) the engine holds right now. */
  liveViews(engine: Engine): Promise<string[]>;
}

async function column(engine: Engine, sql: string, index: number): Promise<string[]> {
  const result = await engine.query(sql);
  const names: string[] = [];
  for await (const batch of result) for (const row of batch) names.push(String(row[index]));
  return names;
}

/** The principal Spark's catalog calls authenticate as (an administrator: Strata governs the SQL, not Spark). */
const SPARK_PRINCIPAL = 'strata-spark';

let sparkServer: Promise<SparkConnectTestServer> | undefined;

function sharedSparkServer(): Promise<SparkConnectTestServer> {
  sparkServer ??= (async () => {
    ensureIcebergRuntimeJar();
    return startSparkConnectServer({ conf: icebergServerConf() });
  })();
  return sparkServer;
}

export const duckdbUnderTest: EngineUnderTest = {
  name: 'duckdb',
  skip: undefined,
  open: async (home) => {
    const engine = DuckDbEngine.create(home.runtime, { poolSize: 2 });
    return { engine, close: () => engine.close() };
  },
  liveViews: (engine) => column(engine, "SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'strata_ref_%'", 0),
};

export const sparkUnderTest: EngineUnderTest = {
  name: 'spark',
  skip: sparkConnectSkipReason(),
  open: async (home) => {
    const governance = await openGovernance(home.catalog);
    let token: string;
    try {
      await bootstrapAdmin(governance.identity, SPARK_PRINCIPAL);
      token = (await governance.identity.createToken(SPARK_PRINCIPAL)).token;
    } finally {
      await governance.close();
    }
    const [spark, rest] = await Promise.all([sharedSparkServer(), startServer({ home: home.home, port: 0, logLevel: 'warn', duckdb: { threads: 1 }, poolSize: 1 })]);
    try {
      const engine = await SparkEngine.connect({ url: spark.url, sessionConf: sessionLakeCatalogConf({ restUri: rest.url, token }) });
      return {
        engine,
        async close() {
          await engine.close();
          await rest.close();
        },
      };
    } catch (error) {
      await rest.close();
      throw error;
    }
  },
  // SHOW VIEWS: (namespace, viewName, isTemporary); Strata's views are the session's temporary ones.
  liveViews: (engine) => column(engine, "SHOW VIEWS LIKE 'strata_ref_*'", 1),
};

export const ENGINES: readonly EngineUnderTest[] = [duckdbUnderTest, sparkUnderTest];

/** Stops the file's Spark server, if one was started. */
export async function shutdownEngines(): Promise<void> {
  const server = sparkServer;
  sparkServer = undefined;
  if (server) await (await server).stop();
}
