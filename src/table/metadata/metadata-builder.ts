/**
 * Applies a commit's requirements and updates to table metadata, producing the next version.
 * Pure: no I/O. Every rule the spec states about metadata (sequence numbers increase, ids are
 * never reused, main's history goes to the snapshot log, old metadata files go to the metadata log)
 * is enforced here, once, for every writer.
 */
import { randomUUID } from 'node:crypto';
import { StrataError } from '../../core/index.ts';
import { PARTITION_DATA_ID_START, type PartitionSpec } from '../partition/partition-spec.ts';
import { highestFieldId, indexSchema, type Schema } from '../schema/schema.ts';
import { typeToJson } from '../schema/type-json.ts';
import { MAIN_BRANCH, type MetadataLogEntry, type Snapshot, type SnapshotRef } from './snapshot.ts';
import { UNSORTED_ORDER, type SortOrder, type TableMetadata } from './table-metadata.ts';
import type { MetadataUpdate, TableRequirement } from './metadata-update.ts';

/** Table property: how many previous metadata files the metadata log keeps (Iceberg's name and default). */
export const PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
const DEFAULT_PREVIOUS_VERSIONS_MAX = 100;

export interface NewTableOptions {
  readonly location: string;
  readonly schema: Schema;
  readonly spec?: PartitionSpec;
  readonly sortOrder?: SortOrder;
  readonly properties?: Readonly<Record<string, string>>;
  readonly tableUuid?: string;
  readonly nowMs?: number;
}

/** Metadata of a new, empty table (no snapshots; main does not exist until the first commit). */
export function newTableMetadata(options: NewTableOptions): TableMetadata {
  const spec = options.spec ?? { specId: 0, fields: [] };
  indexSchema(options.schema);
  const schema = { ...options.schema, schemaId: 0 };
  return {
    formatVersion: 2,
    tableUuid: options.tableUuid ?? randomUUID(),
    location: options.location.replace(/\/+$/, ''),
    lastSequenceNumber: 0n,
    lastUpdatedMs: options.nowMs ?? Date.now(),
    lastColumnId: highestFieldId(schema),
    schemas: [schema],
    currentSchemaId: 0,
    partitionSpecs: [{ ...spec, specId: 0 }],
    defaultSpecId: 0,
    lastPartitionId: Math.max(PARTITION_DATA_ID_START - 1, ...spec.fields.map((f) => f.fieldId)),
    properties: { ...(options.properties ?? {}) },
    currentSnapshotId: null,
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [options.sortOrder ?? UNSORTED_ORDER],
    defaultSortOrderId: (options.sortOrder ?? UNSORTED_ORDER).orderId,
    refs: {},
  };
}

/** Throws COMMIT_CONFLICT naming the first requirement the metadata no longer meets. */
export function checkRequirements(meta: TableMetadata | undefined, requirements: readonly TableRequirement[]): void {
  for (const req of requirements) {
    if (req.type === 'assert-create') {
      if (meta) throw conflict('the table already exists', req);
      continue;
    }
    if (!meta) throw new StrataError('TABLE_NOT_FOUND', 'The table does not exist', {});
    switch (req.type) {
      case 'assert-table-uuid':
        if (meta.tableUuid !== req.uuid) throw conflict(`table uuid is ${meta.tableUuid}, expected ${req.uuid}`, req);
        break;
      case 'assert-ref-snapshot-id': {
        const ref = meta.refs[req.ref];
        const actual = ref ? ref.snapshotId : null;
        if (actual !== req.snapshotId) {
          throw conflict(`branch ${req.ref} moved: it is at ${actual ?? 'nothing'}, expected ${req.snapshotId ?? 'nothing'}`, req);
        }
        break;
      }
      case 'assert-last-assigned-field-id':
        if (meta.lastColumnId !== req.lastAssignedFieldId) throw conflict('the schema changed concurrently', req);
        break;
      case 'assert-current-schema-id':
        if (meta.currentSchemaId !== req.currentSchemaId) throw conflict('the current schema changed concurrently', req);
        break;
      case 'assert-last-assigned-partition-id':
        if (meta.lastPartitionId !== req.lastAssignedPartitionId) throw conflict('the partition specs changed concurrently', req);
        break;
      case 'assert-default-spec-id':
        if (meta.defaultSpecId !== req.defaultSpecId) throw conflict('the default partition spec changed concurrently', req);
        break;
      case 'assert-default-sort-order-id':
        if (meta.defaultSortOrderId !== req.defaultSortOrderId) throw conflict('the default sort order changed concurrently', req);
        break;
    }
  }
}

function conflict(what: string, req: TableRequirement): StrataError {
  return new StrataError('COMMIT_CONFLICT', `Commit conflict: ${what}`, { requirement: req.type });
}

