/**
 * Test helper: runs micro-batches through a stateful operator the way the stream runner does
 * (beginBatch → process → expireIdle → checkpoint, watermark W from earlier batches, nextWatermark
 * after this one), on an InMemoryStateStore — and, when given a random source, crashes it on
 * purpose:
 * - replay: a batch is processed, then thrown away before its checkpoint; a fresh store restored
 *   from the previous checkpoint and a fresh operator process it again, and the two attempts must
 *   give identical rows and dead letters;
 * - restart: after a checkpoint, the store and operator are replaced by fresh ones restored from it
 *   (state crosses the restart only as serialised text).
 * Not used in production code.
 */
import assert from 'node:assert/strict';
import type { BatchContext, DeadLetter, RowFields, StreamOperator, StreamRow } from '../model/index.ts';
import { InMemoryStateStore, type InMemoryCheckpoints } from '../testing/in-memory-state-store.ts';
import { nextWatermark } from '../time/index.ts';

export interface BatchOutcome {
  readonly rows: StreamRow[];
  readonly letters: DeadLetter[];
  readonly watermark: bigint | undefined;
  readonly nextWatermark: bigint | undefined;
}

export interface HarnessOptions {
  readonly input: RowFields;
  /** Column the watermark is computed from (null values are ignored, as the runner does). */
  readonly timeColumn: string;
  readonly latenessMs: number;
  /** Crash (replay) and restart at random when given. */
  readonly random?: () => number;
  readonly ttlMs?: number;
  /** Processing time of batch n (default n · 1000). */
  readonly batchTimestampMs?: (batchId: number) => number;
}

export async function runBatches(makeOperator: () => StreamOperator, batches: readonly (readonly StreamRow[])[], options: HarnessOptions): Promise<BatchOutcome[]> {
  const checkpoints: InMemoryCheckpoints = new Map();
  const open = async (restoreTo: number | undefined): Promise<{ store: InMemoryStateStore; operator: StreamOperator }> => {
    const store = new InMemoryStateStore({ checkpoints, ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }) });
    await store.restore(restoreTo);
    const operator = makeOperator();
    await operator.outputFields(options.input);
    return { store, operator };
  };
  let { store, operator } = await open(undefined);
  let watermark: bigint | undefined;
  const outcomes: BatchOutcome[] = [];
  for (const [batchId, batch] of batches.entries()) {
    let max: bigint | undefined;
    for (const row of batch) {
      const t = row[options.timeColumn];
      if (typeof t === 'bigint' && (max === undefined || t > max)) max = t;
    }
    const next = nextWatermark(watermark, max, options.latenessMs);
    const timestampMs = options.batchTimestampMs?.(batchId) ?? batchId * 1000;
    const attempt = async (): Promise<BatchOutcome> => {
      store.beginBatch(batchId, timestampMs);
      const letters: DeadLetter[] = [];
      const context: BatchContext = { stream: 'test', batchId, batchTimestampMs: timestampMs, watermark, nextWatermark: next, state: store, deadLetter: (l) => letters.push(l) };
      const rows = await operator.process(batch.map((row) => ({ ...row })), context);
      store.expireIdle(timestampMs);
      return { rows, letters, watermark, nextWatermark: next };
    };
    let outcome = await attempt();
    if (options.random && options.random() < 0.2) {
      ({ store, operator } = await open(batchId === 0 ? undefined : batchId - 1));
      const replayed = await attempt();
      assert.deepEqual(replayed, outcome, `batch ${batchId}: a replay after a crash must give the same rows and dead letters`);
      outcome = replayed;
    }
    await store.checkpoint(batchId);
    outcomes.push(outcome);
    watermark = next;
    if (options.random && options.random() < 0.3) ({ store, operator } = await open(batchId));
  }
  await store.close();
  return outcomes;
}
