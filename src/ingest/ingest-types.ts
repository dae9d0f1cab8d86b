/**
 * The public shapes of an ingest run (agreed between the ingest, CLI and SQL helpers in issue 3).
 * `ingest()` never throws for bad *input*: bad records and unreadable files are reported here and
 * land in the quarantine table. It throws a `StrataError` only for bad *usage* (no such database, a
 * path that matches nothing, a schema that contradicts the existing table).
 */
import type { Catalog } from '../catalog/index.ts';
import type { LakeLayout } from '../storage/index.ts';
import type { DuckDbRuntime, NestedField, Schema } from '../table/index.ts';

export type IngestFormat = 'json' | 'ndjson' | 'csv' | 'parquet';

export interface IngestProgress {
  readonly file: string;
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly rows: number;
}

export interface IngestOptions {
  readonly catalog: Catalog;
  readonly lake: LakeLayout;
  readonly runtime: DuckDbRuntime;
  /** Files, directories (walked recursively) or globs (`data/**\/*.ndjson`). */
  readonly paths: readonly string[];
  /** `db.table`; created in the raw zone when missing. */
  readonly into: string;
  /** Default: from each file's extension (.ndjson/.jsonl, .json, .csv, .parquet). */
  readonly format?: IngestFormat;
  /** Columns to validate against (from `--schema`, see `parseSchemaFile`); lineage columns are added. */
  readonly schema?: Schema | readonly NestedField[];
  /** Re-ingest files whose content was ingested before. */
  readonly force?: boolean;
  /** 0..1: the run fails when quarantined/read is above it. Default 1 (never, unless nothing was written). */
  readonly maxBadRatio?: number;
  readonly onProgress?: (p: IngestProgress) => void;
  // ---- additive tuning knobs (defaults in parentheses) ----
  /** A record longer than this is quarantined as OVERSIZE_RECORD (1 MiB). */
  readonly maxRecordBytes?: number;
  /** Records sampled for schema inference (1000). */
  readonly sampleSize?: number;
  /** Good rows per staged NDJSON batch / Parquet write (100,000). */
  readonly batchRows?: number;
  /** Raw text kept per quarantined record; longer text is truncated, its length recorded (1 MiB). */
  readonly rawTextCap?: number;
  /** What to do with a non-null field the schema does not have: quarantine the record (default) or drop the field. */
  readonly unknownFields?: 'quarantine' | 'ignore';
  /**
   * Let DuckDB parse whole NDJSON/CSV files when it can prove the careful per-record path would
   * accept every record identically (fast-path.ts); default true. false forces the careful path.
   */
  readonly fastPath?: boolean;
  /** The ingest time (tests); default now. */
  readonly now?: Date;
}

export interface IngestFileResult {
  path: string;
  status: 'ingested' | 'skipped' | 'failed';
  read: number;
  written: number;
  quarantined: number;
  reason?: string;
}

export interface IngestResult {
  readonly files: readonly IngestFileResult[];
  readonly read: number;
  readonly written: number;
  readonly quarantined: number;
  /** The data table's new snapshot (absent when nothing was committed to it). */
  readonly snapshotId?: bigint;
  readonly quarantineTable: string;
  /** True when the run should exit non-zero: nothing ingested (and something to ingest), or bad ratio above maxBadRatio. */
  readonly failed: boolean;
}
