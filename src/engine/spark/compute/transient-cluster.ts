/**
 * Disposable compute for one job: start a Spark cluster, run `fn` against it, always stop it —
 * whether `fn` returns, throws or the start-up itself fails half-way. Pipelines run a Spark step
 * this way when no cluster is configured.
 *
 * @example
 *   const rows = await withTransientSparkCluster({ cores: 2, memory: '2g', lakeCatalog }, async (url) => {
 *     const client = SparkConnectClient.connect(url);
 *     try { return await client.sql('SELECT count(*) FROM strata.sales.orders'); } finally { await client.close(); }
 *   });
 *
 * Gotcha: `fn` gets the connection string WITH the cluster's token when one was asked for; do not
 * log it. An error from stopping never hides an error from `fn`.
 */
import { startSparkCluster, type SparkCluster, type SparkClusterOptions } from './spark-launcher.ts';

export async function withTransientSparkCluster<T>(
  options: SparkClusterOptions,
  fn: (connectionString: string, cluster: SparkCluster) => Promise<T>,
): Promise<T> {
  const cluster = await startSparkCluster({ ...options, detached: false });
  let result: T;
  try {
    result = await fn(cluster.connectionString, cluster);
  } catch (error) {
    await cluster.stop().catch(() => undefined);
    throw error;
  }
  await cluster.stop();
  return result;
}
