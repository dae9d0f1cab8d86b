/**
 * The Strata-on-Spark leg: Strata's SQL front end (`SqlSession`) over a `SparkEngine`, the way a
 * user outgrowing one machine runs the same SQL. Spark reads the same Iceberg tables through
 * Strata's REST catalog, so this starts, in this process:
 *
 *   1. a Strata server (`startServer`) over the bench home, for its Iceberg REST catalog, with an
 *      administrator token for Spark (the home is a throw-away bench home);
 *   2. a Spark Connect server, `local[2]`, from the pip pyspark wheel (`startSparkCluster`), with
 *      Iceberg's Spark runtime jar and the lake catalog settings;
 *   3. `SparkEngine.connect` + `SqlSession.open({ catalog, engine })`.
 *
 * Spark's fixed costs are measured on the way: *cluster start* = spawn until the Spark Connect
 * port answers; *session start* = `SparkEngine.connect` (a new Spark session, its settings, a
 * check that the lake catalog answers) plus a first `SELECT 1`. *First query* is taken by the
 * bench from the first TPC-H query it runs.
 *
 * Nothing here installs anything: a missing pyspark, Java or Iceberg jar (fetched by `.ci/run`
 * into ~/.m2) makes the leg "not run" with the reason, and the rest of the bench still runs.
 */
import { existsSync } from 'node:fs';
import type { Catalog } from '../../src/catalog/index.ts';
import { bootstrapAdmin, openGovernance } from '../../src/governance/index.ts';
import { startServer, type StrataServer } from '../../src/server/index.ts';
import { SparkEngine, findSparkHome, icebergRuntimeJarPath, startSparkCluster, type SparkCluster } from '../../src/engine/spark/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { sparkDirectLeg, strataLeg, type QueryLeg } from './legs.ts';

export const SPARK_CORES = 2;

export interface SparkFixedCosts {
  readonly serverStartMs: number;
  readonly clusterStartMs: number;
  readonly sessionStartMs: number;
}

export interface SparkLeg {
  /** Strata's SQL session on Spark. */
  readonly leg: QueryLeg;
  /** The same SQL sent to Spark directly (legs.ts `sparkDirectLeg`). */
  readonly direct: QueryLeg;
  readonly fixed: SparkFixedCosts;
  readonly memory: string;
  readonly version: string;
  close(): Promise<void>;
}

/** Why the Spark leg cannot run here, or undefined when it can. */
export function sparkLegMissing(): string | undefined {
  const spark = findSparkHome();
  if ('missing' in spark) return `it needs ${spark.missing}`;
  const jar = icebergRuntimeJarPath();
  if (!existsSync(jar)) return `Iceberg's Spark runtime jar is not in ~/.m2 (${jar}); .ci/run fetches it`;
  return undefined;
}

export async function startSparkLeg(homeDir: string, catalog: Catalog, memory: string, queryTimeoutMs: number): Promise<SparkLeg> {
  const token = await adminToken(catalog);
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    let started = performance.now();
    const server: StrataServer = await startServer({ home: homeDir, port: 0, logLevel: 'warn', duckdb: { threads: 1 } });
    closers.push(() => server.close());
    const serverStartMs = performance.now() - started;

    const cluster: SparkCluster = await startSparkCluster({ cores: SPARK_CORES, memory, lakeCatalog: { restUri: server.url, token }, name: 'strata-bench-tpch' });
    closers.push(() => cluster.stop());

    started = performance.now();
    const engine = await SparkEngine.connect({ url: cluster.connectionString });
    closers.push(() => engine.close());
    const session = await SqlSession.open({ catalog, engine });
    closers.push(() => session.close());
    const probe = await engine.query('SELECT 1');
    for await (const batch of probe) void batch;
    const sessionStartMs = performance.now() - started;
    const version = await engine.client.version();

    return {
      leg: strataLeg('Strata on Spark', session, queryTimeoutMs),
      direct: sparkDirectLeg(engine, queryTimeoutMs),
      fixed: { serverStartMs, clusterStartMs: cluster.startupMs, sessionStartMs },
      memory,
      version,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** A bearer token of the bench home's administrator, for Spark's REST catalog calls. */
async function adminToken(catalog: Catalog): Promise<string> {
  const governance = await openGovernance(catalog);
  try {
    await bootstrapAdmin(governance.identity);
    return (await governance.identity.createToken('admin')).token;
  } finally {
    await governance.close();
  }
}
