// Disposable compute: starting, finding and stopping Spark Connect servers (local and managed).
export {
  startSparkCluster,
  sparkConnectionString,
  DEFAULT_SPARK_CORES,
  DEFAULT_SPARK_MEMORY,
  SPARK_MEMORY_PATTERN,
  type SparkCluster,
  type SparkClusterOptions,
} from './spark-launcher.ts';
export { withTransientSparkCluster } from './transient-cluster.ts';
export {
  startManagedCluster,
  stopManagedCluster,
  managedClusterStatus,
  managedClusterPaths,
  managedConnectionString,
  readManagedState,
  readManagedConnectToken,
  type ManagedSparkState,
  type ManagedClusterStatus,
  type ManagedCatalogCredentials,
  type StartManagedClusterOptions,
} from './managed-cluster.ts';
export { resolveSparkEndpoint, type SparkEndpoint } from './spark-endpoint.ts';
export { ensureIcebergRuntimeJar, provisionIcebergRuntimeJar } from './iceberg-runtime.ts';
export { findSparkHome } from './spark-home.ts';
export { processAlive, processCommandLine, isSparkConnectProcess, stopProcessGroup, portAnswers, SPARK_CONNECT_SERVER_CLASS } from './process-control.ts';
