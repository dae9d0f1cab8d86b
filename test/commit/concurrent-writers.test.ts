/**
 * Concurrent writers on one table, through every path a second writer can take: another Table
 * handle in the same process, another Strata home (own SQLite connection and DuckDB) on the same
 * directory, other processes — with the catalog pointer and with the catalog-free
 * ObjectStoreTableOperations. After the race: one snapshot per commit in one linear chain, the
 * union of every writer's ids exactly once, and summaries whose totals add up.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { StrataError } from '../../src/core/index.ts';
import {
  ObjectStoreTableOperations,
  Table,
  Types,
  newTableMetadata,
  snapshotById,
  type SnapshotResult,
  type TableMetadata,
} from '../../src/table/index.ts';
import {
  FAST_RETRY,
  FIELDS,
  TABLE,
  assertLinearHistory,
  assertSummaryTotals,
  homeWithTable,
  idRange,
  idSource,
  readIds,
  sorted,
} from './commit-fixtures.ts';
import type { WorkerJob } from './commit-worker.ts';
import { runTogether } from './worker-process.ts';

const WRITERS = 6;
const BATCHES = 2;
const BATCH_ROWS = 40;

/** Writer w's batch b: ids [w*1000 + b*100, +BATCH_ROWS), in partition p<w % 3>. */
function batchOf(w: number, b: number) {
  return { start: w * 1000 + b * 100, count: BATCH_ROWS, part: `p${w % 3}` };
}

function expectedIds(writers: number): number[] {
  const ids: number[] = [];
  for (let w = 0; w < writers; w++) for (let b = 0; b < BATCHES; b++) ids.push(...idRange(batchOf(w, b).start, BATCH_ROWS));
  return sorted(ids);
}

async function appendBatches(table: Table, w: number): Promise<SnapshotResult[]> {
  const results: SnapshotResult[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const { start, count, part } = batchOf(w, b);
    results.push(await table.append(idSource(start, count, part, `w${w}`)));
  }
  return results;
}

/** Every writer's commits are in the final history with the rows it added. */
function assertCommitsKept(meta: TableMetadata, snapshotIds: readonly bigint[]): void {
  assert.equal(new Set(snapshotIds).size, snapshotIds.length, 'each commit made its own snapshot');
  for (const id of snapshotIds) {
    const snapshot = snapshotById(meta, id);
    assert.equal(snapshot.summary.operation, 'append');
    assert.equal(snapshot.summary['added-records'], String(BATCH_ROWS));
  }
}

async function assertFinalState(table: Table, snapshotIds: readonly bigint[], writers: number): Promise<void> {
  const meta = await table.refresh();
  const chain = assertLinearHistory(meta, snapshotIds.length);
  assertCommitsKept(meta, snapshotIds);
  const ids = await readIds(table);
  assert.deepEqual(ids, expectedIds(writers), 'no row lost or duplicated');
  await assertSummaryTotals(table, chain, ids.length);
}

/** A catalog-free table (the object store holds the pointer) next to the home's catalog. */
async function createCatalogFreeTable(home: StrataHome): Promise<string> {
  const location = home.lake.tableUri('curated', ['free'], 'events');
  const ops = new ObjectStoreTableOperations(home.catalog.storeForUri(location), location);
  await ops.commit(undefined, newTableMetadata({ location, schema: { schemaId: 0, fields: FIELDS }, properties: FAST_RETRY }));
  return location;
}

async function catalogFreeTable(home: StrataHome, location: string): Promise<Table> {
  const ops = new ObjectStoreTableOperations(home.catalog.storeForUri(location), location);
  await ops.refresh();
  return new Table(ops, home.runtime);
}

