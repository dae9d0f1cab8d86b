/**
 * Operator state: keyed values per operator, in a local store that keeps the hot part in memory and
 * spills the rest to disk, with changelog checkpoints to the lake so a restart (on any machine)
 * rebuilds exactly the state of the last committed batch.
 *
 * Access is synchronous (memory, or the local disk store through a synchronous driver): operators
 * touch state once per record and awaiting each access would dominate a batch's cost.
 *
 * Values must be JSON-like data (objects, arrays, strings, numbers, booleans, null) plus bigint and
 * Uint8Array; the store serialises them losslessly. A value read back is a copy: mutate it, then
 * `put` it again.
 */
export interface KeyedState<V> {
  get(key: string): V | undefined;
  put(key: string, value: V): void;
  delete(key: string): void;
  has(key: string): boolean;
  /** Every entry (in memory and spilled), in no particular order. Do not mutate state while iterating. */
  entries(): IterableIterator<[string, V]>;
  readonly size: number;
}

export interface StateStats {
  readonly rows: number;
  /** Approximate serialized size of all state. */
  readonly bytes: number;
  /** Rows currently spilled to the local disk store. */
  readonly spilledRows: number;
}

export interface CheckpointInfo {
  readonly batchId: number;
  /** 'changelog' (only the keys changed since the previous checkpoint) or 'snapshot' (all state). */
  readonly kind: 'changelog' | 'snapshot';
  /** Object keys written, relative to the stream's state area. */
  readonly keys: readonly string[];
  readonly bytes: number;
}

export interface StateStore {
  /** One operator's state, e.g. `namespace('2:window')`. Same name → same state. */
  namespace<V>(name: string): KeyedState<V>;
  stats(): StateStats;
  /**
   * Starts batch `batchId` at processing time `batchTimestampMs`: writes until the next call are
   * stamped with it (TTL compares against these stamps, never the wall clock, so a replayed batch
   * expires exactly what the original did).
   */
  beginBatch(batchId: number, batchTimestampMs: number): void;
  /**
   * Makes the state after batch `batchId` durable in the lake: a changelog of the keys changed since
   * the previous checkpoint, or a full snapshot every `snapshotEvery` batches; then deletes what the
   * retention no longer needs. Called before the batch's sink commit; a checkpoint of a batch that
   * never committed is ignored (and overwritten) on recovery.
   */
  checkpoint(batchId: number): Promise<CheckpointInfo>;
  /**
   * Replaces the local state with the lake's state as of `batchId` (latest snapshot at or before it
   * plus the changelogs after, up to and including `batchId`); `undefined`: empty state.
   */
  restore(batchId: number | undefined): Promise<void>;
  /** Drops keys last written before `nowMs - ttlMs` (no-op without a TTL); returns how many. */
  expireIdle(nowMs: number): number;
  close(): Promise<void>;
}
