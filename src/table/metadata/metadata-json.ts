/**
 * Reading and writing table metadata files (Iceberg spec, "Table Metadata" JSON, format v2).
 * Numbers that are 64-bit in the spec (snapshot ids, sequence numbers) go through lossless JSON:
 * a snapshot id above 2^53 must round-trip exactly.
 */
import { StrataError, messageOf, parseJson, stringifyJson, toBigInt } from '../../core/index.ts';
import { specFromJson, specToJson } from '../partition/partition-spec.ts';
import { schemaFromJson, schemaToJson } from '../schema/schema.ts';
import type { Snapshot, SnapshotRef, SnapshotSummary } from './snapshot.ts';
import type { SortOrder, TableMetadata } from './table-metadata.ts';

type Json = Record<string, unknown>;

export function metadataToJson(meta: TableMetadata): string {
  const json: Json = {
    'format-version': meta.formatVersion,
    'table-uuid': meta.tableUuid,
    location: meta.location,
    'last-sequence-number': meta.lastSequenceNumber,
    'last-updated-ms': meta.lastUpdatedMs,
    'last-column-id': meta.lastColumnId,
    'current-schema-id': meta.currentSchemaId,
    schemas: meta.schemas.map(schemaToJson),
    'default-spec-id': meta.defaultSpecId,
    'partition-specs': meta.partitionSpecs.map(specToJson),
    'last-partition-id': meta.lastPartitionId,
    'default-sort-order-id': meta.defaultSortOrderId,
    'sort-orders': meta.sortOrders.map(sortOrderToJson),
    properties: { ...meta.properties },
    'current-snapshot-id': meta.currentSnapshotId ?? -1,
    refs: Object.fromEntries(Object.entries(meta.refs).map(([name, ref]) => [name, refToJson(ref)])),
    snapshots: meta.snapshots.map(snapshotToJson),
    statistics: meta.statistics ?? [],
    'partition-statistics': meta.partitionStatistics ?? [],
    'snapshot-log': meta.snapshotLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'snapshot-id': e.snapshotId })),
    'metadata-log': meta.metadataLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'metadata-file': e.metadataFile })),
  };
  return stringifyJson(json, 2);
}

export function snapshotToJson(s: Snapshot): Json {
  const json: Json = {
    'sequence-number': s.sequenceNumber,
    'snapshot-id': s.snapshotId,
    'timestamp-ms': s.timestampMs,
    summary: { ...s.summary },
    'manifest-list': s.manifestList,
  };
  if (s.parentSnapshotId !== undefined) json['parent-snapshot-id'] = s.parentSnapshotId;
  if (s.schemaId !== undefined) json['schema-id'] = s.schemaId;
  return json;
}

export function refToJson(ref: SnapshotRef): Json {
  const json: Json = { 'snapshot-id': ref.snapshotId, type: ref.type };
  if (ref.minSnapshotsToKeep !== undefined) json['min-snapshots-to-keep'] = ref.minSnapshotsToKeep;
  if (ref.maxSnapshotAgeMs !== undefined) json['max-snapshot-age-ms'] = ref.maxSnapshotAgeMs;
  if (ref.maxRefAgeMs !== undefined) json['max-ref-age-ms'] = ref.maxRefAgeMs;
  return json;
}

function sortOrderToJson(order: SortOrder): Json {
  return {
    'order-id': order.orderId,
    fields: order.fields.map((f) => ({
      transform: f.transform,
      'source-id': f.sourceId,
      direction: f.direction,
      'null-order': f.nullOrder,
    })),
  };
}

/**
 * Parse a metadata file's text. `source` names the file in errors, so a corrupt file is reported
 * as "metadata file s3://…/v3.metadata.json is not valid JSON", never as a bare SyntaxError.
 */
export function metadataFromJson(text: string, source: string): TableMetadata {
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch (error) {
    throw new StrataError('CORRUPT_FILE', `Metadata file ${source} is not valid JSON: ${messageOf(error)}`, { file: source });
  }
  try {
    return parseMetadata(raw);
  } catch (error) {
    if (StrataError.is(error, 'CORRUPT_FILE')) throw error;
    throw new StrataError('CORRUPT_FILE', `Metadata file ${source} is not valid Iceberg table metadata: ${messageOf(error)}`, {
      file: source,
    }, { cause: error });
  }
}

