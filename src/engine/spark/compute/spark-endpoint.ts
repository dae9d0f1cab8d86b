/**
 * Which Spark Strata talks to: `compute.spark.url` when configured (an existing Spark Connect
 * endpoint — EMR, Kubernetes, a colleague's server: configuration only, Strata never starts or
 * stops it), else the home's managed cluster from `strata compute up` while its process lives.
 *
 * @example
 *   const endpoint = resolveSparkEndpoint(context.home, context.config.values);
 *   if (endpoint === undefined) throw …('No Spark: run "strata compute up" or set compute.spark.url');
 *   const client = SparkConnectClient.connect(endpoint.url);
 *
 * Gotcha: `url` may carry a token (`/;token=…`): never print it; `describeConnection` redacts it.
 * The managed check is cheap (pid only); a hung cluster surfaces as a connection error.
 */
import { managedConnectionString } from './managed-cluster.ts';

export interface SparkEndpoint {
  /** A Spark Connect connection string, token included when the server needs one. */
  readonly url: string;
  readonly source: 'configured' | 'managed';
}

export function resolveSparkEndpoint(home: string, config: { readonly 'compute.spark.url': string }): SparkEndpoint | undefined {
  const configured = config['compute.spark.url'].trim();
  if (configured !== '') return { url: configured, source: 'configured' };
  const managed = managedConnectionString(home);
  return managed === undefined ? undefined : { url: managed, source: 'managed' };
}
