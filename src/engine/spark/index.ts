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