describe('concurrent appends through the catalog', () => {
  test('Table handles from separate loadTable calls in one process lose no commit and no row', async () => {
    const home = await homeWithTable('in-process');
    try {
      const tables = await Promise.all(Array.from({ length: WRITERS }, () => home.catalog.loadTable(TABLE)));
      const results = await Promise.all(tables.map((t, w) => appendBatches(t, w)));
      await assertFinalState(tables[0]!, results.flat().map((r) => r.snapshot.snapshotId), WRITERS);
      // Manifest lists are named snap-<id>-<attempt>-…: proof that writers really lost races and retried.
      const retried = tables[0]!.snapshots().filter((s) => !/\/snap-\d+-0-[^/]+$/.test(s.manifestList));
      assert.ok(retried.length > 0, 'the writers contended (some commits needed more than one attempt)');
    } finally {
      await home.close();
    }
  });

  test('separate Strata homes opened on one directory (own SQLite connection and DuckDB each)', async () => {
    const first = await homeWithTable('homes');
    const others = await Promise.all(Array.from({ length: 2 }, () => openStrataHome(first.home)));
    try {
      const homes = [first, ...others];
      const tables = await Promise.all(homes.map((h) => h.catalog.loadTable(TABLE)));
      const results = await Promise.all(tables.map((t, w) => appendBatches(t, w)));
      await assertFinalState(tables[0]!, results.flat().map((r) => r.snapshot.snapshotId), homes.length);
    } finally {
      for (const h of others) await h.close();
      await first.close();
    }
  });

  test(`${WRITERS} processes released together lose no commit and no row`, async () => {
    const home = await homeWithTable('processes');
    try {
      const jobs: WorkerJob[] = Array.from({ length: WRITERS }, (_, w) => ({
        home: home.home,
        mode: 'catalog',
        table: TABLE,
        writer: `w${w}`,
        batches: Array.from({ length: BATCHES }, (_, b) => batchOf(w, b)),
      }));
      const results = await runTogether(jobs);
      const table = await home.catalog.loadTable(TABLE);
      await assertFinalState(table, results.flatMap((r) => r.snapshotIds.map(BigInt)), WRITERS);
      for (const r of results) {
        for (const id of r.snapshotIds) assert.equal(snapshotById(table.metadata(), BigInt(id)).summary['added-records'], String(BATCH_ROWS));
      }
    } finally {
      await home.close();
    }
  });
});

describe('concurrent appends to a catalog-free table (ObjectStoreTableOperations)', () => {
  test('in one process', async () => {
    const home = await homeWithTable('free-in-process');
    try {
      const location = await createCatalogFreeTable(home);
      const tables = await Promise.all(Array.from({ length: WRITERS }, () => catalogFreeTable(home, location)));
      const results = await Promise.all(tables.map((t, w) => appendBatches(t, w)));
      await assertFinalState(tables[0]!, results.flat().map((r) => r.snapshot.snapshotId), WRITERS);
    } finally {
      await home.close();
    }
  });

  test('across processes', async () => {
    const home = await homeWithTable('free-processes');
    try {
      const location = await createCatalogFreeTable(home);
      const writers = 4;
      const jobs: WorkerJob[] = Array.from({ length: writers }, (_, w) => ({
        home: home.home,
        mode: 'store',
        location,
        writer: `w${w}`,
        batches: Array.from({ length: BATCHES }, (_, b) => batchOf(w, b)),
      }));
      const results = await runTogether(jobs);
      const table = await catalogFreeTable(home, location);
      await assertFinalState(table, results.flatMap((r) => r.snapshotIds.map(BigInt)), writers);
    } finally {
      await home.close();
    }
  });
});

