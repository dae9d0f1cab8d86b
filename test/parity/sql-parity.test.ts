/**
 * The SQL suite, written once and run on both engines: every statement goes through a Strata
 * `SqlSession`, and each test asserts the same rows (and the same error codes and messages) on
 * DuckDB and on Spark. On Spark the tables are read and written by Spark itself through Strata's
 * Iceberg REST catalog, so these tests are also the Strata ⇄ Spark interop tests: what one engine
 * commits, the other (and Strata's own table plane) reads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { StrataError } from '../../src/core/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { ENGINES, shutdownEngines, type OpenedEngine } from '../../src/sql/testing/engines-under-test.ts';

after(() => shutdownEngines());

async function rows(session: SqlSession, sql: string): Promise<unknown[][]> {
  const result = await session.execute(sql);
  if (result.kind !== 'rows') return [[result.message]];
  const out: unknown[][] = [];
  for await (const batch of result.rows) out.push(...batch);
  return out;
}

async function failure(session: SqlSession, sql: string): Promise<StrataError> {
  try {
    await rows(session, sql);
  } catch (error) {
    if (error instanceof StrataError) return error;
    throw error;
  }
  assert.fail(`expected ${sql} to fail`);
}

for (const candidate of ENGINES) {
  describe(`SQL on ${candidate.name}`, { skip: candidate.skip, timeout: 600_000 }, () => {
    let dir: string;
    let home: StrataHome;
    let opened: OpenedEngine;
    let session: SqlSession;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `strata-parity-${candidate.name}-`));
      home = await openStrataHome(dir, { threads: 1 });
      opened = await candidate.open(home);
      session = await SqlSession.open({ catalog: home.catalog, engine: opened.engine });
      await session.execute('CREATE DATABASE sales');
      await session.execute('CREATE TABLE sales.orders (id BIGINT, region VARCHAR, amount DECIMAL(10,2), ts TIMESTAMPTZ) PARTITIONED BY (day(ts))');
      await session.execute(`INSERT INTO sales.orders VALUES
        (1, 'eu', 10.50, TIMESTAMPTZ '2024-03-01 10:00:00+00'),
        (2, 'us', 20.25, TIMESTAMPTZ '2024-03-01 11:00:00+00'),
        (3, 'eu', 5.00, TIMESTAMPTZ '2024-03-02 09:30:00+00')`);
    }, { timeout: 300_000 });

    after(async () => {
      await session?.close();
      await opened?.close();
      await home?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('queries return the same values in the same JS forms (bigint, exact decimals, UTC timestamps)', async () => {
      assert.deepEqual(await rows(session, 'SELECT id, region, amount, ts FROM sales.orders ORDER BY id'), [
        [1n, 'eu', '10.50', '2024-03-01 10:00:00+00'],
        [2n, 'us', '20.25', '2024-03-01 11:00:00+00'],
        [3n, 'eu', '5.00', '2024-03-02 09:30:00+00'],
      ]);
      assert.deepEqual(await rows(session, 'SELECT region, count(*) AS n, sum(amount) AS total FROM sales.orders GROUP BY region ORDER BY region'), [
        ['eu', 2n, '15.50'],
        ['us', 1n, '20.25'],
      ]);
    });

    test('string literals and quoted identifiers mean the same on both engines', async () => {
      assert.deepEqual(await rows(session, `SELECT 'it''s' AS "we""ird", 'C:\\temp\\new' AS path, CAST(length('a\\b') AS BIGINT) AS n`), [["it's", 'C:\\temp\\new', 3n]]);
    });

    test('INSERT … SELECT with a column list writes NULL for the columns it leaves out', async () => {
      await session.execute(`INSERT INTO sales.orders (id, ts) SELECT 100 + id, ts FROM sales.orders WHERE region = 'us'`);
      assert.deepEqual(await rows(session, 'SELECT id, region, amount FROM sales.orders WHERE id > 100'), [[102n, null, null]]);
    });

    test('CREATE TABLE … AS creates a partitioned table whose rows and spec Strata reads back', async () => {
      const result = await session.execute("CREATE TABLE sales.eu_orders PARTITIONED BY (bucket(4, id)) AS SELECT id, amount FROM sales.orders WHERE region = 'eu'");
      assert.equal(result.kind, 'ok');
      const table = await home.catalog.loadTable('sales.eu_orders');
      assert.deepEqual(table.spec().fields.map((f) => f.transform), ['bucket[4]']);
      assert.ok(table.metadata().currentSnapshotId !== null, 'the CTAS committed a snapshot');
      // Strata's own table plane reads what the engine wrote.
      const read = (await table.scan().toRows()).map((r) => Number(r['id'])).sort();
      assert.deepEqual(read, [1, 3]);
      assert.deepEqual(await rows(session, 'SELECT id, amount FROM sales.eu_orders ORDER BY id'), [
        [1n, '10.50'],
        [3n, '5.00'],
      ]);
    });

    test('INSERT OVERWRITE replaces only the partitions it writes; time travel still reads the old rows', async () => {
      const before = (await home.catalog.loadTable('sales.orders')).metadata().currentSnapshotId;
      const result = await session.execute(`INSERT OVERWRITE sales.orders SELECT 9, 'eu', 99.99, TIMESTAMPTZ '2024-03-02 12:00:00+00'`);
      assert.ok(result.kind === 'ok' && typeof result.snapshotId === 'bigint', 'the write reports its snapshot');
      const table = await home.catalog.loadTable('sales.orders');
      assert.equal(table.metadata().currentSnapshotId, result.snapshotId);
      assert.deepEqual(await rows(session, "SELECT id FROM sales.orders WHERE id < 100 ORDER BY id"), [[1n], [2n], [9n]]);
      assert.deepEqual(await rows(session, `SELECT id FROM sales.orders FOR VERSION AS OF ${String(before)} WHERE id < 100 ORDER BY id`), [[1n], [2n], [3n]]);
      const snapshots = await rows(session, 'SELECT count(*) FROM sales.orders$snapshots');
      assert.equal(snapshots[0]?.[0], BigInt(table.metadata().snapshots.length));
    });

    test("snapshot ids survive the REST catalog's JSON exactly (Spark's random ids are above 2^53)", async () => {
      const strataIds = (await home.catalog.loadTable('sales.orders')).metadata().snapshots.map((s) => s.snapshotId).sort();
      const viaEngine = (await rows(session, 'SELECT snapshot_id FROM sales.orders$snapshots')).map((r) => r[0] as bigint).sort();
      assert.deepEqual(viaEngine, strataIds);
      if (candidate.name !== 'spark') return;
      // Spark's own view of the same table, read through the REST catalog: the same ids, to the last digit.
      const result = await opened.engine.query('SELECT snapshot_id FROM strata.sales.orders.snapshots');
      const sparkIds: bigint[] = [];
      for await (const batch of result) for (const row of batch) sparkIds.push(row[0] as bigint);
      assert.deepEqual(sparkIds.sort(), strataIds);
      assert.ok(strataIds.some((id) => id > 2n ** 53n), 'at least one id is above 2^53');
    });

    test('errors have the same codes and messages on both engines', async () => {
      const column = await failure(session, 'SELECT amout FROM sales.orders');
      assert.equal(column.code, 'SQL_ERROR');
      assert.match(column.message, /Column "amout" does not exist/);
      assert.equal(column.details['suggestion'], 'amount');
      const table = await failure(session, 'SELECT * FROM sales.ordrs');
      assert.equal(table.code, 'TABLE_NOT_FOUND');
      assert.equal(table.details['suggestion'], 'sales.orders');
      const cast = await failure(session, "SELECT CAST('abc' AS INTEGER)");
      assert.equal(cast.code, 'SQL_ERROR');
    });
  });
}
