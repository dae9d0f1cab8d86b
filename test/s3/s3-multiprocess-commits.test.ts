/**
 * Concurrent commits from several real OS processes to one table whose lake is on a real
 * S3-compatible server (S3Proxy on loopback). Each process (s3-commit-worker.ts) has its own S3
 * client, DuckDB and table handle; all are released at once (race-worker.ts). Two arbiters:
 *   - a catalog-free table: the only thing between the writers is S3's conditional PUT
 *     (`If-None-Match: *`) of `metadata/v<N+1>.metadata.json`;
 *   - a catalog table: the catalog's pointer swap (the shared SQLite file), with every metadata,
 *     manifest and data file on S3.
 * Afterwards: one snapshot per commit in one linear chain, every writer's snapshots present with
 * the rows they added, every row exactly once, summary totals that add up — nothing lost, nothing
 * landed twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { startRaceWorker } from '../../src/catalog/backend/testing/race-worker.ts';
import type { LakeStoreOptions } from '../../src/storage/index.ts';
import { s3ForTests } from '../../src/storage/testing/s3-test-server.ts';
import { ObjectStoreTableOperations, Table, newTableMetadata, snapshotById } from '../../src/table/index.ts';
import { FAST_RETRY, FIELDS, TABLE, assertLinearHistory, assertSummaryTotals, idRange, readIds, sorted } from '../commit/commit-fixtures.ts';
import type { S3WorkerJob, S3WorkerResult } from './s3-commit-worker.ts';
import { listKeys, s3LakeOptions } from './s3-lake.ts';

const s3 = await s3ForTests();
after(() => s3.server?.stop());

const WORKER = fileURLToPath(new URL('./s3-commit-worker.ts', import.meta.url));
const PROCESSES = 4;
const BATCHES = 3;
const BATCH_ROWS = 25;

function batchesOf(w: number): S3WorkerJob['batches'] {
  return Array.from({ length: BATCHES }, (_, b) => ({ start: w * 1000 + b * 100, count: BATCH_ROWS, part: `p${w % 3}` }));
}

function expectedIds(): number[] {
  return sorted(Array.from({ length: PROCESSES }, (_, w) => batchesOf(w).flatMap((b) => idRange(b.start, b.count))).flat());
}

/** Starts one worker process per writer, releases them together once all are ready, returns their results. */
async function race(job: Omit<S3WorkerJob, 'writer' | 'batches'>): Promise<S3WorkerResult[]> {
  const workers = Array.from({ length: PROCESSES }, (_, w) =>
    startRaceWorker<S3WorkerResult>(WORKER, [JSON.stringify({ ...job, writer: `w${w}`, batches: batchesOf(w) } satisfies S3WorkerJob)]),
  );
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  return Promise.all(workers.map((w) => w.result));
}

/** Every commit landed exactly once and the table is consistent; returns how many commits had to retry. */
async function assertEveryCommitLandedOnce(table: Table, results: readonly S3WorkerResult[]): Promise<number> {
  const meta = await table.refresh();
  const committed = results.flatMap((r) => r.snapshotIds.map(BigInt));
  assert.equal(committed.length, PROCESSES * BATCHES, 'every worker reported every commit');
  assert.equal(new Set(committed).size, committed.length, 'each commit made its own snapshot');
  const chain = assertLinearHistory(meta, PROCESSES * BATCHES);
  for (const id of committed) {
    const snapshot = snapshotById(meta, id);
    assert.equal(snapshot.summary.operation, 'append');
    assert.equal(snapshot.summary['added-records'], String(BATCH_ROWS));
  }
  assert.deepEqual(await readIds(table), expectedIds(), 'no row lost or duplicated');
  await assertSummaryTotals(table, chain, PROCESSES * BATCH_ROWS * BATCHES);
  // Manifest lists are named snap-<id>-<attempt>-…: a non-zero attempt is a commit that lost a race and retried.
  return meta.snapshots.filter((s) => !/\/snap-\d+-0-[^/]+$/.test(s.manifestList)).length;
}

describe(`${PROCESSES} writer processes on an S3 lake`, { skip: s3.skip }, () => {
  const server = s3.server!;
  let dir: string;
  let lake: LakeStoreOptions;
  let home: StrataHome;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-s3-processes-'));
    lake = s3LakeOptions(server, 'processes');
    home = await openStrataHome(dir, { threads: 1 }, { lake });
    assert.match(home.lake.root.uri('curated'), /^s3:\/\/strata-test\/processes-/);
  });
  after(async () => {
    await home.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('catalog-free table: the conditional PUT of the next metadata version admits exactly one writer per version', async (t) => {
    const location = home.lake.tableUri('curated', ['free'], 'events');
    await new ObjectStoreTableOperations(home.catalog.storeForUri(location), location).commit(
      undefined,
      newTableMetadata({ location, schema: { schemaId: 0, fields: FIELDS }, properties: FAST_RETRY }),
    );
    const results = await race({ home: dir, lake, mode: 'store', table: '', location });
    const ops = new ObjectStoreTableOperations(home.catalog.storeForUri(location), location);
    await ops.refresh();
    const retried = await assertEveryCommitLandedOnce(new Table(ops, home.runtime), results);
    t.diagnostic(`${retried} of ${PROCESSES * BATCHES} commits lost a race and retried`);
    assert.ok(retried > 0, 'the processes contended: some commits lost the conditional PUT and retried');

    // One metadata version per commit (plus the creation), none skipped, none written twice.
    const store = home.catalog.storeForUri(location);
    const versions = (await listKeys(store, 'curated/free.db/events/metadata/'))
      .flatMap((k) => /\/v(\d+)\.metadata\.json$/.exec(k)?.slice(1) ?? [])
      .map(Number)
      .sort((a, b) => a - b);
    assert.deepEqual(versions, idRange(1, PROCESSES * BATCHES + 1));
  });

  test('catalog table: the pointer swap in the shared catalog loses no commit, with every file on S3', async (t) => {
    await home.catalog.createNamespace(['db']);
    await home.catalog.createTable(TABLE, FIELDS, { partitionBy: [{ source: 'part', transform: 'identity' }], properties: FAST_RETRY });
    const results = await race({ home: dir, lake, mode: 'catalog', table: TABLE, location: '' });
    const table = await home.catalog.loadTable(TABLE);
    t.diagnostic(`${await assertEveryCommitLandedOnce(table, results)} of ${PROCESSES * BATCHES} commits lost a race and retried`);
    const plan = await table.scan().planFiles();
    assert.ok(plan.tasks.every((t) => t.file.filePath.startsWith('s3://strata-test/processes-')), 'data files are in the bucket');
  });
});
