/**
 * Child process of the multi-process concurrency benchmark (concurrent-processes.ts). It opens the
 * same Strata home as the parent (same SQLite catalog file, same lake), loads the table, receives
 * its pre-written data files, says `ready`, waits for `go`, commits one file per append and reports
 * its latencies and counters back. Messages use Node's `advanced` IPC serialization, which keeps
 * the DataFiles' bigints, Maps and Uint8Arrays intact.
 */
import { openStrataHome } from '../src/catalog/index.ts';
import { Table, type DataFile } from '../src/table/index.ts';
import { appendEach } from './append-each.ts';
import { CountingOperations } from './counting-operations.ts';

export type ParentMessage = { readonly kind: 'files'; readonly files: DataFile[] } | { readonly kind: 'go' };
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly latencies: number[]; readonly attempts: number; readonly conflicts: number; readonly failed: number };

async function main(): Promise<void> {
  const [homeDir, tableId] = process.argv.slice(2);
  if (homeDir === undefined || tableId === undefined || !process.send) throw new Error('usage: commit-worker <home> <table> (forked with IPC)');
  const send = (message: WorkerMessage) => process.send?.(message);
  const home = await openStrataHome(homeDir);
  try {
    const loaded = await home.catalog.loadTable(tableId);
    const counters = new CountingOperations(loaded.ops);
    const table = new Table(counters, home.runtime);
    const files = await new Promise<DataFile[]>((resolve) => {
      process.once('message', (m: ParentMessage) => {
        if (m.kind === 'files') resolve(m.files);
      });
    });
    const go = new Promise<void>((resolve) => {
      process.once('message', (m: ParentMessage) => {
        if (m.kind === 'go') resolve();
      });
    });
    send({ kind: 'ready' });
    await go;
    const { latencies, failed } = await appendEach(table, files);
    send({ kind: 'done', latencies, attempts: counters.attempts, conflicts: counters.conflicts, failed });
  } finally {
    await home.close();
  }
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
