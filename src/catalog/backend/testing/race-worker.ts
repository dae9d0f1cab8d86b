/**
 * Starts a test worker as a child process for cross-process races: the worker opens what it needs,
 * prints `ready`, waits for `go` on stdin (so every racer starts together), does its work and
 * prints one JSON line with its outcome.
 *
 * @example
 *   const workers = paths.map((p) => startRaceWorker<{ swapped: boolean }>(WORKER, [p]));
 *   await Promise.all(workers.map((w) => w.ready));
 *   for (const w of workers) w.go();
 *   const outcomes = await Promise.all(workers.map((w) => w.result));
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface RaceWorker<T> {
  readonly ready: Promise<void>;
  go(): void;
  readonly result: Promise<T>;
}

export function startRaceWorker<T>(worker: string, args: readonly string[]): RaceWorker<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const result = new Promise<T>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`worker exited with ${code}: ${stderr || stdout}`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
  // A worker that dies before saying "ready" must not hang the test.
  void result.catch(() => markReady());
  return { ready, go: () => child.stdin.end('go\n'), result };
}
