/**
 * The one place lake-backed table tests get their lake from, so the same test files run on the
 * local filesystem lake (the default) and, in the S3 pass of scripts/run-tests.mjs
 * (`STRATA_TEST_LAKE=s3`, see src/storage/testing/s3-test-env.ts), on a real S3-compatible server.
 *
 * The runner puts every test file that imports this module (or table-fixture.ts, which does) into
 * the S3 pass. A test that needs a local path (file permissions, DuckDB reading a file by name)
 * does not belong on this fixture.
 *
 * @example
 *   const store = testLakeStore(dir, 'orders');                       // a table-plane test
 *   const home = await openStrataHome(dir, {}, { lake: testLakeOptions('events') });
 *
 * Gotcha: on S3 each call gets its own random key prefix in the shared bucket (nothing is deleted
 * afterwards: the pass's server and its data are thrown away at the end); close a store from
 * `testLakeStore` with `closeLakeStore`.
 */
import { randomBytes } from 'node:crypto';
import { openLakeStore, type LakeStoreOptions, type ObjectStore } from '../../storage/index.ts';
import { s3TestConnectionFromEnv } from '../../storage/testing/s3-test-env.ts';

const connection = s3TestConnectionFromEnv();

/** Which lake this process's lake-backed tests run on. */
export const TEST_LAKE: 'local' | 's3' = connection === undefined ? 'local' : 's3';

/** `openStrataHome`'s `lake` option: the home's own lake locally, a fresh prefix of the test bucket on S3. */
export function testLakeOptions(label: string): LakeStoreOptions {
  if (connection === undefined) return {};
  return {
    uri: `s3://${connection.bucket}/${label}-${randomBytes(6).toString('hex')}`,
    s3: {
      endpoint: connection.endpoint,
      region: connection.region,
      forcePathStyle: true,
      credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey },
    },
  };
}

/** A lake store: `<dir>/lake` locally, a fresh prefix of the test bucket on S3. */
export function testLakeStore(dir: string, label: string): ObjectStore {
  return openLakeStore(dir, testLakeOptions(label));
}
