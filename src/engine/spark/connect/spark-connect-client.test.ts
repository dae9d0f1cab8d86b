// Runs the Spark Connect client against a real Spark Connect server (pip pyspark 4.0.x on Java 17).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { StrataError } from '../../../core/errors.ts';
import { sparkConnectSkipReason, startSparkConnectServer, type SparkConnectTestServer } from '../testing/spark-connect-server.ts';
import { SparkConnectClient } from './spark-connect-client.ts';

const skip = sparkConnectSkipReason();
const TOKEN = `test-${randomUUID()}`;

async function collect(result: AsyncIterable<readonly unknown[][]>): Promise<{ rows: unknown[][]; batches: number }> {
  const rows: unknown[][] = [];
  let batches = 0;
  for await (const batch of result) {
    batches++;
    rows.push(...batch);
  }
  return { rows, batches };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<StrataError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(StrataError.is(error), `expected a StrataError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

describe('SparkConnectClient against a real Spark Connect server', { skip }, () => {
  let server: SparkConnectTestServer | undefined;
  let client: SparkConnectClient;

  before(
    async () => {
      server = await startSparkConnectServer({
        token: TOKEN,
        // Make the server end each response stream after ~1 MiB without result_complete, so every
        // large result also exercises the client's ReattachExecute path.
        conf: { 'spark.connect.execute.reattachable.senderMaxStreamSize': '1m' },
      });
      console.log(`# Spark Connect server started in ${server.startupMs} ms`);
      client = SparkConnectClient.connect(`${server.url}/;token=${TOKEN};use_ssl=false;user_id=strata-test`);
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await client?.close();
    await server?.stop();
  });

  test('reports the server version', async () => {
    assert.match(await client.version(), /^4\.0\.\d+$/);
  });

  test('decodes literals of every common type losslessly', async () => {
    const result = await client.sql(`SELECT
      9007199254740993L AS big,
      CAST('12345678901234567890.1234567890' AS DECIMAL(38,10)) AS dec,
      CAST(-0.5 AS DECIMAL(38,10)) AS neg_dec,
      TIMESTAMP'2024-01-31 10:15:00.123456' AS ts,
      TIMESTAMP_NTZ'1969-12-31 23:59:59.5' AS ntz,
      DATE'2024-02-29' AS dt,
      'héllo' AS s,
      true AS b,
      NULL AS n,
      CAST(NULL AS INT) AS null_int,
      array(1, 2, NULL) AS arr,
      named_struct('a', 1, 'b', 'x', 'c', array(named_struct('z', 5L))) AS st,
      map('k1', 1, 'k2', NULL) AS m,
      X'0102FF' AS bin,
      1.5D AS dbl`);
    assert.deepEqual(
      result.columns.map((c) => `${c.name} ${c.type}`),
      [
        'big BIGINT',
        'dec DECIMAL(38,10)',
        'neg_dec DECIMAL(38,10)',
        'ts TIMESTAMP',
        'ntz TIMESTAMP_NTZ',
        'dt DATE',
        's STRING',
        'b BOOLEAN',
        'n VOID',
        'null_int INT',
        'arr ARRAY<INT>',
        'st STRUCT<a: INT, b: STRING, c: ARRAY<STRUCT<z: BIGINT>>>',
        'm MAP<STRING, INT>',
        'bin BINARY',
        'dbl DOUBLE',
      ],
    );
    const { rows } = await collect(result);
    assert.deepEqual(rows, [
      [
        9007199254740993n,
        '12345678901234567890.1234567890',
        '-0.5000000000',
        '2024-01-31 10:15:00.123456+00',
        '1969-12-31 23:59:59.5',
        '2024-02-29',
        'héllo',
        true,
        null,
        null,
        [1, 2, null],
        { a: 1, b: 'x', c: [{ z: 5n }] },
        [
          { key: 'k1', value: 1 },
          { key: 'k2', value: null },
        ],
        new Uint8Array([1, 2, 255]),
        1.5,
      ],
    ]);
  });

  test('streams a large range in many batches, resuming server-ended streams, every row once', async () => {
    const n = 1_000_000;
    const result = await client.sql(`SELECT id, id * 2 AS twice FROM range(0, ${n})`);
    assert.deepEqual(result.columns, [
      { name: 'id', type: 'BIGINT' },
      { name: 'twice', type: 'BIGINT' },
    ]);
    const { rows, batches } = await collect(result);
    assert.ok(batches > 10, `expected many batches, got ${batches}`);
    assert.equal(rows.length, n);
    rows.forEach((row, i) => {
      if (row[0] !== BigInt(i) || row[1] !== BigInt(2 * i)) assert.fail(`row ${i} is ${String(row)}`);
    });
    // 8 MB of results with a 1 MiB stream limit: the server ended the stream several times.
    assert.ok(result.execution.reattachCount >= 3, `reattached ${result.execution.reattachCount} times`);
  });

  test('an empty result still has its columns', async () => {
    const result = await client.sql('SELECT id FROM range(0, 10) WHERE id < 0');
    assert.deepEqual(result.columns, [{ name: 'id', type: 'BIGINT' }]);
    assert.deepEqual((await collect(result)).rows, []);
  });

  test('sets and reads session config', async () => {
    await client.config.set({ 'spark.sql.shuffle.partitions': '7', 'strata.test.key': 'v1' });
    assert.deepEqual(await client.config.get(['spark.sql.shuffle.partitions', 'strata.test.key', 'strata.absent.key']), {
      'spark.sql.shuffle.partitions': '7',
      'strata.test.key': 'v1',
      'strata.absent.key': undefined,
    });
    const { rows } = await collect(await client.sql("SELECT current_timestamp() IS NOT NULL, '${strata.test.key}'"));
    assert.deepEqual(rows, [[true, 'v1']]);
    await client.config.unset(['strata.test.key']);
    assert.deepEqual(await client.config.get(['strata.test.key']), { 'strata.test.key': undefined });
  });

  test('a syntax error is SQL_ERROR with the error class and SQL state', async () => {
    const error = await rejectsWith(client.sql('SELEC 1'), 'SQL_ERROR');
    assert.equal(error.details['errorClass'], 'PARSE_SYNTAX_ERROR');
    assert.equal(error.details['sqlState'], '42601');
    assert.deepEqual(error.details['messageParameters'], { error: "'SELEC'", hint: '' });
  });

  test('an unknown table is SQL_ERROR with TABLE_OR_VIEW_NOT_FOUND and the cause chain', async () => {
    const error = await rejectsWith(client.sql('SELECT * FROM strata_no_such_table'), 'SQL_ERROR');
    assert.equal(error.details['errorClass'], 'TABLE_OR_VIEW_NOT_FOUND');
    assert.equal(error.details['sqlState'], '42P01');
    const causes = error.details['causes'] as { errorClass?: string }[] | undefined;
    assert.ok(causes && causes.length >= 1, 'FetchErrorDetails returned the cause chain');
    assert.equal(causes[0]?.errorClass, 'TABLE_OR_VIEW_NOT_FOUND');
  });

  test('a runtime error while streaming surfaces as SQL_ERROR from the iteration', async () => {
    const error = await rejectsWith(
      (async () => collect(await client.sql("SELECT assert_true(id < 5, 'boom') FROM range(0, 10)")))(),
      'SQL_ERROR',
    );
    assert.match(error.message, /boom/);
  });

  const LONG_QUERY = 'SELECT count(*) FROM range(0, 200000) a CROSS JOIN range(0, 200000) b WHERE a.id + b.id = -1';

  test('interrupt(operationId) cancels a long-running query: QUERY_CANCELLED', { timeout: 120_000 }, async () => {
    const operationId = randomUUID();
    const running = client.sql(LONG_QUERY, { operationId });
    running.catch(() => undefined);
    let interrupted: string[] = [];
    for (let attempt = 0; attempt < 100 && interrupted.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      interrupted = await client.interrupt({ operationId });
    }
    assert.deepEqual(interrupted, [operationId]);
    await rejectsWith(running, 'QUERY_CANCELLED');
  });

  test('aborting the signal cancels a long-running query: QUERY_CANCELLED', { timeout: 120_000 }, async () => {
    const controller = new AbortController();
    const running = client.sql(LONG_QUERY, { signal: controller.signal });
    setTimeout(() => controller.abort(), 1_500);
    await rejectsWith(running, 'QUERY_CANCELLED');
    // The session stays usable afterwards.
    assert.deepEqual((await collect(await client.sql('SELECT 1'))).rows, [[1]]);
  });

  test('reattaches after the gRPC call is cancelled mid-stream, losing and repeating no row', async () => {
    const n = 300_000;
    const result = await client.sql(`SELECT id FROM range(0, ${n})`);
    const seen: bigint[] = [];
    let batches = 0;
    let drops = 0;
    for await (const batch of result) {
      for (const row of batch) seen.push(row[0] as bigint);
      batches++;
      if (batches === 2 || batches === 5 || batches === 9) {
        if (result.execution.dropStream()) drops++;
      }
    }
    assert.equal(drops, 3);
    assert.equal(seen.length, n);
    seen.forEach((id, i) => {
      if (id !== BigInt(i)) assert.fail(`row ${i} is ${id}`);
    });
    assert.equal(result.execution.dropResumeCount, drops);
  });

  test('a client without the token is refused: UNAUTHENTICATED', async () => {
    for (const suffix of ['', `/;token=wrong-${TOKEN};use_ssl=false`]) {
      const stranger = SparkConnectClient.connect(`${server!.url}${suffix}`);
      try {
        await rejectsWith(stranger.sql('SELECT 1'), 'UNAUTHENTICATED');
      } finally {
        await stranger.close();
      }
    }
  });

  test('cancel() ends a result early and the session keeps working', async () => {
    const result = await client.sql('SELECT id FROM range(0, 2000000)');
    for await (const batch of result) {
      assert.ok(batch.length > 0);
      break;
    }
    await result.cancel();
    assert.deepEqual((await collect(await client.sql('SELECT 2'))).rows, [[2]]);
  });

  test('an unreachable server is STORAGE_ERROR', async () => {
    const nowhere = SparkConnectClient.connect('sc://127.0.0.1:1');
    try {
      await rejectsWith(nowhere.version(), 'STORAGE_ERROR');
    } finally {
      await nowhere.close();
    }
  });
});
