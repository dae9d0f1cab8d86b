/**
 * A writer SIGKILLed at each step of a commit (data files → manifest → manifest list → metadata
 * file → pointer swap). Whatever the step, the table must still read exactly its previous snapshot
 * with valid metadata, and the next commit from a fresh process must succeed. The kill comes from
 * a KillSwitchStore inside the child (no test hooks in src/); each test also checks that the child
 * really died at that point, so a hook that never fires cannot pass as "nothing broke".
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StrataHome } from '../../src/catalog/index.ts';
import { ObjectStoreTableOperations, Table, TARGET_FILE_SIZE, newTableMetadata, readMetadataFile } from '../../src/table/index.ts';
import { FAST_RETRY, FIELDS, TABLE, assertLinearHistory, assertSummaryTotals, homeWithTable, idRange, idSource, readIds, sorted } from './commit-fixtures.ts';
import type { WorkerJob } from './commit-worker.ts';
import type { KillPoint } from './kill-switch-store.ts';
import { resultOf, startWorker } from './worker-process.ts';

interface Scenario {
  readonly name: string;
  readonly kill: KillPoint;
  /** Which files the dead writer must have left behind (proof it got that far). */
  readonly leftBehind: RegExp;
  readonly rows?: number;
  readonly properties?: Record<string, string>;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'after its data files are written', kill: { pattern: '/data/.*\\.parquet$', when: 'after' }, leftBehind: /\.parquet$/ },
  { name: 'after the manifest is written', kill: { pattern: '-m0\\.avro$', when: 'after' }, leftBehind: /-m0\.avro$/ },
  { name: 'after the manifest list is written', kill: { pattern: '/snap-[^/]*\\.avro$', when: 'after' }, leftBehind: /\/snap-[^/]*\.avro$/ },
  {
    name: 'after the new metadata file is written, before the catalog pointer swap',
    kill: { pattern: '\\.metadata\\.json$', when: 'after' },
    leftBehind: /\.metadata\.json$/,
  },
  {
    // The first chunk (64 KiB) of a ~100 KiB data file reaches the store's temp file, then death.
    // (Not the second file: how many files DuckDB rotates into varies with its thread scheduling.)
    name: 'halfway through uploading a data file of a large append',
    kill: { pattern: '/data/.*\\.parquet$', when: 'during' },
    leftBehind: /\.tmp$/,
    rows: 200_000,
    properties: { [TARGET_FILE_SIZE]: String(64 * 1024) },
  },
];

const SEED = [idRange(0, 20), idRange(100, 20)];

/** Every file under the table's directory (relative paths), including temp files. */
async function filesOf(home: StrataHome, tableDir: string): Promise<string[]> {
  const root = join(home.home, 'lake', tableDir);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length));
}

async function killedWorker(job: WorkerJob): Promise<void> {
  const exit = await startWorker(job).exit;
  assert.equal(exit.signal, 'SIGKILL', `the writer was killed at the kill point (exit ${exit.code}): ${exit.stdout}${exit.stderr}`);
}

async function appendFromFreshProcess(job: Omit<WorkerJob, 'batches' | 'writer'>, start: number): Promise<void> {
  resultOf(await startWorker({ ...job, writer: 'next', batches: [{ start, count: 10, part: 'p1' }] }).exit);
}

