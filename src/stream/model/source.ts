/**
 * The source side of a stream: positions ("offsets") and the records between two of them.
 *
 * Exactly-once rests on one property every source keeps: reading the same range [from, to) twice
 * gives the same records in the same order. The runner logs a batch's range before processing it
 * (runtime/offset-log.ts), so a batch replayed after a crash reads exactly what the crashed attempt
 * read, and the sink commit records `to`, so a restart resumes where the last commit ended.
 */
import type { ObjectStore } from '../../storage/index.ts';

/**
 * A position in a source, JSON-serialisable and comparable per key. Kafka: partition number (as a
 * string) → next offset to read; directory: `{ files: n }` (files in discovery order); HTTP ingest
 * log: `{ segments: n }`.
 */
export type SourceOffsets = Readonly<Record<string, number>>;

export interface SourceRecord {
  /** The payload exactly as received (kept for the dead-letter table and replay). */
  readonly payload: Uint8Array;
  /** Where it came from, readable: `clicks/0@1234`, `incoming/a.ndjson:17`, `http/42:3`. */
  readonly position: string;
  /** The source's own timestamp in ms (Kafka record timestamp, file mtime, time received). */
  readonly timestampMs?: number;
  /** Kafka message key, when there is one. */
  readonly key?: Uint8Array;
}

export interface StreamSource {
  readonly kind: SourceKind;
  /** Where a stream with no committed batch starts (`starting_offsets`). */
  initialOffsets(): Promise<SourceOffsets>;
  /**
   * The end of the next batch: the newest available offsets, but at most `maxRecords` records past
   * `from` in total. Equal to `from` when nothing new is available.
   */
  latestOffsets(from: SourceOffsets, maxRecords: number): Promise<SourceOffsets>;
  /** Exactly the records in [from, to), in source order (per partition for Kafka), in chunks. */
  read(from: SourceOffsets, to: SourceOffsets): AsyncIterable<readonly SourceRecord[]>;
  /**
   * Told after the sink commit of a batch that ended at `to`: Kafka commits the consumer group's
   * offsets, the HTTP log may delete consumed segments. Never called before the sink commit.
   */
  committed(to: SourceOffsets): Promise<void>;
  /** Records available past `from` (the stream's lag), or undefined when unknown. */
  backlog(from: SourceOffsets): Promise<number | undefined>;
  close(): Promise<void>;
}

export type SourceKind = 'kafka' | 'directory' | 'http';

/** What a source gets from the runner. */
export interface SourceContext {
  readonly stream: string;
  /**
   * The stream's own durable area in the lake (`system` zone, `streams/<name>/source/`): the
   * directory source's discovery log and the HTTP ingest log live here.
   */
  readonly store: ObjectStore;
  readonly log?: (line: string) => void;
}

/** Total records between two offsets of the same source (keys missing from `from` count from 0). */
export function recordsBetween(from: SourceOffsets, to: SourceOffsets): number {
  let total = 0;
  for (const [key, end] of Object.entries(to)) total += Math.max(0, end - (from[key] ?? 0));
  return total;
}

/** True when `to` is past `from` for some key. */
export function hasNewRecords(from: SourceOffsets, to: SourceOffsets): boolean {
  return recordsBetween(from, to) > 0;
}
