/**
 * Decode a manifest written by Strata or any other Iceberg writer (Java, PyIceberg, Spark). Values
 * are read by field id from the file's own Avro schema, so writer-specific names do not matter.
 *
 * The partition tuple: with `partitionType`, values come back in its field order, matched by
 * partition field id (a field the file lacks reads as null). Without it, the tuple is the file's
 * own partition record, typed from its Avro schema.
 *
 * Anything malformed — container, schema, header metadata, or a value of the wrong shape — is a
 * `CORRUPT_FILE` naming `path`; there is never a partial result.
 *
 * @example
 *   const { entries, specId } = decodeManifest(await store.get(path), path, partitionType);
 */
import { StrataError, parseJson } from '../../core/index.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { specFromJson } from '../partition/partition-spec.ts';
import type { Schema } from '../schema/schema.ts';
import { schemaFromJson } from '../schema/schema.ts';
import type { PrimitiveType, StructType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { corrupt, readAvroContainer } from './avro-container.ts';
import type { AvroField } from './avro-fields.ts';
import { AvroSchemaIndex, RecordView, isObject, optionalLong, requireFieldIds, toBytes, toCount } from './avro-fields.ts';
import { compileAvroType, decodeRecords } from './avro-records.ts';
import { avroToPrimitive, fromAvroValue } from './avro-types.ts';
import type { DataFile, EntryStatus, FileContent, FileFormat, ManifestEntry } from './data-file.ts';
import type { ManifestContent } from './manifest-file.ts';
import { DataFileId, EntryId } from './manifest-avro-schema.ts';

export interface DecodedManifest {
  readonly entries: ManifestEntry[];
  /** The table schema the manifest was written with (header `schema`). */
  readonly schema: Schema;
  readonly specId: number;
  readonly specFields: PartitionSpec;
  readonly formatVersion: number;
  readonly content: ManifestContent;
}

type Fail = (why: string) => StrataError;

interface PartitionSlot {
  /** The writer's field, or undefined when the file lacks a field the caller's type has. */
  readonly avro: AvroField | undefined;
  readonly type: PrimitiveType;
  readonly name: string;
}

export function decodeManifest(bytes: Uint8Array, path: string, partitionType?: StructType): DecodedManifest {
  const container = readAvroContainer(bytes, path);
  const fail: Fail = (why) => corrupt(path, why);
  const header = readHeader(container.metadata, fail);

  let writerSchema: unknown;
  try {
    writerSchema = JSON.parse(container.schemaJson);
  } catch {
    throw fail('its avro.schema header is not JSON');
  }
  const index = new AvroSchemaIndex(writerSchema);
  const entryFields = index.fields(writerSchema);
  requireFieldIds(entryFields, [[EntryId.status, 'status'], [EntryId.dataFile, 'data_file']], 'manifest_entry', fail);
  const fileFields = index.fields(entryFields.get(EntryId.dataFile)?.schema);
  const d = DataFileId;
  requireFieldIds(
    fileFields,
    [
      [d.filePath, 'file_path'],
      [d.fileFormat, 'file_format'],
      [d.partition, 'partition'],
      [d.recordCount, 'record_count'],
      [d.fileSizeInBytes, 'file_size_in_bytes'],
    ],
    'data_file',
    fail,
  );
  const slots = partitionSlots(index.fields(fileFields.get(d.partition)?.schema), partitionType, fail);

  let type;
  try {
    type = compileAvroType(container.schemaJson);
  } catch (error) {
    throw corrupt(path, `its avro.schema is not a valid Avro schema (${error instanceof Error ? error.message : String(error)})`, error);
  }
  const entries = decodeRecords(type, container.blocks, path).map((record, i) => {
    const failAt: Fail = (why) => fail(`entry ${i}: ${why}`);
    return readEntry(new RecordView(entryFields, record, failAt), index, fileFields, slots, header.specId, failAt);
  });
  return { entries, ...header };
}

function readHeader(meta: ReadonlyMap<string, string>, fail: Fail): Omit<DecodedManifest, 'entries'> {
  const text = (key: string) => {
    const value = meta.get(key);
    if (value === undefined) throw fail(`its header lacks the required "${key}" metadata`);
    return value;
  };
  const int = (key: string, fallback: number) => {
    const raw = meta.get(key);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(n)) throw fail(`its "${key}" metadata is not an integer: ${JSON.stringify(raw)}`);
    return n;
  };
  const specId = int('partition-spec-id', 0);
  const formatVersion = int('format-version', 1);
  const contentText = meta.get('content') ?? 'data';
  if (contentText !== 'data' && contentText !== 'deletes') throw fail(`its "content" metadata is "${contentText}", not "data" or "deletes"`);
  let schema: Schema;
  let specFields: PartitionSpec;
  try {
    schema = schemaFromJson(parseJson(text('schema')));
    const fields = parseJson(text('partition-spec'));
    // v1 writers may store the whole spec object rather than only its fields array.
    specFields = specFromJson(Array.isArray(fields) ? { 'spec-id': specId, fields } : fields);
  } catch (error) {
    if (StrataError.is(error, 'CORRUPT_FILE')) throw error;
    throw fail(`its schema or partition-spec metadata is invalid (${error instanceof Error ? error.message : String(error)})`);
  }
  return { schema, specId, specFields, formatVersion, content: contentText === 'deletes' ? 1 : 0 };
}