function parseMetadata(raw: unknown): TableMetadata {
  const json = obj(raw, 'table metadata');
  const version = json['format-version'];
  if (version !== 2) {
    throw new StrataError('UNSUPPORTED_FEATURE', `Only Iceberg format version 2 is supported, this table is version ${String(version)}`);
  }
  const snapshots = arr(json['snapshots'] ?? [], 'snapshots').map(parseSnapshot);
  const currentRaw = json['current-snapshot-id'];
  const current = currentRaw === undefined || currentRaw === null ? -1n : toBigInt(currentRaw, 'current-snapshot-id');
  const currentSnapshotId = current === -1n ? null : current;
  const refsJson = obj(json['refs'] ?? {}, 'refs');
  const refs: Record<string, SnapshotRef> = {};
  for (const [name, value] of Object.entries(refsJson)) refs[name] = parseRef(value, name);
  // v2 tables written before refs existed have only current-snapshot-id: main is implied.
  if (currentSnapshotId !== null && !refs['main']) refs['main'] = { snapshotId: currentSnapshotId, type: 'branch' };
  return {
    formatVersion: 2,
    tableUuid: str(json['table-uuid'], 'table-uuid'),
    location: str(json['location'], 'location'),
    lastSequenceNumber: toBigInt(json['last-sequence-number'], 'last-sequence-number'),
    lastUpdatedMs: num(json['last-updated-ms'], 'last-updated-ms'),
    lastColumnId: num(json['last-column-id'], 'last-column-id'),
    schemas: arr(json['schemas'], 'schemas').map(schemaFromJson),
    currentSchemaId: num(json['current-schema-id'], 'current-schema-id'),
    partitionSpecs: arr(json['partition-specs'], 'partition-specs').map(specFromJson),
    defaultSpecId: num(json['default-spec-id'], 'default-spec-id'),
    lastPartitionId: num(json['last-partition-id'], 'last-partition-id'),
    properties: strMap(json['properties'] ?? {}, 'properties'),
    currentSnapshotId,
    snapshots,
    snapshotLog: arr(json['snapshot-log'] ?? [], 'snapshot-log').map((e) => {
      const entry = obj(e, 'snapshot-log entry');
      return { timestampMs: num(entry['timestamp-ms'], 'timestamp-ms'), snapshotId: toBigInt(entry['snapshot-id'], 'snapshot-id') };
    }),
    metadataLog: arr(json['metadata-log'] ?? [], 'metadata-log').map((e) => {
      const entry = obj(e, 'metadata-log entry');
      return { timestampMs: num(entry['timestamp-ms'], 'timestamp-ms'), metadataFile: str(entry['metadata-file'], 'metadata-file') };
    }),
    sortOrders: arr(json['sort-orders'] ?? [{ 'order-id': 0, fields: [] }], 'sort-orders').map(parseSortOrder),
    defaultSortOrderId: num(json['default-sort-order-id'] ?? 0, 'default-sort-order-id'),
    refs,
    ...nonEmpty('statistics', arr(json['statistics'] ?? [], 'statistics')),
    ...nonEmpty('partitionStatistics', arr(json['partition-statistics'] ?? [], 'partition-statistics')),
  };
}

export function parseSnapshot(raw: unknown): Snapshot {
  const json = obj(raw, 'snapshot');
  const summary = strMap(json['summary'] ?? { operation: 'append' }, 'summary');
  const operation = summary['operation'];
  if (operation !== 'append' && operation !== 'replace' && operation !== 'overwrite' && operation !== 'delete') {
    throw new Error(`snapshot ${String(json['snapshot-id'])} has unknown operation "${String(operation)}"`);
  }
  const snapshot: Snapshot = {
    snapshotId: toBigInt(json['snapshot-id'], 'snapshot-id'),
    sequenceNumber: toBigInt(json['sequence-number'] ?? 0, 'sequence-number'),
    timestampMs: num(json['timestamp-ms'], 'timestamp-ms'),
    manifestList: str(json['manifest-list'], 'manifest-list'),
    summary: { ...summary, operation } as SnapshotSummary,
  };
  const parent = json['parent-snapshot-id'];
  const schemaId = json['schema-id'];
  return {
    ...snapshot,
    ...(parent !== undefined && parent !== null ? { parentSnapshotId: toBigInt(parent, 'parent-snapshot-id') } : {}),
    ...(typeof schemaId === 'number' ? { schemaId } : {}),
  };
}

export function parseRef(raw: unknown, name: string): SnapshotRef {
  const json = obj(raw, `ref ${name}`);
  const type = json['type'];
  if (type !== 'branch' && type !== 'tag') throw new Error(`ref ${name} has type "${String(type)}", expected branch or tag`);
  const ref: SnapshotRef = { snapshotId: toBigInt(json['snapshot-id'], `snapshot-id of ref ${name}`), type };
  const optional = (key: string) => (typeof json[key] === 'number' ? (json[key] as number) : undefined);
  const keep = optional('min-snapshots-to-keep');
  const snapAge = optional('max-snapshot-age-ms');
  const refAge = optional('max-ref-age-ms');
  return {
    ...ref,
    ...(keep !== undefined ? { minSnapshotsToKeep: keep } : {}),
    ...(snapAge !== undefined ? { maxSnapshotAgeMs: snapAge } : {}),
    ...(refAge !== undefined ? { maxRefAgeMs: refAge } : {}),
  };
}

export function parseSortOrder(raw: unknown): SortOrder {
  const json = obj(raw, 'sort order');
  return {
    orderId: num(json['order-id'], 'order-id'),
    fields: arr(json['fields'] ?? [], 'sort fields').map((f) => {
      const field = obj(f, 'sort field');
      return {
        transform: str(field['transform'], 'transform'),
        sourceId: num(field['source-id'], 'source-id'),
        direction: field['direction'] === 'desc' ? 'desc' : 'asc',
        nullOrder: field['null-order'] === 'nulls-last' ? 'nulls-last' : 'nulls-first',
      };
    }),
  };
}

function nonEmpty<K extends string>(key: K, list: unknown[]): Partial<Record<K, unknown[]>> {
  return list.length > 0 ? ({ [key]: list } as Partial<Record<K, unknown[]>>) : {};
}

function obj(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be an object`);
  return value as Json;
}
function arr(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} must be an array`);
  return value;
}
function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string`);
  return value;
}
function num(value: unknown, what: string): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number') throw new Error(`${what} must be a number`);
  return value;
}
function strMap(value: unknown, what: string): Record<string, string> {
  const json = obj(value, what);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json)) out[k] = typeof v === 'string' ? v : String(v);
  return out;
}
