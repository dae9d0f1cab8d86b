/**
 * Table changes as data: a commit is a list of requirements (what must still hold on the table's
 * latest metadata) and a list of updates (what to change). This is the model of the Iceberg REST
 * catalog's `CommitTableRequest`, so Strata's own writers and outside engines (Spark through the
 * REST endpoint) commit through exactly the same code.
 */
import type { PartitionSpec } from '../partition/partition-spec.ts';
import type { Schema } from '../schema/schema.ts';
import type { Snapshot, SnapshotRef } from './snapshot.ts';
import type { SortOrder } from './table-metadata.ts';

export type MetadataUpdate =
  | { readonly action: 'assign-uuid'; readonly uuid: string }
  | { readonly action: 'upgrade-format-version'; readonly formatVersion: number }
  | { readonly action: 'add-schema'; readonly schema: Schema; readonly lastColumnId?: number }
  /** schemaId -1 means "the schema added by this commit". */
  | { readonly action: 'set-current-schema'; readonly schemaId: number }
  | { readonly action: 'add-spec'; readonly spec: PartitionSpec }
  /** specId -1 means "the spec added by this commit". */
  | { readonly action: 'set-default-spec'; readonly specId: number }
  | { readonly action: 'add-sort-order'; readonly sortOrder: SortOrder }
  | { readonly action: 'set-default-sort-order'; readonly sortOrderId: number }
  | { readonly action: 'add-snapshot'; readonly snapshot: Snapshot }
  | { readonly action: 'set-snapshot-ref'; readonly refName: string; readonly ref: SnapshotRef }
  | { readonly action: 'remove-snapshot-ref'; readonly refName: string }
  | { readonly action: 'remove-snapshots'; readonly snapshotIds: readonly bigint[] }
  | { readonly action: 'set-location'; readonly location: string }
  | { readonly action: 'set-properties'; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: 'remove-properties'; readonly removals: readonly string[] };

export type TableRequirement =
  | { readonly type: 'assert-create' }
  | { readonly type: 'assert-table-uuid'; readonly uuid: string }
  /** snapshotId null asserts that the ref does not exist. */
  | { readonly type: 'assert-ref-snapshot-id'; readonly ref: string; readonly snapshotId: bigint | null }
  | { readonly type: 'assert-last-assigned-field-id'; readonly lastAssignedFieldId: number }
  | { readonly type: 'assert-current-schema-id'; readonly currentSchemaId: number }
  | { readonly type: 'assert-last-assigned-partition-id'; readonly lastAssignedPartitionId: number }
  | { readonly type: 'assert-default-spec-id'; readonly defaultSpecId: number }
  | { readonly type: 'assert-default-sort-order-id'; readonly defaultSortOrderId: number };

/** What one commit asks for: requirements checked against the latest metadata, then updates applied. */
export interface TableChange {
  readonly requirements: readonly TableRequirement[];
  readonly updates: readonly MetadataUpdate[];
}