describe('concurrent changes that may conflict', () => {
  test('two schema updates adding different columns both land, with distinct field ids', async () => {
    const home = await homeWithTable('schema');
    try {
      const [a, b] = await Promise.all([home.catalog.loadTable(TABLE), home.catalog.loadTable(TABLE)]);
      await Promise.all([a!.updateSchema((u) => u.addColumn('left_note', Types.string)), b!.updateSchema((u) => u.addColumn('right_note', Types.long))]);
      const table = await home.catalog.loadTable(TABLE);
      const fields = table.schema().fields;
      const left = fields.find((f) => f.name === 'left_note');
      const right = fields.find((f) => f.name === 'right_note');
      assert.ok(left && right, `both columns are in the schema: ${fields.map((f) => f.name).join(', ')}`);
      assert.deepEqual(sorted(fields.map((f) => f.id)), [1, 2, 3, 4, 5], 'field ids are distinct and none is reused');
      assert.equal(table.metadata().lastColumnId, 5);
      assert.equal(table.metadata().schemas.length, 3, 'two schema changes, two new schemas');
      // The table stays writable and readable under the merged schema.
      await table.append({ rows: [{ id: 1n, part: 'p0', writer: 'x', left_note: 'l', right_note: 7n }] });
      assert.deepEqual(await table.read(), [{ id: '1', part: 'p0', writer: 'x', left_note: 'l', right_note: '7' }]);
    } finally {
      await home.close();
    }
  });

  test('an overwrite that started before an append to its partition fails with COMMIT_CONFLICT', async () => {
    const home = await homeWithTable('overwrite-stale');
    try {
      const seed = await home.catalog.loadTable(TABLE);
      await seed.append(idSource(0, 10, 'p0', 'seed'));
      const overwriter = await home.catalog.loadTable(TABLE);
      const appender = await home.catalog.loadTable(TABLE);
      await appender.append(idSource(100, 10, 'p0', 'appender')); // lands after the overwriter loaded the table
      await assert.rejects(overwriter.overwritePartitions(idSource(500, 5, 'p0', 'overwriter')), (error: unknown) => {
        assert.ok(StrataError.is(error, 'COMMIT_CONFLICT'), `expected COMMIT_CONFLICT, got ${String(error)}`);
        return true;
      });
      const table = await home.catalog.loadTable(TABLE);
      assert.deepEqual(await readIds(table), sorted([...idRange(0, 10), ...idRange(100, 10)]), 'the appended rows survive');
      assertLinearHistory(table.metadata(), 2);
    } finally {
      await home.close();
    }
  });

  test('racing an append and an overwrite of the same partition never deletes rows the overwrite did not see', async () => {
    const home = await homeWithTable('overwrite-race');
    try {
      const seed = await home.catalog.loadTable(TABLE);
      await seed.append(idSource(0, 10, 'p0', 'seed'));
      const outcomes = { conflict: 0, overwroteFirst: 0 };
      let commits = 1;
      for (let round = 1; round <= 4; round++) {
        const [overwriter, appender] = await Promise.all([home.catalog.loadTable(TABLE), home.catalog.loadTable(TABLE)]);
        const before = await readIds(overwriter);
        const appended = idRange(round * 1000, 10);
        const replacement = idRange(round * 1000 + 500, 5);
        const [overwrite, append] = await Promise.allSettled([
          overwriter.overwritePartitions(idSource(replacement[0]!, replacement.length, 'p0', 'overwriter')),
          appender.append(idSource(appended[0]!, appended.length, 'p0', 'appender')),
        ]);
        assert.equal(append.status, 'fulfilled', 'appends never fail on contention');
        const after = await readIds(await home.catalog.loadTable(TABLE));
        if (overwrite.status === 'rejected') {
          assert.ok(StrataError.is(overwrite.reason, 'COMMIT_CONFLICT'), `overwrite failed with ${String(overwrite.reason)}`);
          assert.deepEqual(after, sorted([...before, ...appended]), 'a failed overwrite changes nothing');
          outcomes.conflict++;
          commits += 1;
        } else {
          // The overwrite won the race: the append was re-parented on top of it and kept its rows.
          assert.deepEqual(after, sorted([...replacement, ...appended]), 'overwrite first, then the append on top');
          outcomes.overwroteFirst++;
          commits += 2;
        }
      }
      const table = await home.catalog.loadTable(TABLE);
      assertLinearHistory(table.metadata(), commits);
      assert.equal(outcomes.conflict + outcomes.overwroteFirst, 4);
    } finally {
      await home.close();
    }
  });

  test('an append and an overwrite of a different partition both succeed', async () => {
    const home = await homeWithTable('overwrite-other');
    try {
      const seed = await home.catalog.loadTable(TABLE);
      await seed.append(idSource(0, 10, 'p0', 'seed'));
      await seed.append(idSource(100, 10, 'p1', 'seed'));
      const [overwriter, appender] = await Promise.all([home.catalog.loadTable(TABLE), home.catalog.loadTable(TABLE)]);
      // The append lands first, so the overwrite must rebuild on top of it (and validate it).
      await appender.append(idSource(200, 10, 'p0', 'appender'));
      await overwriter.overwritePartitions(idSource(300, 5, 'p1', 'overwriter'));
      // And once more truly concurrently.
      const [o2, a2] = await Promise.all([home.catalog.loadTable(TABLE), home.catalog.loadTable(TABLE)]);
      await Promise.all([o2.overwritePartitions(idSource(400, 3, 'p1', 'overwriter')), a2.append(idSource(600, 10, 'p0', 'appender'))]);
      const table = await home.catalog.loadTable(TABLE);
      assert.deepEqual(await readIds(table), sorted([...idRange(0, 10), ...idRange(200, 10), ...idRange(400, 3), ...idRange(600, 10)]));
      const chain = assertLinearHistory(table.metadata(), 6);
      await assertSummaryTotals(table, chain, 33);
    } finally {
      await home.close();
    }
  });
});
