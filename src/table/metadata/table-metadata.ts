/**
 * Iceberg table metadata (format v2): the whole state of a table at one version. Immutable; every
 * change produces a new value (see metadata-builder.ts) that is written as a new metadata file.
 */
import { StrataError } from '../../core/index.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import type { Schema } from '../schema/schema.ts';
import {
  MAIN_BRANCH,
  type MetadataLogEntry,
  type Snapshot,
  type SnapshotLogEntry,
  type SnapshotRef,
} from './snapshot.ts';

export interface SortField {
  readonly transform: string;
  readonly sourceId: number;
  readonly direction: 'asc' | 'desc';
  readonly nullOrder: 'nulls-first' | 'nulls-last';
}

export interface SortOrder {
  readonly orderId: number;
  readonly fields: readonly SortField[];
}

export const UNSORTED_ORDER: SortOrder = { orderId: 0, fields: [] };

export interface TableMetadata {
  readonly formatVersion: 2;
  readonly tableUuid: string;
  readonly location: string;
  readonly lastSequenceNumber: bigint;
  readonly lastUpdatedMs: number;
  readonly lastColumnId: number;
  readonly schemas: readonly Schema[];
  readonly currentSchemaId: number;
  readonly partitionSpecs: readonly PartitionSpec[];
  readonly defaultSpecId: number;
  readonly lastPartitionId: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly currentSnapshotId: bigint | null;
  readonly snapshots: readonly Snapshot[];
  readonly snapshotLog: readonly SnapshotLogEntry[];
  readonly metadataLog: readonly MetadataLogEntry[];
  readonly sortOrders: readonly SortOrder[];
  readonly defaultSortOrderId: number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
  /** Statistics files (Puffin) are carried through untouched; Strata does not write them yet. */
  readonly statistics?: readonly unknown[];
  readonly partitionStatistics?: readonly unknown[];
}

export function currentSchema(meta: TableMetadata): Schema {
  return schemaById(meta, meta.currentSchemaId);
}

export function schemaById(meta: TableMetadata, schemaId: number): Schema {
  const found = meta.schemas.find((s) => s.schemaId === schemaId);
  if (!found) throw new StrataError('INVALID_METADATA', `Table metadata has no schema with id ${schemaId}`, { schemaId });
  return found;
}

export function defaultSpec(meta: TableMetadata): PartitionSpec {
  return specById(meta, meta.defaultSpecId);
}

export function specById(meta: TableMetadata, specId: number): PartitionSpec {
  const found = meta.partitionSpecs.find((s) => s.specId === specId);
  if (!found) throw new StrataError('INVALID_METADATA', `Table metadata has no partition spec with id ${specId}`, { specId });
  return found;
}

export function snapshotById(meta: TableMetadata, snapshotId: bigint): Snapshot {
  const found = meta.snapshots.find((s) => s.snapshotId === snapshotId);
  if (!found) {
    throw new StrataError(
      'SNAPSHOT_NOT_FOUND',
      `Snapshot ${snapshotId} does not exist in table ${meta.location}; list snapshots to see the valid ids`,
      { snapshotId: snapshotId.toString() },
    );
  }
  return found;
}

export function currentSnapshot(meta: TableMetadata): Snapshot | undefined {
  return meta.currentSnapshotId === null ? undefined : snapshotById(meta, meta.currentSnapshotId);
}

/** The snapshot a branch or tag points at; undefined for a branch with no commits yet (main of an empty table). */
export function snapshotForRef(meta: TableMetadata, ref: string): Snapshot | undefined {
  const r = meta.refs[ref];
  if (!r) {
    if (ref === MAIN_BRANCH) return undefined;
    throw new StrataError('REF_NOT_FOUND', `Table has no branch or tag named "${ref}" (refs: ${Object.keys(meta.refs).join(', ') || 'none'})`, {
      ref,
    });
  }
  return snapshotById(meta, r.snapshotId);
}

/**
 * The snapshot that was current on main at `timestampMs` (time travel "as of"), from the snapshot
 * log; throws when the table had no snapshot yet at that time.
 */
export function snapshotAsOf(meta: TableMetadata, timestampMs: number): Snapshot {
  let match: SnapshotLogEntry | undefined;
  for (const entry of meta.snapshotLog) {
    if (entry.timestampMs <= timestampMs) match = entry;
  }
  if (!match) {
    const first = meta.snapshotLog[0];
    throw new StrataError(
      'SNAPSHOT_NOT_FOUND',
      `Table had no snapshot at ${new Date(timestampMs).toISOString()}` +
        (first ? `; its first snapshot is from ${new Date(first.timestampMs).toISOString()}` : '; it has no snapshots'),
      { timestampMs },
    );
  }
  return snapshotById(meta, match.snapshotId);
}

/** The ancestors of a snapshot, newest first, starting with the snapshot itself. */
export function ancestorsOf(meta: TableMetadata, snapshotId: bigint | undefined): Snapshot[] {
  const chain: Snapshot[] = [];
  const byId = new Map(meta.snapshots.map((s) => [s.snapshotId, s]));
  let next = snapshotId === undefined ? undefined : byId.get(snapshotId);
  while (next) {
    chain.push(next);
    next = next.parentSnapshotId === undefined ? undefined : byId.get(next.parentSnapshotId);
  }
  return chain;
}
