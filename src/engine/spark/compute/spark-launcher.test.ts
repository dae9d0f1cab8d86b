/**
 * The launcher against a real Spark (pip pyspark on Java 17): one transient cluster carries every
 * check, since each start costs 10–30 s on a shared 2-core machine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparkConnectClient } from '../connect/spark-connect-client.ts';
import { sparkConnectSkipReason } from '../testing/spark-connect-server.ts';
import { processAlive, processCommandLine } from './process-control.ts';
import { startSparkCluster, type SparkCluster } from './spark-launcher.ts';
import { formatSparkProperties, writeSparkPropertiesFile } from './spark-properties-file.ts';
import { withTransientSparkCluster } from './transient-cluster.ts';
import { StrataError } from '../../../core/index.ts';

const skip = sparkConnectSkipReason();

async function rowsOf(result: AsyncIterable<readonly unknown[][]>): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const batch of result) rows.push(...batch);
  return rows;
}

describe('Spark properties file', () => {
  test('escapes what java.util.Properties would misread', () => {
    assert.equal(
      formatSparkProperties({ 'spark.a': 'http://h:1/x=y', 'odd key=:': 'two\nlines\\', 'spark.b': '#not a comment' }),
      'spark.a=http://h:1/x=y\nodd\\ key\\=\\:=two\\nlines\\\\\nspark.b=#not a comment\n',
    );
  });

  test('should not be readable by other users (mode 0600), even when it replaces a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-props-'));
    try {
      const path = join(dir, 'spark.properties');
      writeSparkPropertiesFile(path, { 'spark.x': 'old' });
      writeSparkPropertiesFile(path, { 'spark.sql.catalog.strata.token': 'secret' });
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(readFileSync(path, 'utf8'), 'spark.sql.catalog.strata.token=secret\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startSparkCluster refuses bad sizes before starting anything', () => {
  for (const [options, key] of [
    [{ memory: '2gb' }, 'memory'],
    [{ memory: '0g' }, 'memory'],
    [{ cores: 0 }, 'cores'],
    [{ cores: 1.5 }, 'cores'],
  ] as const) {
    test(`${JSON.stringify(options)}`, async () => {
      await assert.rejects(startSparkCluster(options), (error: unknown) => StrataError.is(error, 'INVALID_ARGUMENT') && key in error.details);
    });
  }
});

describe('withTransientSparkCluster on a real Spark', { skip }, () => {
  const CATALOG_TOKEN = `catalog-secret-${process.pid}-${Date.now()}`;
  const CONNECT_TOKEN = `connect-secret-${process.pid}`;

  test('serves SQL with the configured cores, memory and lake catalog, hides secrets, and is gone after fn throws', { timeout: 240_000 }, async () => {
    let seen: SparkCluster | undefined;
    const failure = new Error('the job failed');
    await assert.rejects(
      withTransientSparkCluster(
        {
          cores: 1,
          memory: '700m',
          connectToken: CONNECT_TOKEN,
          // Spark contacts the catalog only when a query names it, so no server is needed here.
          lakeCatalog: { restUri: 'http://127.0.0.1:9/strata', token: CATALOG_TOKEN },
        },
        async (url, cluster) => {
          seen = cluster;
          assert.equal(url, `${cluster.url}/;token=${CONNECT_TOKEN};use_ssl=false`);
          const client = SparkConnectClient.connect(url);
          try {
            assert.deepEqual(await rowsOf(await client.sql('SELECT 1 AS one')), [[1]]);
            const conf = await client.config.get(['spark.master', 'spark.driver.memory', 'spark.jars', 'spark.sql.catalog.strata.uri', 'spark.sql.catalog.strata.type']);
            assert.equal(conf['spark.master'], 'local[1]');
            assert.equal(conf['spark.driver.memory'], '700m');
            assert.match(conf['spark.jars'] ?? '', /iceberg-spark-runtime-4\.0_2\.13-1\.10\.1\.jar$/);
            assert.equal(conf['spark.sql.catalog.strata.uri'], 'http://127.0.0.1:9/strata');
            assert.equal(conf['spark.sql.catalog.strata.type'], 'rest');
          } finally {
            await client.close();
          }
          const cmdline = processCommandLine(cluster.pid);
          if (cmdline !== undefined) {
            assert.ok(cmdline.includes('SparkConnectServer'), 'the pid is the Spark JVM');
            assert.ok(!cmdline.includes(CATALOG_TOKEN), 'the catalog token is not on the command line');
            assert.ok(!cmdline.includes(CONNECT_TOKEN), 'the Spark Connect token is not on the command line');
          }
          assert.equal(existsSync(join(cluster.dir, 'spark-conf.properties')), false, 'the properties file with the token is deleted once Spark listens');
          throw failure;
        },
      ),
      (error: unknown) => error === failure,
    );
    assert.ok(seen !== undefined);
    assert.equal(processAlive(seen.pid), false, 'the cluster is stopped after fn threw');
    assert.equal(existsSync(seen.dir), false, 'its temp dir is removed');
  });
});
