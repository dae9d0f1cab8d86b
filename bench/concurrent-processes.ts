/**
 * (b, continued) The same concurrency benchmark with each writer in its own Node process, all
 * committing to one table through the shared SQLite catalog file (WAL mode, busy timeout): the
 * deployment shape of several Strata processes on one machine. Workers start, load the table and
 * receive their pre-written data files first; the clock runs from the parent's `go` to the last
 * worker's `done`, so process start-up is not counted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StrataHome } from '../src/catalog/index.ts';
import { BENCH_NAMESPACE } from './bench-tables.ts';
import type { ParentMessage, WorkerMessage } from './commit-worker.ts';
import { prepareConcurrentTable, verifyAllCommitted, type ConcurrencyResult } from './concurrent-commits.ts';
import { now, summarize } from './stats.ts';

const WORKER = fileURLToPath(new URL('./commit-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function concurrentProcesses(home: StrataHome, writers: number, commitsPerWriter: number): Promise<ConcurrencyResult> {
  const name = `processes_${writers}`;
  const { handle, filesByWriter } = await prepareConcurrentTable(home, 'catalog', name, writers, commitsPerWriter);
  const children = filesByWriter.map(() =>
    fork(WORKER, [home.home, `${BENCH_NAMESPACE}.${name}`], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  try {
    const ready = children.map((child) => nextMessage(child, 'ready'));
    children.forEach((child, w) => child.send({ kind: 'files', files: filesByWriter[w] ?? [] } satisfies ParentMessage));
    await Promise.all(ready);
    const done = children.map((child) => nextMessage(child, 'done'));
    const start = now();
    for (const child of children) child.send({ kind: 'go' } satisfies ParentMessage);
    const reports = await Promise.all(done);
    const elapsedMs = now() - start;
    const failed = reports.reduce((n, r) => n + (r.kind === 'done' ? r.failed : 0), 0);
    const commits = writers * commitsPerWriter - failed;
    await verifyAllCommitted(handle, commits);
    return {
      backend: 'catalog',
      mode: 'processes',
      writers,
      commits,
      failed,
      elapsedMs,
      commitsPerSecond: (commits / elapsedMs) * 1000,
      conflicts: reports.reduce((n, r) => n + (r.kind === 'done' ? r.conflicts : 0), 0),
      attempts: reports.reduce((n, r) => n + (r.kind === 'done' ? r.attempts : 0), 0),
      latency: summarize(reports.flatMap((r) => (r.kind === 'done' ? r.latencies : []))),
    };
  } catch (error) {
    for (const child of children) child.kill();
    throw error;
  } finally {
    await Promise.all(children.map(exited));
  }
}

/** The child's next message of `kind`; rejects if it exits first. */
function nextMessage(child: ChildProcess, kind: WorkerMessage['kind']): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`bench: commit worker exited with code ${code} before '${kind}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
