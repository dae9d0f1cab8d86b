import { StrataError } from '../src/core/index.ts';
import type { DataFile, Table } from '../src/table/index.ts';
import { now } from './stats.ts';

/**
 * Commit `files` one append at a time, timing each commit as its writer sees it (retries and
 * backoff included). An append that gives up after its retries counts as failed, not as an error.
 */
export async function appendEach(table: Table, files: readonly DataFile[]): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  for (const file of files) {
    const t0 = now();
    try {
      await table.appendFiles([file]);
      latencies.push(now() - t0);
    } catch (error) {
      if (!StrataError.is(error, 'COMMIT_FAILED')) throw error;
      failed++;
    }
  }
  return { latencies, failed };
}
