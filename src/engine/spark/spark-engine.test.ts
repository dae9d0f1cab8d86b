import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { freePort } from '../../core/index.ts';
import { startTestServer, type TestServer } from '../../server/testing/test-server.ts';
import { SparkEngine } from './spark-engine.ts';
import { sparkConnectSkipReason, startSparkConnectServer, type SparkConnectTestServer } from './testing/spark-connect-server.ts';

interface RestSnapshot {
  'snapshot-id': number;
  'parent-snapshot-id'?: number;
  summary: Record<string, string>;
}
interface RestMetadata {
  'current-snapshot-id'?: number;
  snapshots?: RestSnapshot[];
  refs?: Record<string, { 'snapshot-id': number; type: string }>;
}

async function rejection(promise: Promise<unknown>): Promise<StrataError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StrataError, `expected a StrataError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('SparkEngine', { skip: sparkConnectSkipReason() }, () => {
  let rest: TestServer;
  let spark: SparkConnectTestServer;
  let engine: SparkEngine;

  const rows = async (sql: string): Promise<unknown[][]> => {
    const out: unknown[][] = [];
    for await (const batch of await engine.query(sql)) out.push(...batch);
    return out;
  };

  /** The table as Strata's own catalog holds it (Iceberg REST loadTable with the admin token). */
  const metadata = async (table: string): Promise<RestMetadata> => {
    const response = await fetch(`${rest.server.url}/v1/namespaces/db/tables/${table}`, { headers: { authorization: `Bearer ${rest.adminToken}` } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { metadata: RestMetadata }).metadata;
  };
  const headOf = (meta: RestMetadata, ref: string): RestSnapshot => {
    const id = meta.refs?.[ref]?.['snapshot-id'];
    const snapshot = meta.snapshots?.find((s) => s['snapshot-id'] === id);
    assert.ok(snapshot, `no snapshot for ref ${ref}`);
    return snapshot;
  };

  before(
    async () => {
      rest = await startTestServer();
      spark = await startSparkConnectServer({ lakeCatalog: { restUri: rest.server.url, token: rest.adminToken } });
      engine = await SparkEngine.connect({ url: spark.url });
      await rows('CREATE NAMESPACE strata.db');
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await engine?.close();
    await spark?.stop();
    await rest?.close();
  });

  test('connect sets ANSI mode, double-quoted identifiers and UTC', async () => {
    assert.deepEqual(await rows('SELECT "a", current_timezone() FROM (SELECT 1 AS a)'), [[1, 'UTC']]);
    const conf = await engine.client.config.get(['spark.sql.ansi.enabled', 'spark.sql.ansi.doubleQuotedIdentifiers']);
    assert.deepEqual(conf, { 'spark.sql.ansi.enabled': 'true', 'spark.sql.ansi.doubleQuotedIdentifiers': 'true' });
  });

  test('connect fails with ENGINE_UNAVAILABLE when the lake catalog is not configured', async () => {
    const error = await rejection(SparkEngine.connect({ url: spark.url, lakeCatalog: 'lake' }));
    assert.equal(error.code, 'ENGINE_UNAVAILABLE');
    assert.match(error.message, /spark\.sql\.catalog\.lake/);
  });

  test('connect fails with ENGINE_UNAVAILABLE when nothing listens', async () => {
    const error = await rejection(SparkEngine.connect({ url: `sc://127.0.0.1:${await freePort()}` }));
    assert.equal(error.code, 'ENGINE_UNAVAILABLE');
  });

  test('query returns values of several types with their Spark type names', async () => {
    const result = await engine.query(
      "SELECT 1 AS i, CAST(2 AS BIGINT) AS l, CAST('12.30' AS DECIMAL(10, 2)) AS d, 'x' AS s, true AS b, " +
        "DATE '2024-01-31' AS dt, TIMESTAMP '2024-01-31 10:15:00' AS ts, CAST(NULL AS INT) AS n, 1.5D AS f",
    );
    assert.deepEqual(
      result.columns.map((c) => c.name),
      ['i', 'l', 'd', 's', 'b', 'dt', 'ts', 'n', 'f'],
    );
    assert.equal(result.columns[2]?.type, 'DECIMAL(10,2)');
    const all: unknown[][] = [];
    for await (const batch of result) all.push(...batch);
    assert.deepEqual(all, [[1, 2n, '12.30', 'x', true, '2024-01-31', '2024-01-31 10:15:00+00', null, 1.5]]);
  });

  test('batchRows re-cuts Spark batches into batches of that many rows', async () => {
    const result = await engine.query('SELECT id FROM range(0, 1000, 1, 3)', { batchRows: 64 });
    const sizes: number[] = [];
    const ids: unknown[] = [];
    for await (const batch of result) {
      sizes.push(batch.length);
      ids.push(...batch.map((r) => r[0]));
    }
    assert.deepEqual(sizes, [...Array<number>(15).fill(64), 40]);
    assert.deepEqual(ids, Array.from({ length: 1000 }, (_, i) => BigInt(i)));
  });

  // Sleeps in a task (no CPU, no memory): the machine running the tests stays free.
  const slowQuery = "SELECT reflect('java.lang.Thread', 'sleep', CAST(120000 AS BIGINT))";

  test('timeoutMs cancels a running query with QUERY_TIMEOUT and the session stays usable', async () => {
    const error = await rejection(
      (async () => {
        for await (const batch of await engine.query(slowQuery, { timeoutMs: 1_500 })) void batch;
      })(),
    );
    assert.equal(error.code, 'QUERY_TIMEOUT');
    assert.equal(error.details['timeoutMs'], 1_500);
    assert.deepEqual(await rows('SELECT 41 + 1'), [[42]]);
  });

  test('an abort signal cancels with QUERY_CANCELLED, before or while running', async () => {
    const aborted = new AbortController();
    aborted.abort();
    assert.equal((await rejection(engine.query('SELECT 1', { signal: aborted.signal }))).code, 'QUERY_CANCELLED');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_000);
    const error = await rejection(
      (async () => {
        for await (const batch of await engine.query(slowQuery, { signal: controller.signal })) void batch;
      })(),
    );
    assert.equal(error.code, 'QUERY_CANCELLED');
    assert.deepEqual(await rows('SELECT 2'), [[2]]);
  });

  describe('writeTable', () => {
    before(async () => {
      await rows('CREATE TABLE strata.db.events (id BIGINT, part STRING) USING iceberg PARTITIONED BY (part)');
    });
    const contents = (ref = ''): Promise<unknown[][]> => rows(`SELECT id, part FROM strata.db.events${ref} ORDER BY id`);

    test('append matches columns by position and puts the snapshot properties in the summary', async () => {
      await engine.writeTable({
        database: 'db',
        table: 'events',
        sourceSql: "SELECT 1 AS x, 'a' AS y UNION ALL SELECT 2, 'b'",
        mode: 'append',
        snapshotProperties: { 'strata.write-id': 'w-1', 'strata.pipeline.run': 'r-1' },
      });
      assert.deepEqual(await contents(), [[1n, 'a'], [2n, 'b']]);
      const head = headOf(await metadata('events'), 'main');
      assert.equal(head.summary['operation'], 'append');
      assert.equal(head.summary['strata.write-id'], 'w-1');
      assert.equal(head.summary['strata.pipeline.run'], 'r-1');
    });

    test('overwrite-partitions replaces only the partitions the rows fall in', async () => {
      await engine.writeTable({ database: 'db', table: 'events', sourceSql: "SELECT 3, 'a'", mode: 'overwrite-partitions', snapshotProperties: { 'strata.write-id': 'w-2' } });
      assert.deepEqual(await contents(), [[2n, 'b'], [3n, 'a']]);
      const head = headOf(await metadata('events'), 'main');
      assert.equal(head.summary['strata.write-id'], 'w-2');
      assert.equal(head.summary['replace-partitions'], 'true');
    });

    test('a write to a missing branch creates it from main and leaves main alone', async () => {
      const mainBefore = headOf(await metadata('events'), 'main');
      await engine.writeTable({ database: 'db', table: 'events', branch: 'audit-1', sourceSql: "SELECT 4, 'c'", mode: 'append', snapshotProperties: { 'strata.write-id': 'w-3' } });
      const meta = await metadata('events');
      const branchHead = headOf(meta, 'audit-1');
      assert.equal(branchHead['parent-snapshot-id'], mainBefore['snapshot-id']);
      assert.equal(branchHead.summary['strata.write-id'], 'w-3');
      assert.equal(headOf(meta, 'main')['snapshot-id'], mainBefore['snapshot-id']);
      assert.deepEqual(await contents(" VERSION AS OF 'audit-1'"), [[2n, 'b'], [3n, 'a'], [4n, 'c']]);
      assert.deepEqual(await contents(), [[2n, 'b'], [3n, 'a']]);
      // The branch exists now: a second write goes on top of the first.
      await engine.writeTable({ database: 'db', table: 'events', branch: 'audit-1', sourceSql: "SELECT 5, 'c'", mode: 'overwrite-partitions' });
      assert.deepEqual(await contents(" VERSION AS OF 'audit-1'"), [[2n, 'b'], [3n, 'a'], [5n, 'c']]);
    });

    test('overwrite replaces every row', async () => {
      await engine.writeTable({ database: 'db', table: 'events', sourceSql: "SELECT 9, 'z'", mode: 'overwrite', snapshotProperties: { 'strata.write-id': 'w-4' } });
      assert.deepEqual(await contents(), [[9n, 'z']]);
      const head = headOf(await metadata('events'), 'main');
      assert.equal(head.summary['operation'], 'overwrite');
      assert.equal(head.summary['strata.write-id'], 'w-4');
    });

    test('an error in the source SQL is positioned in that SQL', async () => {
      const sourceSql = "SELECT idd, 'a' FROM (SELECT 1 AS idx)";
      const error = await rejection(engine.writeTable({ database: 'db', table: 'events', sourceSql, mode: 'append' }));
      assert.equal(error.code, 'SQL_ERROR');
      assert.equal(error.details['column'], 'idd');
      assert.equal(error.details['position'], sourceSql.indexOf('idd'));
    });

    test('a write into a missing table is TABLE_NOT_FOUND', async () => {
      const error = await rejection(engine.writeTable({ database: 'db', table: 'missing', sourceSql: 'SELECT 1', mode: 'append' }));
      assert.equal(error.code, 'TABLE_NOT_FOUND');
    });

    test('a source with the wrong number of columns is a SQL_ERROR', async () => {
      const error = await rejection(engine.writeTable({ database: 'db', table: 'events', sourceSql: 'SELECT 1', mode: 'append' }));
      assert.match(error.message, /gives 1 column\(s\) for the table's 2 \(id, part\)/);
      assert.equal(error.code, 'SQL_ERROR');
    });
  });

  describe('errors take the DuckDB engine’s shape', () => {
    test('an unknown column names the column, Spark’s suggestion and the position', async () => {
      const sql = 'SELECT idd FROM (SELECT 1 AS idx)';
      const error = await rejection(engine.query(sql));
      assert.equal(error.code, 'SQL_ERROR');
      assert.equal(error.message, 'Column "idd" does not exist; did you mean "idx"?');
      assert.equal(error.details['column'], 'idd');
      assert.equal(error.details['suggestion'], 'idx');
      assert.equal(error.details['position'], 7);
      assert.equal(error.details['errorClass'], 'UNRESOLVED_COLUMN.WITH_SUGGESTION');
      assert.equal(error.details['sqlState'], '42703');
    });

    test('division by zero fails under ANSI mode, with its position', async () => {
      const sql = 'SELECT 10 / (id - id) FROM range(1)';
      const error = await rejection(rows(sql));
      assert.equal(error.code, 'SQL_ERROR');
      assert.equal(error.details['errorClass'], 'DIVIDE_BY_ZERO');
      assert.equal(error.details['position'], sql.indexOf('10 /'));
      assert.match(error.message, /^\[DIVIDE_BY_ZERO\] Division by zero\..* \(at position 7: "10 \/ \(id - id\) FROM range\(1\)"\)$/);
    });

    test('a failed cast is a SQL_ERROR', async () => {
      const error = await rejection(rows("SELECT CAST('x' AS INT)"));
      assert.equal(error.code, 'SQL_ERROR');
      assert.equal(error.details['errorClass'], 'CAST_INVALID_INPUT');
      assert.equal(error.details['position'], 7);
    });

    test('a syntax error carries the position of the offending token, across lines', async () => {
      const sql = 'SELECT 1,\n  2 +* 3';
      const error = await rejection(engine.query(sql));
      assert.equal(error.code, 'SQL_ERROR');
      assert.equal(error.details['errorClass'], 'PARSE_SYNTAX_ERROR');
      assert.equal(error.details['position'], sql.lastIndexOf('3'));
    });
  });
});
