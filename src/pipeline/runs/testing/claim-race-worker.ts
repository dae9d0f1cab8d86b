/**
 * Test helper, run as a child process by `run-store.test.ts`: opens the catalog, says "ready",
 * waits for "go" on stdin so all racers start together, then claims queued runs until none is
 * left and tries to claim every step of run `step-race`. Prints `{"runs": [...], "steps": [...]}`.
 *
 * Usage: node --import tsx claim-race-worker.ts <catalog-file> <owner> <step-count>
 */
import { createInterface } from 'node:readline';
import { SqliteCatalogBackend } from '../../../catalog/index.ts';
import { RunStore } from '../run-store.ts';

const [path, owner, stepCount] = process.argv.slice(2);
if (path === undefined || owner === undefined || stepCount === undefined) {
  throw new Error('usage: claim-race-worker <catalog-file> <owner> <step-count>');
}

const catalog = await SqliteCatalogBackend.open(path);
try {
  const store = await RunStore.open(catalog.connection);
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'go') break;
  }
  lines.close();
  const runs: string[] = [];
  for (;;) {
    const run = await store.claimRun(owner, 60_000, { global: 1_000, perPipeline: () => 1_000 });
    if (run === undefined) break;
    runs.push(run.runId);
  }
  const steps: string[] = [];
  for (let i = 0; i < Number(stepCount); i++) {
    if ((await store.claimStep('step-race', `s${i}`, owner, 60_000)) !== undefined) steps.push(`s${i}`);
  }
  process.stdout.write(`${JSON.stringify({ runs, steps })}\n`);
} finally {
  await catalog.close();
}
