/**
 * Spawning commit-worker.ts child processes from the tests: start them, wait until every one has
 * opened the table ("ready"), release them together through stdin, collect their results.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerJob, WorkerResult } from './commit-worker.ts';

const WORKER = fileURLToPath(new URL('./commit-worker.ts', import.meta.url));

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningWorker {
  /** Resolves when the worker has opened the table. */
  readonly ready: Promise<void>;
  /** Releases a worker started with `waitForGo`. */
  go(): void;
  readonly exit: Promise<WorkerExit>;
}

export function startWorker(job: WorkerJob): RunningWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<WorkerExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      markReady();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    ready,
    go: () => child.stdin.end('go\n'),
    exit,
  };
}

/** The worker's result line; fails with its output when it did not finish cleanly. */
export function resultOf(exit: WorkerExit): WorkerResult {
  const last = exit.stdout.trim().split('\n').at(-1) ?? '';
  if (exit.code !== 0) throw new Error(`worker failed (code ${exit.code}, signal ${exit.signal}): ${exit.stdout}\n${exit.stderr}`);
  return JSON.parse(last) as WorkerResult;
}

/** Start every job, wait until all are ready, release them at once, and return their results. */
export async function runTogether(jobs: readonly WorkerJob[]): Promise<WorkerResult[]> {
  const workers = jobs.map((job) => startWorker({ ...job, waitForGo: true }));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  const exits = await Promise.all(workers.map((w) => w.exit));
  return exits.map(resultOf);
}