function partitionSlots(
  fileFields: ReadonlyMap<number, AvroField>,
  partitionType: StructType | undefined,
  fail: Fail,
): PartitionSlot[] {
  const typeOf = (field: AvroField) => {
    const t = avroToPrimitive(field.schema);
    if (t === undefined) throw fail(`partition field ${field.name} has an Avro type Iceberg does not use for partitions`);
    return t;
  };
  if (partitionType === undefined) {
    return [...fileFields.values()].map((avro) => ({ avro, type: typeOf(avro), name: avro.name }));
  }
  return partitionType.fields.map((f) => {
    const avro = fileFields.get(f.id);
    return { avro, type: avro === undefined ? (f.type as PrimitiveType) : typeOf(avro), name: f.name };
  });
}

function readEntry(
  view: RecordView,
  index: AvroSchemaIndex,
  fileFields: ReadonlyMap<number, AvroField>,
  slots: readonly PartitionSlot[],
  specId: number,
  fail: Fail,
): ManifestEntry {
  const status = view.required(EntryId.status, 'status');
  if (status !== 0 && status !== 1 && status !== 2) throw fail(`status ${String(status)} is not 0, 1 or 2`);
  const file = new RecordView(fileFields, view.required(EntryId.dataFile, 'data_file'), fail);
  return {
    status: status as EntryStatus,
    snapshotId: optionalLong(view.optional(EntryId.snapshotId), 'snapshot_id', fail),
    sequenceNumber: optionalLong(view.optional(EntryId.sequenceNumber), 'sequence_number', fail),
    fileSequenceNumber: optionalLong(view.optional(EntryId.fileSequenceNumber), 'file_sequence_number', fail),
    dataFile: readDataFile(file, index, fileFields, slots, specId, fail),
  };
}

