/**
 * The Spark engine plane's public surface: a Spark Connect client written for Strata (gRPC +
 * Arrow), and a harness that starts a real Spark Connect server for tests.
 */
export {
  SparkConnectClient,
  type SparkConnectClientOptions,
  type SparkSqlOptions,
  type SparkQueryResult,
  type InterruptTarget,
} from './connect/spark-connect-client.ts';
export {
  parseConnectionString,
  describeConnection,
  DEFAULT_SPARK_CONNECT_PORT,
  type SparkConnectionOptions,
} from './connect/connection-string.ts';
export { decodeArrowBatch, sparkTypeName, formatDecimal, type ArrowRows } from './connect/arrow-rows.ts';
export { sparkError, readSparkErrorInfo, type SparkErrorInfo, type SparkErrorCause } from './connect/spark-errors.ts';
export { ReattachableExecution } from './connect/reattachable-execution.ts';
export { DEFAULT_MAX_RECEIVE_BYTES } from './connect/rpc-channel.ts';
export {
  startSparkConnectServer,
  sparkConnectSkipReason,
  findSparkHome,
  type SparkConnectTestServer,
  type StartSparkConnectOptions,
} from './testing/spark-connect-server.ts';
export {
  startSparkCluster,
  sparkConnectionString,
  withTransientSparkCluster,
  startManagedCluster,
  stopManagedCluster,
  managedClusterStatus,
  managedClusterPaths,
  readManagedState,
  resolveSparkEndpoint,
  ensureIcebergRuntimeJar,
  provisionIcebergRuntimeJar,
  processCommandLine,
  DEFAULT_SPARK_CORES,
  DEFAULT_SPARK_MEMORY,
  SPARK_MEMORY_PATTERN,
  type SparkCluster,
  type SparkClusterOptions,
  type SparkEndpoint,
  type ManagedSparkState,
  type ManagedClusterStatus,
  type ManagedCatalogCredentials,
  type StartManagedClusterOptions,
} from './compute/index.ts';
export { SparkEngine, SPARK_SESSION_CONF, quoteName, type SparkEngineOptions } from './spark-engine.ts';
export { sparkEngineError, type SqlEmbedding } from './spark-engine-errors.ts';
export {
  lakeCatalogConf,
  icebergRuntimeArtifact,
  icebergRuntimeJarPath,
  ICEBERG_SPARK_RUNTIME,
  DEFAULT_LAKE_CATALOG,
  sessionLakeCatalogConf,
  icebergServerConf,
  type LakeCatalogConfOptions,
} from './lake-catalog-conf.ts';
export { WriteOperationV2Mode, type WriteOperationV2, type Command, type Expression, type Plan } from './connect/messages.ts';
export type { SparkQueryContext } from './connect/spark-errors.ts';
