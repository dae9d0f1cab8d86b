/**
 * How CLI commands (`strata sql --engine spark`, `strata pipeline run`, `strata serve`, `strata
 * demo --engine spark`) get Spark:
 *
 * - shared: the cluster `compute.spark.url` names (an existing endpoint, configuration only), else
 *   the home's managed cluster from `strata compute up`; ENGINE_UNAVAILABLE when there is neither.
 * - transient (pipelines with `compute: transient`): a local cluster started for one run, with
 *   the configured cores and memory, pointed at Strata's Iceberg REST catalog — the running
 *   server's (`catalogUri`) or, from a plain CLI command, one served in-process for the run —
 *   with a fresh `strata-compute` token; all three are stopped / revoked when the run ends.
 */
import type { StrataHome, StrataHomeOptions } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import type { ConfigValues } from '../../config/index.ts';
import { openGovernance } from '../../governance/index.ts';
import type { LeasedEngine, SparkCompute } from '../../pipeline/index.ts';
import { startServer } from '../../server/index.ts';
import { SparkEngine, resolveSparkEndpoint, startSparkCluster } from '../../engine/spark/index.ts';
import { mintComputeToken, revokeComputeToken } from './compute-catalog-token.ts';

/** An engine on the shared cluster; ENGINE_UNAVAILABLE (saying what to do) when there is none. */
export async function connectSharedSpark(home: string, config: ConfigValues): Promise<SparkEngine> {
  const endpoint = resolveSparkEndpoint(home, config);
  if (!endpoint) {
    throw new StrataError(
      'ENGINE_UNAVAILABLE',
      'No Spark cluster: start one with strata compute up (it needs strata serve running for the catalog), or set compute.spark.url to an existing Spark Connect endpoint',
      { engine: 'spark' },
    );
  }
  return SparkEngine.connect({ url: endpoint.url });
}

export interface SparkComputeOptions {
  readonly strata: StrataHome;
  readonly config: ConfigValues;
  /** The Iceberg REST catalog transient clusters use (a running server's URL); default: one served in-process per run. */
  readonly catalogUri?: string;
  /** The catalog database and lake the in-process catalog serves (the CLI's `catalog.url`, `lake.*`). */
  readonly homeOptions?: StrataHomeOptions;
}

/** Spark for pipeline runs, shared or transient (see the file comment). */
export function sparkCompute(options: SparkComputeOptions): SparkCompute {
  const { strata, config } = options;
  return {
    async acquire(mode): Promise<LeasedEngine> {
      if (mode === 'shared') {
        const engine = await connectSharedSpark(strata.home, config);
        return { engine, release: () => engine.close() };
      }
      return transientSpark(options);
    },
  };
}

async function transientSpark({ strata, config, catalogUri, homeOptions }: SparkComputeOptions): Promise<LeasedEngine> {
  const undo: (() => Promise<unknown>)[] = [];
  const release = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  try {
    let restUri = catalogUri;
    if (restUri === undefined) {
      const server = await startServer({
        home: strata.home,
        port: 0,
        logLevel: 'warn',
        poolSize: 1,
        ...(homeOptions?.catalogUrl ? { catalogUrl: homeOptions.catalogUrl } : {}),
        ...(homeOptions?.lake ? { lake: homeOptions.lake } : {}),
      });
      undo.push(() => server.close());
      restUri = server.url;
    }
    const governance = await openGovernance(strata.catalog);
    let token: { id: string; token: string };
    try {
      token = await mintComputeToken(governance.identity);
    } finally {
      await governance.close();
    }
    undo.push(async () => {
      const plane = await openGovernance(strata.catalog);
      try {
        await revokeComputeToken(plane.identity, token.id);
      } finally {
        await plane.close();
      }
    });
    const cluster = await startSparkCluster({ cores: config['compute.spark.cores'], memory: config['compute.spark.memory'], lakeCatalog: { restUri, token: token.token }, name: 'strata-transient' });
    undo.push(() => cluster.stop());
    const engine = await SparkEngine.connect({ url: cluster.connectionString });
    undo.push(() => engine.close());
    return { engine, release, pid: cluster.pid };
  } catch (error) {
    await release();
    throw error;
  }
}
