/**
 * (b) Commit throughput under concurrent writers, in one process: W writers, each with its own
 * `Table` instance (own operations, own cached metadata), append C data files each, one file per
 * commit, all at once against one table. The data files are written before the clock starts (one
 * DuckDB COPY producing W×C one-row files, one per partition of an identity-partitioned table), so
 * what is measured is the commit path and its contention: lost races (COMMIT_CONFLICT), refreshes,
 * re-built manifest lists and backoff sleeps (commit-retry.ts: 5 ms min, 2 s max, full jitter).
 * Afterwards the table must hold exactly W×C files in W×C snapshots: no writer lost another's commit.
 */
import type { StrataHome } from '../src/catalog/index.ts';
import type { DataFile } from '../src/table/index.ts';
import { appendEach } from './append-each.ts';
import { createTable, type CommitBackend, type TableHandle } from './bench-tables.ts';
import { now, summarize, type Summary } from './stats.ts';

export interface ConcurrencyResult {
  readonly backend: CommitBackend;
  readonly mode: 'in-process' | 'processes';
  readonly writers: number;
  readonly commits: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly commitsPerSecond: number;
  /** Lost races: swaps that found another writer's commit first. */
  readonly conflicts: number;
  readonly attempts: number;
  /** Per-commit latency as each writer saw it (including its retries and backoff). */
  readonly latency: Summary;
}

/** One identity-partitioned table and W×C staged one-row data files, grouped per writer. */
export async function prepareConcurrentTable(
  home: StrataHome,
  backend: CommitBackend,
  name: string,
  writers: number,
  commitsPerWriter: number,
): Promise<{ handle: TableHandle; filesByWriter: DataFile[][] }> {
  const handle = await createTable(home, backend, name, undefined, [{ source: 'id', transform: 'identity' }]);
  const { table } = await handle.open();
  const total = writers * commitsPerWriter;
  const files = await table.writeFiles({ sql: `SELECT i AS id, 'w' || i AS note FROM range(${total}) r(i)` });
  if (files.length !== total) throw new Error(`bench: expected ${total} staged files, got ${files.length}`);
  const filesByWriter = Array.from({ length: writers }, (_, w) => files.slice(w * commitsPerWriter, (w + 1) * commitsPerWriter));
  return { handle, filesByWriter };
}

/** Check the table ended with every commit: `expected` snapshots and data files. */
export async function verifyAllCommitted(handle: TableHandle, expected: number): Promise<void> {
  const { table } = await handle.open();
  const plan = await table.scan().planFiles();
  if (table.snapshots().length !== expected || plan.stats.filesPlanned !== expected) {
    throw new Error(
      `bench: ${handle.backend} table has ${table.snapshots().length} snapshots and ${plan.stats.filesPlanned} files, expected ${expected}`,
    );
  }
}

export async function concurrentCommits(
  home: StrataHome,
  backend: CommitBackend,
  writers: number,
  commitsPerWriter: number,
): Promise<ConcurrencyResult> {
  const { handle, filesByWriter } = await prepareConcurrentTable(home, backend, `concurrent_${writers}`, writers, commitsPerWriter);
  const instances = await Promise.all(filesByWriter.map(() => handle.open()));
  const start = now();
  const results = await Promise.all(instances.map(({ table }, w) => appendEach(table, filesByWriter[w] ?? [])));
  const latencies = results.flatMap((r) => r.latencies);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const elapsedMs = now() - start;
  const commits = writers * commitsPerWriter - failed;
  await verifyAllCommitted(handle, commits);
  return {
    backend,
    mode: 'in-process',
    writers,
    commits,
    failed,
    elapsedMs,
    commitsPerSecond: (commits / elapsedMs) * 1000,
    conflicts: instances.reduce((n, i) => n + i.counters.conflicts, 0),
    attempts: instances.reduce((n, i) => n + i.counters.attempts, 0),
    latency: summarize(latencies),
  };
}
