/**
 * Child process for the multi-process commit test on S3 (s3-multiprocess-commits.test.ts): one OS
 * process, one writer. It opens the shared home (the SQLite catalog file) with the lake on the S3
 * test server — its own S3 client, DuckDB instance and table handle — prints `ready`, waits for
 * `go` on stdin (src/catalog/backend/testing/race-worker.ts), appends its batches and prints one
 * JSON line with the snapshot ids it committed.
 *
 * Usage: node --import tsx test/s3/s3-commit-worker.ts '<S3WorkerJob JSON>'
 */
import { createInterface } from 'node:readline';
import { openStrataHome } from '../../src/catalog/index.ts';
import type { LakeStoreOptions } from '../../src/storage/index.ts';
import { ObjectStoreTableOperations, Table } from '../../src/table/index.ts';
import { idSource } from '../commit/commit-fixtures.ts';

export interface S3WorkerJob {
  readonly home: string;
  readonly lake: LakeStoreOptions;
  /** `catalog`: the catalog table `table`; `store`: the catalog-free table at `location` (the S3 conditional PUT is the only arbiter). */
  readonly mode: 'catalog' | 'store';
  readonly table: string;
  readonly location: string;
  readonly writer: string;
  readonly batches: readonly { readonly start: number; readonly count: number; readonly part: string }[];
}

export interface S3WorkerResult {
  readonly writer: string;
  readonly snapshotIds: readonly string[];
}

const job = JSON.parse(process.argv[2] ?? '') as S3WorkerJob;
const home = await openStrataHome(job.home, { threads: 1 }, { lake: job.lake });
try {
  let table: Table;
  if (job.mode === 'catalog') {
    table = await home.catalog.loadTable(job.table);
  } else {
    const ops = new ObjectStoreTableOperations(home.catalog.storeForUri(job.location), job.location);
    await ops.refresh();
    table = new Table(ops, home.runtime);
  }
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const _go of lines) break;
  lines.close();
  const snapshotIds: string[] = [];
  for (const batch of job.batches) {
    const result = await table.append(idSource(batch.start, batch.count, batch.part, job.writer));
    snapshotIds.push(String(result.snapshot.snapshotId));
  }
  process.stdout.write(`${JSON.stringify({ writer: job.writer, snapshotIds } satisfies S3WorkerResult)}\n`);
} finally {
  await home.close();
}
