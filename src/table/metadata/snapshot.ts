/**
 * Snapshots and refs: each commit produces a snapshot (a manifest list plus a summary); branches and
 * tags are named refs to snapshots. `main` is the branch the table's current snapshot lives on.
 */
export const MAIN_BRANCH = 'main';

export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

/** The snapshot summary: `operation` plus string-valued counters (`added-data-files`, ...). */
export type SnapshotSummary = Readonly<Record<string, string>> & { readonly operation: SnapshotOperation };

export interface Snapshot {
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint;
  readonly sequenceNumber: bigint;
  readonly timestampMs: number;
  readonly manifestList: string;
  readonly summary: SnapshotSummary;
  readonly schemaId?: number;
}

export interface SnapshotRef {
  readonly snapshotId: bigint;
  readonly type: 'branch' | 'tag';
  readonly minSnapshotsToKeep?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly maxRefAgeMs?: number;
}

export interface SnapshotLogEntry {
  readonly timestampMs: number;
  readonly snapshotId: bigint;
}

export interface MetadataLogEntry {
  readonly timestampMs: number;
  readonly metadataFile: string;
}
