/**
 * A stream's definition: source → transforms → sink, the same in TypeScript (`defineStream`) and
 * YAML (`*.stream.yaml`). Validated definitions are plain JSON data, so they can be stored,
 * versioned and compared (`strata stream check`).
 *
 * Durations are milliseconds; event times and windows are computed in microseconds.
 */
import type { NestedField } from '../../table/index.ts';

export interface StreamDefinition {
  /** `[a-z][a-z0-9_]*`: names the stream's checkpoint area, metrics and snapshot markers. */
  readonly name: string;
  readonly description?: string;
  readonly source: SourceDefinition;
  /** Applied in order to each micro-batch. */
  readonly transforms: readonly TransformDefinition[];
  readonly sink: SinkDefinition;
  /** `append` (default): a window's row is written once, when the watermark closes it. `update`: every batch writes the windows it changed (needs an upsert sink). */
  readonly outputMode: OutputMode;
  /** Default `<sink database>.<stream name>_dead_letter`. */
  readonly deadLetterTable: string;
  readonly trigger: TriggerDefinition;
  readonly state: StateSettings;
  readonly alerts?: AlertSettings;
}

export type OutputMode = 'append' | 'update';

export type TriggerDefinition =
  /** Start a micro-batch every `intervalMs` (a batch that overruns starts the next at once). */
  | { readonly kind: 'interval'; readonly intervalMs: number }
  /** Process everything available at start (in batches of `maxRecordsPerBatch`), then stop. */
  | { readonly kind: 'available-now' };

// ---------------------------------------------------------------------------------------------
// Sources

export type SourceDefinition = KafkaSourceDefinition | DirectorySourceDefinition | HttpSourceDefinition;

interface SourceCommon {
  /** Columns of a record (Iceberg types). Records are validated against it; extra JSON fields are ignored. */
  readonly columns: readonly NestedField[];
  readonly format: PayloadFormat;
  /** Event-time column (a timestamp/timestamptz column) and the watermark's allowed lateness. */
  readonly eventTime?: EventTimeDefinition;
  /** Upper bound on records per micro-batch (default 100 000). */
  readonly maxRecordsPerBatch: number;
}

export interface EventTimeDefinition {
  readonly column: string;
  /** Watermark = max event time seen − maxLatenessMs. */
  readonly maxLatenessMs: number;
}

export type PayloadFormat =
  | { readonly kind: 'json' }
  /** Avro binary, one datum per record, written with `schema` (an Avro schema as JSON). */
  | { readonly kind: 'avro'; readonly schema: Readonly<Record<string, unknown>> };

export interface KafkaSourceDefinition extends SourceCommon {
  readonly kind: 'kafka';
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Consumer group whose offsets Strata commits after each sink commit (for lag monitoring and tools). */
  readonly group: string;
  /** Where a stream with no committed batch starts. `specific`: partition → offset (missing partitions: earliest). */
  readonly startingOffsets: 'earliest' | 'latest' | { readonly specific: Readonly<Record<string, number>> };
  readonly clientId?: string;
}

export interface DirectorySourceDefinition extends SourceCommon {
  readonly kind: 'directory';
  /** Absolute directory watched for new files (complete files only: write elsewhere, then rename in). */
  readonly path: string;
  /** Glob on file names, default `*` (hidden and `.tmp` files are always skipped). */
  readonly pattern: string;
}

export interface HttpSourceDefinition extends SourceCommon {
  readonly kind: 'http';
  /** Accepted-but-unprocessed records above which ingest answers 429 with Retry-After. Default 1 000 000. */
  readonly maxBacklogRecords: number;
  /** Largest accepted request body, bytes (default 16 MiB). */
  readonly maxRequestBytes: number;
}

// ---------------------------------------------------------------------------------------------
// Transforms

export type TransformDefinition = SqlTransform | DedupTransform | WindowTransform;

/**
 * Stateless SQL over the micro-batch: `SELECT … FROM input …`. It may join Iceberg tables by
 * `db.table` (a stream–table join: the table's current snapshot at each batch). It must keep the
 * event-time column when a stateful transform follows.
 */
export interface SqlTransform {
  readonly kind: 'sql';
  readonly sql: string;
}

/** Drops a record whose keys were already seen within the watermark (state expires behind it). */
export interface DedupTransform {
  readonly kind: 'dedup';
  readonly keys: readonly string[];
}

export interface WindowTransform {
  readonly kind: 'window';
  readonly window: WindowSpec;
  /** Default: the source's event-time column. */
  readonly timeColumn: string;
  readonly groupBy: readonly string[];
  readonly aggregates: readonly AggregateDefinition[];
}

export type WindowSpec =
  | { readonly type: 'tumbling'; readonly sizeMs: number }
  | { readonly type: 'sliding'; readonly sizeMs: number; readonly slideMs: number }
  /** A session closes after `gapMs` without events for its key. */
  | { readonly type: 'session'; readonly gapMs: number };

export type AggregateFunction = 'count' | 'sum' | 'min' | 'max' | 'avg';

export interface AggregateDefinition {
  /** Output column name. */
  readonly name: string;
  readonly fn: AggregateFunction;
  /** Input column; absent only for `count` (= count(*)). `count(col)` counts non-null values. */
  readonly column?: string;
}

// ---------------------------------------------------------------------------------------------
// Sink, state, alerts

export interface SinkDefinition {
  /** `db.table`; created on first run from the chain's output columns. */
  readonly table: string;
  readonly mode: 'append' | 'upsert';
  /** Upsert keys; for a window transform default `window_start, window_end, <groupBy…>`. */
  readonly keys: readonly string[];
  /** Partition spec terms for a created table, e.g. `day(window_start)`. */
  readonly partitionBy: readonly string[];
}

export interface StateSettings {
  /** In-memory state above which the coldest keys spill to the local disk store (default 256 MiB). */
  readonly memoryBytes: number;
  /** Keys not updated for this long (processing time) are dropped; absent: no TTL. */
  readonly ttlMs?: number;
  /** A full state snapshot every N batches; changelogs in between (default 10). */
  readonly snapshotEvery: number;
  /** Full snapshots kept in the lake (default 2); older snapshots and changelogs are deleted. */
  readonly retainSnapshots: number;
}

export interface AlertSettings {
  /** POSTed a JSON event (signed like other Strata webhooks) on lag and checkpoint failures. */
  readonly webhook: string;
  /** Alert when the backlog is older/larger than this: lag in records. */
  readonly maxBacklogRecords?: number;
  /** Alert when the watermark trails processing time by more than this. */
  readonly maxWatermarkDelayMs?: number;
}

/** Output columns of a window transform, before the aggregates. */
export const WINDOW_START = 'window_start';
export const WINDOW_END = 'window_end';

export const DEFAULT_MAX_RECORDS_PER_BATCH = 100_000;
export const DEFAULT_TRIGGER_INTERVAL_MS = 1_000;
export const DEFAULT_STATE: StateSettings = { memoryBytes: 256 * 1024 * 1024, snapshotEvery: 10, retainSnapshots: 2 };
