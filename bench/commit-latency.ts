/**
 * (a) Commit latency: one writer appends one tiny data file (one row) per commit, N times, and
 * each append is split into its two halves:
 *   write  — `table.writeFiles`: DuckDB COPY of the row to Parquet + metrics + move into the lake;
 *   commit — `table.appendFiles`: manifest, manifest list, metadata file and the atomic swap.
 * Run once per backend (SQLite catalog CAS vs catalog-free putIfAbsent) on fresh tables.
 * The first WARMUP commits are not counted (module loading, DuckDB's first COPY).
 * Gotcha: the commit cost grows with the table's history (the metadata file lists every
 * snapshot, the manifest list carries one manifest per earlier append), so the first and the last
 * tenth of the run are reported separately.
 */
import type { StrataHome } from '../src/catalog/index.ts';
import { createTable, type CommitBackend } from './bench-tables.ts';
import { summarize, timed, type Summary } from './stats.ts';

export interface CommitLatencyResult {
  readonly backend: CommitBackend;
  readonly commits: number;
  readonly write: Summary;
  readonly commit: Summary;
  readonly total: Summary;
  /** Mean commit ms of the first and last tenth of the run. */
  readonly commitFirstTenth: number;
  readonly commitLastTenth: number;
  readonly snapshots: number;
  readonly manifests: number;
}

const WARMUP = 3;

export async function commitLatency(home: StrataHome, backend: CommitBackend, commits: number): Promise<CommitLatencyResult> {
  const handle = await createTable(home, backend, 'latency');
  const { table } = await handle.open();
  const writes: number[] = [];
  const commitTimes: number[] = [];
  for (let i = 0; i < WARMUP + commits; i++) {
    const w = await timed(() => table.writeFiles({ rows: [{ id: BigInt(i), note: `row ${i}` }] }));
    if (w.value.length !== 1) throw new Error(`bench: expected one data file per write, got ${w.value.length}`);
    const c = await timed(() => table.appendFiles(w.value));
    if (i < WARMUP) continue;
    writes.push(w.ms);
    commitTimes.push(c.ms);
  }
  const tenth = Math.max(1, Math.floor(commits / 10));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const plan = await table.scan().planFiles();
  if (plan.stats.filesPlanned !== WARMUP + commits) {
    throw new Error(`bench: ${backend} table has ${plan.stats.filesPlanned} files after ${WARMUP + commits} appends`);
  }
  return {
    backend,
    commits,
    write: summarize(writes),
    commit: summarize(commitTimes),
    total: summarize(writes.map((w, i) => w + (commitTimes[i] ?? 0))),
    commitFirstTenth: mean(commitTimes.slice(0, tenth)),
    commitLastTenth: mean(commitTimes.slice(-tenth)),
    snapshots: table.snapshots().length,
    manifests: plan.stats.manifestsTotal,
  };
}
