/**
 * Iceberg's Spark runtime jar, which every Spark that reads Strata's lake needs on its class path
 * (`spark.jars`). Fetched from Maven Central into `~/.m2` when missing; `.ci/run` does that ahead
 * of the tests with `node --import tsx src/engine/spark/compute/iceberg-runtime.ts provision`.
 */
import { StrataError } from '../../../core/index.ts';
import { ensureMavenArtifact } from '../../../provision/index.ts';
import { ICEBERG_SPARK_RUNTIME, icebergRuntimeJarPath } from '../lake-catalog-conf.ts';

/** The jar's path, or why it cannot be had (Maven missing, download failed). Never throws. */
export function provisionIcebergRuntimeJar(): { jar: string } | { problem: string } {
  return ensureMavenArtifact(ICEBERG_SPARK_RUNTIME, { jar: icebergRuntimeJarPath(), what: "Iceberg's Spark runtime jar" });
}

/** The jar's path, downloading it first if needed; COMPUTE_ERROR when it cannot be had. */
export function ensureIcebergRuntimeJar(): string {
  const provisioned = provisionIcebergRuntimeJar();
  if ('problem' in provisioned) {
    throw new StrataError('COMPUTE_ERROR', `Spark needs Iceberg's Spark runtime jar: ${provisioned.problem}`, { jar: icebergRuntimeJarPath() });
  }
  return provisioned.jar;
}

// `node --import tsx src/engine/spark/compute/iceberg-runtime.ts provision`: fetch the jar ahead of the tests (.ci/run).
if (process.argv[1]?.endsWith('iceberg-runtime.ts') && process.argv[2] === 'provision') {
  const provisioned = provisionIcebergRuntimeJar();
  if ('problem' in provisioned) {
    process.stderr.write(`${provisioned.problem}\n`);
    process.exit(1);
  }
  process.stdout.write(`Iceberg Spark runtime ${ICEBERG_SPARK_RUNTIME.version}: ${provisioned.jar}\n`);
}
