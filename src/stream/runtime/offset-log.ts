/**
 * The offset log (a write-ahead log of batch plans): before a micro-batch is processed, its source
 * range, processing timestamp and watermark are written to `offsets/<batch>.json`. If the runner
 * dies before the batch's sink commit, the restart finds the entry and replays exactly that range
 * with exactly that timestamp and watermark — so the replayed batch's output, dead letters and state
 * changes are identical to what the crashed attempt would have produced, and anything the attempt
 * already made durable (its dead-letter commit, its state changelog) matches.
 *
 * Entries of committed batches are only history; `prune` keeps the newest few for inspection.
 */
import { StrataError } from '../../core/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import type { SourceOffsets } from '../model/index.ts';

export interface BatchPlan {
  readonly batchId: number;
  readonly start: SourceOffsets;
  readonly end: SourceOffsets;
  readonly batchTimestampMs: number;
  /** Watermark in force for the batch, µs as decimal text. */
  readonly watermark?: string;
  /** The definition version the batch was planned with. */
  readonly version: string;
}

const KEY = /^(\d{12})\.json$/;
const START_KEY = 'start.json';

export class OffsetLog {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  async write(plan: BatchPlan): Promise<void> {
    await this.#store.put(keyOf(plan.batchId), new TextEncoder().encode(JSON.stringify(plan)));
  }

  async read(batchId: number): Promise<BatchPlan | undefined> {
    if (!(await this.#store.head(keyOf(batchId)))) return undefined;
    const text = new TextDecoder().decode(await this.#store.get(keyOf(batchId)));
    try {
      const plan = JSON.parse(text) as BatchPlan;
      if (plan.batchId !== batchId) throw new Error(`it names batch ${plan.batchId}`);
      return plan;
    } catch (error) {
      throw new StrataError('STATE_CORRUPT', `The offset log entry of batch ${batchId} is unreadable (${(error as Error).message}); remove ${keyOf(batchId)} from the stream's area to plan that batch again`, {
        batchId,
      });
    }
  }

  /**
   * Where a stream with no committed batch starts: resolved once (`latest` means "latest when the
   * stream first started", as in Spark) and kept in the log, so a restart before the first commit
   * does not skip what arrived in between.
   */
  async startingOffsets(resolve: () => Promise<SourceOffsets>): Promise<SourceOffsets> {
    if (!(await this.#store.head(START_KEY))) {
      await this.#store.putIfAbsent(START_KEY, new TextEncoder().encode(JSON.stringify(await resolve())));
    }
    return JSON.parse(new TextDecoder().decode(await this.#store.get(START_KEY))) as SourceOffsets;
  }

  /** Deletes entries older than the newest `keep` up to `committed`, and every entry after `committed + 1`. */
  async prune(committed: number, keep = 100): Promise<void> {
    const stale: string[] = [];
    for await (const info of this.#store.list('')) {
      const match = KEY.exec(info.key);
      if (!match) continue;
      const id = Number(match[1]);
      if (id <= committed - keep || id > committed + 1) stale.push(info.key);
    }
    if (stale.length > 0) await this.#store.deleteMany(stale);
  }
}

function keyOf(batchId: number): string {
  return `${String(batchId).padStart(12, '0')}.json`;
}
