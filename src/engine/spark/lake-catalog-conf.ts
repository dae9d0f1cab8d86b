/**
 * How a Spark server is configured to see Strata's lake: Iceberg's Spark runtime on the class path
 * (`spark.jars`, added by whoever starts the server) plus a REST catalog named `strata` pointing at
 * a running Strata server. These are server start-up settings (`--conf`), not session settings:
 * Spark reads `spark.sql.extensions` and `spark.sql.catalog.*` only when the session is created.
 *
 * @example
 *   const conf = { ...lakeCatalogConf({ restUri: server.url, token }), 'spark.jars': icebergRuntimeJarPath() };
 *   const spark = await startSparkConnectServer({ conf });
 *
 * Gotcha: the token goes into Spark's configuration, which Spark logs and shows in its UI's
 * environment page; give Spark a token of a principal made for it, not an administrator's.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '../../core/index.ts';

/** The catalog name Strata's tables have in Spark SQL (`strata.db.table`). */
export const DEFAULT_LAKE_CATALOG = 'strata';

/** The Maven coordinates of Iceberg's Spark 4.0 runtime (Scala 2.13), the jar Spark needs. */
export const ICEBERG_SPARK_RUNTIME = {
  groupId: 'org.apache.iceberg',
  artifactId: 'iceberg-spark-runtime-4.0_2.13',
  version: '1.10.1',
} as const;

export interface LakeCatalogConfOptions {
  /** The catalog's name in Spark SQL (default `strata`). */
  readonly catalogName?: string;
  /** The Strata server's base URL; its Iceberg REST API lives under it. */
  readonly restUri: string;
  /** A Strata bearer token Spark sends on every catalog call. */
  readonly token: string;
}

/** The `spark.sql.extensions` + `spark.sql.catalog.<name>.*` settings (no `spark.jars`). */
export function lakeCatalogConf(options: LakeCatalogConfOptions): Record<string, string> {
  const name = options.catalogName ?? DEFAULT_LAKE_CATALOG;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new StrataError('INVALID_ARGUMENT', `Invalid Spark catalog name ${JSON.stringify(name)}: use letters, digits and underscores`, { catalogName: name });
  }
  const prefix = `spark.sql.catalog.${name}`;
  return {
    'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
    [prefix]: 'org.apache.iceberg.spark.SparkCatalog',
    [`${prefix}.type`]: 'rest',
    [`${prefix}.uri`]: options.restUri,
    [`${prefix}.token`]: options.token,
    // Strata pins snapshots Spark must see at once: a cached table would not know a new one yet.
    [`${prefix}.cache-enabled`]: 'false',
  };
}

/** `group:artifact:version`, as `mvn dependency:get -Dartifact=…` takes it. */
export function icebergRuntimeArtifact(): string {
  const { groupId, artifactId, version } = ICEBERG_SPARK_RUNTIME;
  return `${groupId}:${artifactId}:${version}`;
}

/** Where Maven keeps the runtime jar in its local repository (`~/.m2/repository/…`). */
export function icebergRuntimeJarPath(): string {
  const { groupId, artifactId, version } = ICEBERG_SPARK_RUNTIME;
  return join(homedir(), '.m2', 'repository', ...groupId.split('.'), artifactId, version, `${artifactId}-${version}.jar`);
}

/**
 * The lake catalog as SESSION settings: a Spark server that has Iceberg's runtime jar and
 * extensions (static, set at start) but no `strata` catalog — an existing cluster, or one test
 * server shared by many Strata homes — gets the catalog per Spark session instead
 * (`SparkEngine.connect({ sessionConf })`). Spark instantiates catalogs lazily from the session's
 * own configuration, so each session may point at a different Strata server.
 */
export function sessionLakeCatalogConf(options: LakeCatalogConfOptions): Record<string, string> {
  const conf = lakeCatalogConf(options);
  delete conf['spark.sql.extensions'];
  return conf;
}

/** The static settings a server needs so sessions can add the lake catalog themselves. */
export function icebergServerConf(): Record<string, string> {
  return { 'spark.jars': icebergRuntimeJarPath(), 'spark.sql.extensions': lakeCatalogConf({ restUri: 'http://unused', token: 'unused' })['spark.sql.extensions'] ?? '' };
}
