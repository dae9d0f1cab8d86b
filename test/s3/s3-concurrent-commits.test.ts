/**
 * Put-if-absent commits on a real S3-compatible server (S3Proxy on loopback): 8 writers, each with
 * its own S3 client and DuckDB-backed Table handle, append to one table at once. For a catalog-free
 * table (ObjectStoreTableOperations) the conditional PUT of `metadata/v<N+1>.metadata.json` is the
 * only thing standing between the writers, so a server that ignored `If-None-Match: *` would lose
 * commits here. Afterwards: one snapshot per commit in one linear chain, every row exactly once.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { S3ObjectStore } from '../../src/storage/index.ts';
import { ObjectStoreTableOperations, Table, newTableMetadata, snapshotById, type SnapshotResult } from '../../src/table/index.ts';
import { s3ForTests } from '../../src/storage/testing/s3-test-server.ts';
import { FAST_RETRY, FIELDS, TABLE, assertLinearHistory, assertSummaryTotals, idRange, idSource, readIds, sorted } from '../commit/commit-fixtures.ts';
import { listKeys, openS3Lake, type S3Lake } from './s3-lake.ts';

const s3 = await s3ForTests();
after(() => s3.server?.stop());

const WRITERS = 8;
const BATCHES = 2;
const BATCH_ROWS = 20;

function batchOf(w: number, b: number) {
  return { start: w * 1000 + b * 100, part: `p${w % 3}` };
}

function expectedIds(): number[] {
  const ids: number[] = [];
  for (let w = 0; w < WRITERS; w++) for (let b = 0; b < BATCHES; b++) ids.push(...idRange(batchOf(w, b).start, BATCH_ROWS));
  return sorted(ids);
}

async function appendBatches(table: Table, w: number): Promise<SnapshotResult[]> {
  const results: SnapshotResult[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const { start, part } = batchOf(w, b);
    results.push(await table.append(idSource(start, BATCH_ROWS, part, `w${w}`)));
  }
  return results;
}

async function assertNoCommitLost(table: Table, results: readonly SnapshotResult[]): Promise<void> {
  const meta = await table.refresh();
  const chain = assertLinearHistory(meta, WRITERS * BATCHES);
  for (const r of results) assert.equal(snapshotById(meta, r.snapshot.snapshotId).summary['added-records'], String(BATCH_ROWS));
  assert.deepEqual(await readIds(table), expectedIds(), 'no row lost or duplicated');
  await assertSummaryTotals(table, chain, WRITERS * BATCHES * BATCH_ROWS);
  // Manifest lists are named snap-<id>-<attempt>-…: proof that the writers really collided and retried.
  const retried = meta.snapshots.filter((s) => !/\/snap-\d+-0-[^/]+$/.test(s.manifestList));
  assert.ok(retried.length > 0, 'the writers contended (some commits needed more than one attempt)');
}

describe(`${WRITERS} concurrent writers on an S3 lake`, { skip: s3.skip }, () => {
  const server = s3.server!;

  test('catalog-free table: the conditional PUT of the next metadata version lets exactly one writer win each version', async () => {
    const lake: S3Lake = await openS3Lake(server, 'free');
    const writerStores = Array.from({ length: WRITERS }, () => new S3ObjectStore(server.storeConfig(lake.store.prefix)));
    try {
      const location = lake.catalog.lake.tableUri('curated', ['free'], 'events');
      await new ObjectStoreTableOperations(lake.store, location).commit(
        undefined,
        newTableMetadata({ location, schema: { schemaId: 0, fields: FIELDS }, properties: FAST_RETRY }),
      );
      const tables = await Promise.all(
        writerStores.map(async (store) => {
          const ops = new ObjectStoreTableOperations(store, location);
          await ops.refresh();
          return new Table(ops, lake.runtime);
        }),
      );
      const results = (await Promise.all(tables.map((t, w) => appendBatches(t, w)))).flat();
      await assertNoCommitLost(tables[0]!, results);

      // One metadata version per commit (plus the creation), none skipped, none written twice.
      const versions = (await listKeys(lake.store, 'curated/free.db/events/metadata/'))
        .flatMap((k) => /\/v(\d+)\.metadata\.json$/.exec(k)?.slice(1) ?? [])
        .map(Number)
        .sort((a, b) => a - b);
      assert.deepEqual(versions, idRange(1, WRITERS * BATCHES + 1));
    } finally {
      for (const store of writerStores) store.client.destroy();
      await lake.close();
    }
  });

  test('catalog table: writers with separate Table handles lose no commit and no row', async () => {
    const lake = await openS3Lake(server, 'catalog');
    try {
      await lake.catalog.createNamespace(['db']);
      await lake.catalog.createTable(TABLE, FIELDS, { partitionBy: [{ source: 'part', transform: 'identity' }], properties: FAST_RETRY });
      const tables = await Promise.all(Array.from({ length: WRITERS }, () => lake.catalog.loadTable(TABLE)));
      const results = (await Promise.all(tables.map((t, w) => appendBatches(t, w)))).flat();
      await assertNoCommitLost(tables[0]!, results);
    } finally {
      await lake.close();
    }
  });
});