describe('a writer killed mid-commit (catalog table)', { concurrency: 2 }, () => {
  for (const scenario of SCENARIOS) {
    test(`killed ${scenario.name}: the table reads its previous snapshot and the next commit succeeds`, async () => {
      const home = await homeWithTable('kill', scenario.properties ?? {});
      try {
        const seeded = await home.catalog.loadTable(TABLE);
        for (const ids of SEED) await seeded.append(idSource(ids[0]!, ids.length, 'p0', 'seed'));
        const before = seeded.metadata();
        const pointer = seeded.ops.currentLocation();
        const tableDir = new URL(before.location).pathname.slice(join(home.home, 'lake').length);
        const filesBefore = await filesOf(home, tableDir);

        await killedWorker({
          home: home.home,
          mode: 'catalog',
          table: TABLE,
          writer: 'doomed',
          batches: [{ start: 10_000, count: scenario.rows ?? 20, part: 'p1' }],
          kill: scenario.kill,
        });
        const leftovers = (await filesOf(home, tableDir)).filter((f) => !filesBefore.includes(f));
        assert.ok(leftovers.some((f) => scenario.leftBehind.test(f)), `the writer died after writing ${scenario.leftBehind}: ${leftovers.join(', ')}`);

        const table = await home.catalog.loadTable(TABLE);
        assert.equal(table.ops.currentLocation(), pointer, 'the catalog still points at the previous metadata file');
        assert.equal(table.currentSnapshot()?.snapshotId, before.currentSnapshotId, 'main is still the previous snapshot');
        const chain = assertLinearHistory(table.metadata(), SEED.length);
        const seedIds = sorted(SEED.flat());
        assert.deepEqual(await readIds(table), seedIds, 'exactly the previous snapshot’s rows');
        await assertSummaryTotals(table, chain, seedIds.length);

        await appendFromFreshProcess({ home: home.home, mode: 'catalog', table: TABLE }, 50_000);
        const after = await home.catalog.loadTable(TABLE);
        assertLinearHistory(after.metadata(), SEED.length + 1);
        assert.equal(after.currentSnapshot()?.parentSnapshotId, before.currentSnapshotId, 'the next commit continues the previous snapshot');
        assert.deepEqual(await readIds(after), sorted([...seedIds, ...idRange(50_000, 10)]));
      } finally {
        await home.close();
      }
    });
  }
});

describe('a writer killed mid-commit (catalog-free table)', () => {
  async function catalogFree(home: StrataHome): Promise<{ table: Table; location: string }> {
    const location = home.lake.tableUri('curated', ['free'], 'events');
    const ops = new ObjectStoreTableOperations(home.catalog.storeForUri(location), location);
    await ops.commit(undefined, newTableMetadata({ location, schema: { schemaId: 0, fields: FIELDS }, properties: FAST_RETRY }));
    const table = new Table(ops, home.runtime);
    await table.append(idSource(0, 20, 'p0', 'seed'));
    return { table, location };
  }

  test('killed after the manifest list: the previous snapshot stays current', async () => {
    const home = await homeWithTable('kill-free');
    try {
      const { table, location } = await catalogFree(home);
      const head = table.currentSnapshot()?.snapshotId;
      await killedWorker({
        home: home.home,
        mode: 'store',
        location,
        writer: 'doomed',
        batches: [{ start: 10_000, count: 20, part: 'p1' }],
        kill: { pattern: '/snap-[^/]*\\.avro$', when: 'after' },
      });
      await table.refresh();
      assert.equal(table.currentSnapshot()?.snapshotId, head);
      assert.deepEqual(await readIds(table), idRange(0, 20));
      await appendFromFreshProcess({ home: home.home, mode: 'store', location }, 50_000);
      await table.refresh();
      assertLinearHistory(table.metadata(), 2);
      assert.deepEqual(await readIds(table), [...idRange(0, 20), ...idRange(50_000, 10)]);
    } finally {
      await home.close();
    }
  });

  test('killed right after creating the next version file: that version file is the commit, so it is durable', async () => {
    const home = await homeWithTable('kill-free-durable');
    try {
      const { table, location } = await catalogFree(home);
      await killedWorker({
        home: home.home,
        mode: 'store',
        location,
        writer: 'durable',
        batches: [{ start: 10_000, count: 20, part: 'p1' }],
        kill: { pattern: '/v\\d+\\.metadata\\.json$', when: 'after' },
      });
      const meta = await table.refresh();
      assert.equal(table.ops.currentLocation(), `${location}/metadata/v3.metadata.json`);
      await readMetadataFile(table.ops.store, `${location}/metadata/v3.metadata.json`);
      assertLinearHistory(meta, 2);
      assert.deepEqual(await readIds(table), [...idRange(0, 20), ...idRange(10_000, 20)]);
    } finally {
      await home.close();
    }
  });
});
