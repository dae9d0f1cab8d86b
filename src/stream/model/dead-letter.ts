/**
 * Records a stream could not process. Nothing is dropped silently: a record that cannot be parsed,
 * violates the source schema, fails a transform, or arrives after the watermark closed its window
 * becomes a row of the stream's dead-letter table with the reason and enough context to act on it.
 */
import type { StreamRow } from './stream-row.ts';

export type DeadLetterReason =
  /** Not JSON / not valid Avro for the writer schema. */
  | 'unparseable'
  /** Parsed, but a value does not fit its column (missing required field, wrong type, range). */
  | 'schema_violation'
  /** Its event time is behind the watermark: the window(s) it belongs to were already final. */
  | 'late'
  /** A transform failed on it (e.g. a cast error in a SQL step while isolating a bad row). */
  | 'transform_error';

export interface DeadLetter {
  readonly reason: DeadLetterReason;
  /** Human-readable: what was wrong, naming the column. */
  readonly error: string;
  /** SourceRecord.position of the record. */
  readonly position: string;
  /** The raw payload (always for unparseable / schema_violation: it is what replay re-reads). */
  readonly payload?: Uint8Array;
  /** The record as the failing operator saw it (late, transform_error). */
  readonly record?: StreamRow;
  /** Event time of a late record, µs. */
  readonly eventTime?: bigint;
  /** The (first) window a late record missed, µs; absent for dedup. */
  readonly windowStart?: bigint;
  readonly windowEnd?: bigint;
  /** The watermark in force when it was judged late, µs. */
  readonly watermark?: bigint;
}
