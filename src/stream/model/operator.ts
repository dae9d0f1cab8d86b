/**
 * A step of a stream's chain, applied to each micro-batch. Stateless operators (SQL) map rows to
 * rows; stateful ones (dedup, windowed aggregation) keep state in the StateStore and judge records
 * against the watermark.
 *
 * Determinism is what makes replay exact: given the same input rows, the same state at batch start
 * and the same BatchContext (batch id, processing timestamp and watermarks are logged with the
 * batch's offsets), an operator must emit the same rows and dead letters.
 */
import type { DeadLetter } from './dead-letter.ts';
import type { StateStore } from './state-store.ts';
import type { RowFields, StreamRow } from './stream-row.ts';

export interface BatchContext {
  readonly stream: string;
  readonly batchId: number;
  /** Processing time of the batch (ms), fixed when the batch is planned and reused on replay. */
  readonly batchTimestampMs: number;
  /**
   * The watermark in force for lateness checks (µs): from the batches before this one. Undefined
   * when the stream has no event time or has not seen any record yet.
   */
  readonly watermark: bigint | undefined;
  /**
   * The watermark after this batch (µs): max(watermark, max event time of this batch − lateness).
   * Append mode finalises (emits and evicts) windows that end at or before it.
   */
  readonly nextWatermark: bigint | undefined;
  readonly state: StateStore;
  /** Sends a record to the dead-letter table. */
  deadLetter(letter: DeadLetter): void;
  readonly signal?: AbortSignal;
}

export interface StreamOperator {
  /** Stable id, also the state namespace: `<index>:<kind>` (e.g. `1:window`). */
  readonly id: string;
  /** The columns this operator emits, given the columns it receives (validates references). */
  outputFields(input: RowFields): Promise<RowFields>;
  /** Processes one batch's rows (all of them, in one call). */
  process(rows: readonly StreamRow[], context: BatchContext): Promise<StreamRow[]>;
}