export interface ApplyOptions {
  readonly nowMs?: number;
  /** Location of the metadata file `base` was read from; it goes into the metadata log. */
  readonly baseLocation?: string;
}

/** Apply updates to `base`, returning the next metadata version. Throws INVALID_ARGUMENT on an invalid update. */
export function applyUpdates(base: TableMetadata, updates: readonly MetadataUpdate[], options: ApplyOptions = {}): TableMetadata {
  const nowMs = Math.max(options.nowMs ?? Date.now(), base.lastUpdatedMs);
  let meta: Mutable<TableMetadata> = { ...base };
  let lastAddedSchemaId: number | undefined;
  let lastAddedSpecId: number | undefined;
  let lastAddedSortOrderId: number | undefined;
  const addedSnapshots = new Map<bigint, Snapshot>();

  for (const update of updates) {
    switch (update.action) {
      case 'assign-uuid':
        if (meta.tableUuid !== update.uuid) throw invalid(`cannot change the table uuid of an existing table`);
        break;
      case 'upgrade-format-version':
        if (update.formatVersion !== 2) throw new StrataError('UNSUPPORTED_FEATURE', `Only format version 2 is supported`);
        break;
      case 'add-schema': {
        indexSchema(update.schema);
        const existing = meta.schemas.find((s) => sameSchemaStructure(s, update.schema));
        const schemaId = existing?.schemaId ?? Math.max(-1, ...meta.schemas.map((s) => s.schemaId)) + 1;
        if (!existing) meta.schemas = [...meta.schemas, { ...update.schema, schemaId }];
        meta.lastColumnId = Math.max(meta.lastColumnId, update.lastColumnId ?? 0, highestFieldId(update.schema));
        lastAddedSchemaId = schemaId;
        break;
      }
      case 'set-current-schema': {
        const id = update.schemaId === -1 ? lastAddedSchemaId : update.schemaId;
        if (id === undefined) throw invalid('set-current-schema -1 needs an add-schema earlier in the same commit');
        if (!meta.schemas.some((s) => s.schemaId === id)) throw invalid(`no schema with id ${id}`);
        meta.currentSchemaId = id;
        break;
      }
      case 'add-spec': {
        const existing = meta.partitionSpecs.find((s) => sameSpecStructure(s, update.spec));
        const specId = existing?.specId ?? Math.max(-1, ...meta.partitionSpecs.map((s) => s.specId)) + 1;
        if (!existing) meta.partitionSpecs = [...meta.partitionSpecs, { ...update.spec, specId }];
        meta.lastPartitionId = Math.max(meta.lastPartitionId, ...update.spec.fields.map((f) => f.fieldId));
        lastAddedSpecId = specId;
        break;
      }
      case 'set-default-spec': {
        const id = update.specId === -1 ? lastAddedSpecId : update.specId;
        if (id === undefined) throw invalid('set-default-spec -1 needs an add-spec earlier in the same commit');
        if (!meta.partitionSpecs.some((s) => s.specId === id)) throw invalid(`no partition spec with id ${id}`);
        meta.defaultSpecId = id;
        break;
      }
      case 'add-sort-order': {
        const fields = JSON.stringify(update.sortOrder.fields);
        const existing = meta.sortOrders.find((o) => JSON.stringify(o.fields) === fields);
        // Id 0 is reserved for "unsorted"; other orders get fresh ids, whatever the caller sent.
        const orderId = existing?.orderId ?? (update.sortOrder.fields.length === 0 ? 0 : Math.max(0, ...meta.sortOrders.map((o) => o.orderId)) + 1);
        if (!existing) meta.sortOrders = [...meta.sortOrders, { ...update.sortOrder, orderId }];
        lastAddedSortOrderId = orderId;
        break;
      }
      case 'set-default-sort-order': {
        const id = update.sortOrderId === -1 ? lastAddedSortOrderId : update.sortOrderId;
        if (id === undefined) throw invalid('set-default-sort-order -1 needs an add-sort-order earlier in the same commit');
        if (!meta.sortOrders.some((o) => o.orderId === id)) throw invalid(`no sort order with id ${id}`);
        meta.defaultSortOrderId = id;
        break;
      }
      case 'add-snapshot': {
        const s = update.snapshot;
        if (meta.snapshots.some((x) => x.snapshotId === s.snapshotId)) throw invalid(`snapshot ${s.snapshotId} already exists`);
        if (s.sequenceNumber <= meta.lastSequenceNumber && s.parentSnapshotId !== undefined) {
          throw new StrataError(
            'COMMIT_CONFLICT',
            `Snapshot sequence number ${s.sequenceNumber} is not above the table's last sequence number ${meta.lastSequenceNumber}`,
          );
        }
        meta.snapshots = [...meta.snapshots, s];
        meta.lastSequenceNumber = s.sequenceNumber > meta.lastSequenceNumber ? s.sequenceNumber : meta.lastSequenceNumber;
        addedSnapshots.set(s.snapshotId, s);
        break;
      }
      case 'set-snapshot-ref': {
        const target = meta.snapshots.find((s) => s.snapshotId === update.ref.snapshotId);
        if (!target) throw invalid(`ref ${update.refName} points at unknown snapshot ${update.ref.snapshotId}`);
        const previous = meta.refs[update.refName];
        if (previous && previous.type !== update.ref.type) {
          throw invalid(`${update.refName} is a ${previous.type}; it cannot become a ${update.ref.type}`);
        }
        if (update.refName === MAIN_BRANCH && update.ref.type !== 'branch') throw invalid('main must be a branch');
        meta.refs = { ...meta.refs, [update.refName]: update.ref };
        if (update.refName === MAIN_BRANCH && meta.currentSnapshotId !== update.ref.snapshotId) {
          meta.currentSnapshotId = update.ref.snapshotId;
          const added = addedSnapshots.get(update.ref.snapshotId);
          meta.snapshotLog = [...meta.snapshotLog, { timestampMs: added ? added.timestampMs : nowMs, snapshotId: update.ref.snapshotId }];
        }
        break;
      }
      case 'remove-snapshot-ref': {
        const { [update.refName]: _removed, ...rest } = meta.refs;
        meta.refs = rest;
        if (update.refName === MAIN_BRANCH) meta.currentSnapshotId = null;
        break;
      }
      case 'remove-snapshots': {
        const remove = new Set(update.snapshotIds);
        for (const [name, ref] of Object.entries(meta.refs)) {
          if (remove.has(ref.snapshotId)) throw invalid(`snapshot ${ref.snapshotId} is still referenced by ${name}`);
        }
        meta.snapshots = meta.snapshots.filter((s) => !remove.has(s.snapshotId));
        // History before a removed snapshot can no longer be replayed: an "as of" read in the removed
        // snapshot's window must fail rather than silently return its predecessor (as Iceberg does).
        const lastRemoved = meta.snapshotLog.findLastIndex((e) => remove.has(e.snapshotId));
        meta.snapshotLog = meta.snapshotLog.slice(lastRemoved + 1);
        break;
      }
      case 'set-location':
        meta.location = update.location.replace(/\/+$/, '');
        break;
      case 'set-properties':
        meta.properties = { ...meta.properties, ...update.updates };
        break;
      case 'remove-properties': {
        const props = { ...meta.properties };
        for (const key of update.removals) delete props[key];
        meta.properties = props;
        break;
      }
    }
  }

  if (options.baseLocation !== undefined) {
    const maxPrevious = Number(meta.properties[PREVIOUS_VERSIONS_MAX] ?? DEFAULT_PREVIOUS_VERSIONS_MAX);
    const log: MetadataLogEntry[] = [...meta.metadataLog, { timestampMs: base.lastUpdatedMs, metadataFile: options.baseLocation }];
    meta.metadataLog = log.slice(Math.max(0, log.length - Math.max(1, maxPrevious)));
  }
  // Readers reject metadata whose last-updated-ms is before its newest snapshot log entry.
  meta.lastUpdatedMs = Math.max(nowMs, ...[...addedSnapshots.values()].map((s) => s.timestampMs));
  meta = { ...meta };
  return meta;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function invalid(message: string): StrataError {
  return new StrataError('INVALID_ARGUMENT', `Invalid table update: ${message}`);
}

/** Two schemas are the same if their fields (ids, names, types, requiredness, docs) are; ids of the schemas themselves are ignored. */
export function sameSchemaStructure(a: Schema, b: Schema): boolean {
  const shape = (s: Schema) =>
    JSON.stringify([typeToJson({ kind: 'struct', fields: s.fields }), [...(s.identifierFieldIds ?? [])].sort()]);
  return shape(a) === shape(b);
}

export function sameSpecStructure(a: PartitionSpec, b: PartitionSpec): boolean {
  const shape = (s: PartitionSpec) => JSON.stringify(s.fields.map((f) => [f.sourceId, f.fieldId, f.name, f.transform]));
  return shape(a) === shape(b);
}

/** The ref a branch has after a commit of `snapshotId` onto it, keeping its retention settings. */
export function advanceBranch(meta: TableMetadata, branch: string, snapshotId: bigint): SnapshotRef {
  const previous = meta.refs[branch];
  return { ...(previous ?? {}), snapshotId, type: 'branch' };
}