function readDataFile(
  file: RecordView,
  index: AvroSchemaIndex,
  fileFields: ReadonlyMap<number, AvroField>,
  slots: readonly PartitionSlot[],
  specId: number,
  fail: Fail,
): DataFile {
  const d = DataFileId;
  const filePath = file.required(d.filePath, 'file_path');
  if (typeof filePath !== 'string') throw fail('file_path is not a string');
  const failFile: Fail = (why) => fail(`${filePath}: ${why}`);
  const content = file.optional(d.content) ?? 0; // v1 manifests have no content: all data files
  if (content !== 0 && content !== 1 && content !== 2) throw failFile(`content ${String(content)} is not 0, 1 or 2`);
  const format = String(file.required(d.fileFormat, 'file_format')).toUpperCase();
  if (format !== 'PARQUET' && format !== 'AVRO' && format !== 'ORC') throw failFile(`file_format "${format}" is not PARQUET, AVRO or ORC`);

  const partitionRecord = file.required(d.partition, 'partition');
  if (!isObject(partitionRecord)) throw failFile('partition is not a record');
  const partition: IcebergValue[] = slots.map((slot) =>
    slot.avro === undefined
      ? null
      : fromAvroValue(slot.type, partitionRecord[slot.avro.name] ?? null, (why) => failFile(`partition field ${slot.name}: ${why}`)),
  );

  const count = (value: unknown, what: string) => toCount(value, what, failFile);
  const countMap = (ids: { id: number }, what: string) =>
    readIntMap(file.optional(ids.id), index, fileFields.get(ids.id), (v) => count(v, what), what, failFile);
  const bytesMap = (ids: { id: number }, what: string) =>
    readIntMap(file.optional(ids.id), index, fileFields.get(ids.id), (v) => toBytes(v, what, failFile), what, failFile);
  const list = <T>(value: unknown, what: string, item: (v: unknown) => T): T[] | undefined => {
    if (value === null) return undefined;
    if (!Array.isArray(value)) throw failFile(`${what} is not a list`);
    return value.map(item);
  };
  const int = (v: unknown, what: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw failFile(`${what} is not an int`);
    return v;
  };

  const optionalFields = {
    columnSizes: countMap(d.columnSizes, 'column_sizes'),
    valueCounts: countMap(d.valueCounts, 'value_counts'),
    nullValueCounts: countMap(d.nullValueCounts, 'null_value_counts'),
    nanValueCounts: countMap(d.nanValueCounts, 'nan_value_counts'),
    lowerBounds: bytesMap(d.lowerBounds, 'lower_bounds'),
    upperBounds: bytesMap(d.upperBounds, 'upper_bounds'),
    keyMetadata: file.optional(d.keyMetadata) === null ? undefined : toBytes(file.optional(d.keyMetadata), 'key_metadata', failFile),
    splitOffsets: list(file.optional(d.splitOffsets.id), 'split_offsets', (v) => count(v, 'split_offsets')),
    equalityIds: list(file.optional(d.equalityIds.id), 'equality_ids', (v) => int(v, 'equality_ids')),
    sortOrderId: file.optional(d.sortOrderId) === null ? undefined : int(file.optional(d.sortOrderId), 'sort_order_id'),
  };
  const present = Object.fromEntries(Object.entries(optionalFields).filter(([, v]) => v !== undefined));
  return {
    content: content as FileContent,
    filePath,
    fileFormat: format as FileFormat,
    specId,
    partition,
    recordCount: count(file.required(d.recordCount, 'record_count'), 'record_count'),
    fileSizeInBytes: count(file.required(d.fileSizeInBytes, 'file_size_in_bytes'), 'file_size_in_bytes'),
    ...(present as Partial<DataFile>),
  };
}

/** An int-keyed map stored as an array of key/value records (the first and second field). */
function readIntMap<T>(
  value: unknown,
  index: AvroSchemaIndex,
  field: AvroField | undefined,
  convert: (v: unknown) => T,
  what: string,
  fail: Fail,
): Map<number, T> | undefined {
  if (value === null || field === undefined) return undefined;
  if (!Array.isArray(value)) throw fail(`${what} is not stored as an array of key/value records`);
  const items = isObject(field.schema) ? index.resolve(field.schema['items']).schema : undefined;
  const names = isObject(items) && Array.isArray(items['fields']) ? (items['fields'] as { name?: unknown }[]).map((f) => f.name) : [];
  const [keyName, valueName] = [String(names[0] ?? 'key'), String(names[1] ?? 'value')];
  const out = new Map<number, T>();
  for (const pair of value as unknown[]) {
    if (!isObject(pair)) throw fail(`${what} holds something that is not a key/value record`);
    const key = pair[keyName];
    if (typeof key !== 'number' || !Number.isInteger(key)) throw fail(`${what} has a non-int key`);
    out.set(key, convert(pair[valueName]));
  }
  return out;
}
