/**
 * How a test process learns that its lake should be on S3, and where: the environment variables
 * the S3 test pass (s3-lake-pass.ts, started by scripts/run-tests.mjs) sets for the test files it
 * runs. The same `STRATA_TEST_S3_*` names point src/storage/s3-object-store.test.ts at an external
 * server.
 *
 *   STRATA_TEST_LAKE=s3                 run the lake-backed tests with the lake on S3
 *   STRATA_TEST_S3_ENDPOINT             e.g. http://127.0.0.1:9000 (path-style URLs are used)
 *   STRATA_TEST_S3_BUCKET               an existing bucket
 *   STRATA_TEST_S3_ACCESS_KEY_ID, STRATA_TEST_S3_SECRET_ACCESS_KEY
 *   STRATA_TEST_S3_REGION               optional, default us-east-1
 */
import type { S3TestConnection } from './s3-test-server.ts';

export const TEST_LAKE_ENV = 'STRATA_TEST_LAKE';

/** The environment that tells a child test process to put its lake on `connection`. */
export function s3TestEnv(connection: S3TestConnection): Record<string, string> {
  return {
    [TEST_LAKE_ENV]: 's3',
    STRATA_TEST_S3_ENDPOINT: connection.endpoint,
    STRATA_TEST_S3_BUCKET: connection.bucket,
    STRATA_TEST_S3_ACCESS_KEY_ID: connection.accessKeyId,
    STRATA_TEST_S3_SECRET_ACCESS_KEY: connection.secretAccessKey,
    STRATA_TEST_S3_REGION: connection.region,
  };
}

/**
 * The S3 server this process's lake-backed tests must use, or undefined for the local lake.
 * Throws when `STRATA_TEST_LAKE` asks for S3 without a complete connection: a half-configured
 * pass must fail, not quietly test the local lake again.
 */
export function s3TestConnectionFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): S3TestConnection | undefined {
  const lake = env[TEST_LAKE_ENV] ?? '';
  if (lake === '' || lake === 'local') return undefined;
  if (lake !== 's3') throw new Error(`${TEST_LAKE_ENV} must be 'local' or 's3', not '${lake}'`);
  const endpoint = env['STRATA_TEST_S3_ENDPOINT'];
  const bucket = env['STRATA_TEST_S3_BUCKET'];
  const accessKeyId = env['STRATA_TEST_S3_ACCESS_KEY_ID'];
  const secretAccessKey = env['STRATA_TEST_S3_SECRET_ACCESS_KEY'];
  if (!endpoint || !bucket || !accessKeyId || !secretAccessKey) {
    throw new Error(`${TEST_LAKE_ENV}=s3 needs STRATA_TEST_S3_ENDPOINT, STRATA_TEST_S3_BUCKET, STRATA_TEST_S3_ACCESS_KEY_ID and STRATA_TEST_S3_SECRET_ACCESS_KEY`);
  }
  return { endpoint, bucket, accessKeyId, secretAccessKey, region: env['STRATA_TEST_S3_REGION'] || 'us-east-1' };
}
