/**
 * The table layer on an S3 lake: a catalog whose LakeLayout root is an S3ObjectStore on a real
 * S3-compatible server (S3Proxy on loopback). Appends, partition overwrites, time travel and
 * filtered scans must work exactly as on the local lake, with every table file in the bucket and
 * DuckDB reading the Parquet data files Strata fetched from S3.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Expressions } from '../../src/table/index.ts';
import { s3ForTests } from '../../src/storage/testing/s3-test-server.ts';
import { FAST_RETRY, FIELDS, assertLinearHistory, assertSummaryTotals, idRange, idSource, readIds, sorted } from '../commit/commit-fixtures.ts';
import { listKeys, openS3Lake } from './s3-lake.ts';

const s3 = await s3ForTests();
after(() => s3.server?.stop());

const TABLE = 'db.events';

describe('Iceberg tables on an S3 lake', { skip: s3.skip }, () => {
  const server = s3.server!;

  test('append, overwrite a partition, time travel and filtered reads, with every file in the bucket', async () => {
    const lake = await openS3Lake(server, 'tables');
    try {
      await lake.catalog.createNamespace(['db']);
      const created = await lake.catalog.createTable(TABLE, FIELDS, {
        partitionBy: [{ source: 'part', transform: 'identity' }],
        properties: FAST_RETRY,
      });
      const location = created.metadata().location;
      assert.equal(location, lake.store.uri('curated/db.db/events'), 'the table lives in the S3 lake');
      assert.match(location, /^s3:\/\/strata-test\//);

      const table = await lake.catalog.loadTable(TABLE);
      const first = await table.append(idSource(0, 50, 'p0', 'a'));
      await table.append(idSource(100, 50, 'p1', 'a'));
      const overwrite = await table.overwritePartitions(idSource(500, 10, 'p0', 'b'));
      assert.equal(overwrite.snapshot.summary.operation, 'overwrite');

      const expected = sorted([...idRange(100, 50), ...idRange(500, 10)]);
      assert.deepEqual(await readIds(table), expected, 'p0 replaced, p1 kept');
      assert.deepEqual(await readIds(table, { snapshotId: first.snapshot.snapshotId }), idRange(0, 50), 'time travel to the first append');
      assert.deepEqual(await readIds(table, { filter: Expressions.equal('part', 'p1') }), idRange(100, 50));
      const pruned = await table.scan({ filter: Expressions.equal('part', 'p1') }).planFiles();
      assert.ok(pruned.tasks.length > 0 && pruned.tasks.every((t) => t.file.partition[0] === 'p1'), 'partition pruning on S3 manifests');

      const meta = await table.refresh();
      const chain = assertLinearHistory(meta, 3);
      await assertSummaryTotals(table, chain, expected.length);

      // Every file the table references is an object in the bucket, and nothing else is needed.
      const keys = new Set(await listKeys(lake.store, 'curated/db.db/events/'));
      const plan = await table.scan().planFiles();
      for (const task of plan.tasks) {
        assert.match(task.file.filePath, /^s3:\/\//);
        assert.ok(keys.has(lake.store.keyFromUri(task.file.filePath)!), `${task.file.filePath} is in the bucket`);
      }
      assert.ok([...keys].some((k) => /\/data\/.*\.parquet$/.test(k)), 'Parquet data files');
      assert.ok([...keys].some((k) => /\/metadata\/.*\.avro$/.test(k)), 'Avro manifests and manifest lists');
      assert.ok([...keys].some((k) => /\/metadata\/.*\.metadata\.json$/.test(k)), 'metadata JSON');
    } finally {
      await lake.close();
    }
  });

  test('a second catalog with its own DuckDB and an empty file cache reads the same rows from S3', async () => {
    const lake = await openS3Lake(server, 'reopen');
    try {
      await lake.catalog.createNamespace(['db']);
      await lake.catalog.createTable(TABLE, FIELDS, { partitionBy: [{ source: 'part', transform: 'identity' }], properties: FAST_RETRY });
      const writer = await lake.catalog.loadTable(TABLE);
      await writer.append({ rows: [{ id: 1n, part: 'p0', writer: 'x' }, { id: 2n, part: 'p1', writer: null }] });
      await writer.append(idSource(10, 5, 'p1', 'y'));

      const other = await lake.reopen();
      try {
        const reader = await other.catalog.loadTable(TABLE);
        assert.deepEqual(await readIds(reader), [1, 2, 10, 11, 12, 13, 14]);
        const rows = await reader.read({ filter: Expressions.equal('id', 2) });
        assert.deepEqual(rows, [{ id: '2', part: 'p1', writer: null }]);
        // And the reader's commits are visible to the first catalog.
        await reader.overwritePartitions(idSource(900, 3, 'p1', 'z'));
        assert.deepEqual(await readIds(await lake.catalog.loadTable(TABLE)), [1, 900, 901, 902]);
      } finally {
        await other.close();
      }
    } finally {
      await lake.close();
    }
  });
});
