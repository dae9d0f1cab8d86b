/**
 * Child process for the cross-process commit tests: one writer appending id ranges to a table.
 * Usage: node --import tsx commit-worker.ts '<WorkerJob JSON>'
 *
 * It opens the Strata home itself (its own SQLite connection, DuckDB instance and table handle),
 * prints "ready", and — when `waitForGo` — waits for a line on stdin so that all writers start
 * committing at the same moment. It then prints one JSON line (`WorkerResult`) and exits 0, or
 * prints the error's code and message and exits 1. With `kill`, its store is wrapped in a
 * KillSwitchStore, so it SIGKILLs itself at that point of the commit instead.
 */
import { createInterface } from 'node:readline';
import { CatalogTableOperations, openStrataHome, toIdentifier } from '../../src/catalog/index.ts';
import { StrataError } from '../../src/core/index.ts';
import { ObjectStoreTableOperations, Table, type TableOperations } from '../../src/table/index.ts';
import { idSource } from './commit-fixtures.ts';
import { KillSwitchStore, type KillPoint } from './kill-switch-store.ts';

export interface WorkerJob {
  readonly home: string;
  /** `catalog`: the table `table` of the home's catalog; `store`: the catalog-free table at `location`. */
  readonly mode: 'catalog' | 'store';
  readonly table?: string;
  readonly location?: string;
  readonly writer: string;
  /** One append commit per batch. */
  readonly batches: readonly { readonly start: number; readonly count: number; readonly part: string }[];
  readonly waitForGo?: boolean;
  readonly kill?: KillPoint;
}

export interface WorkerResult {
  readonly writer: string;
  /** Snapshot ids (decimal strings) of this writer's commits, in order. */
  readonly snapshotIds: readonly string[];
}

const job = JSON.parse(process.argv[2] ?? '') as WorkerJob;
const home = await openStrataHome(job.home);
try {
  const ops = await openOps();
  await ops.refresh();
  const table = new Table(ops, home.runtime);
  process.stdout.write('ready\n');
  if (job.waitForGo === true) await waitForLine();
  const snapshotIds: string[] = [];
  for (const batch of job.batches) {
    const result = await table.append(idSource(batch.start, batch.count, batch.part, job.writer));
    snapshotIds.push(String(result.snapshot.snapshotId));
  }
  process.stdout.write(`${JSON.stringify({ writer: job.writer, snapshotIds } satisfies WorkerResult)}\n`);
} catch (error) {
  const code = StrataError.is(error) ? error.code : 'UNEXPECTED';
  process.stdout.write(`${JSON.stringify({ error: code, message: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
} finally {
  await home.close();
}

async function openOps(): Promise<TableOperations> {
  const wrap = (store: ReturnType<typeof home.catalog.storeForUri>) => (job.kill ? new KillSwitchStore(store, job.kill) : store);
  if (job.mode === 'store') {
    const location = job.location ?? '';
    return new ObjectStoreTableOperations(wrap(home.catalog.storeForUri(location)), location);
  }
  const id = toIdentifier(job.table ?? '');
  const record = await home.catalog.backend.loadTable(id);
  return new CatalogTableOperations(home.catalog.backend, wrap(home.catalog.storeForUri(record.metadataLocation)), id);
}

async function waitForLine(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  for await (const _line of lines) break;
  lines.close();
}
