/**
 * Encode a v2 manifest: one Avro container of `manifest_entry` records for files of one partition
 * spec, with the key-value metadata the spec requires (`schema`, `schema-id`, `partition-spec`,
 * `partition-spec-id`, `format-version` = "2", `content`). Pure: bytes out, the caller writes them.
 *
 * Entries are written as given. For newly added files leave `snapshotId`, `sequenceNumber` and
 * `fileSequenceNumber` null: readers inherit them from the manifest list (spec: "Sequence Number
 * Inheritance"). Existing and deleted entries must carry both sequence numbers explicitly.
 *
 * @example
 *   const bytes = encodeManifest({ schema, spec, partitionType, content: ManifestContent.Data, entries });
 */
import { StrataError, messageOf, stringifyJson } from '../../core/index.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { specToJson } from '../partition/partition-spec.ts';
import type { Schema } from '../schema/schema.ts';
import { schemaToJson } from '../schema/schema.ts';
import type { StructType, PrimitiveType } from '../schema/types.ts';
import { writeAvroContainer } from './avro-container.ts';
import { compileAvroType, encodeRecord } from './avro-records.ts';
import { toAvroValue, toBuffer } from './avro-types.ts';
import type { DataFile, ManifestEntry } from './data-file.ts';
import { FileContent } from './data-file.ts';
import { ManifestContent } from './manifest-file.ts';
import { avroName, manifestEntrySchema } from './manifest-avro-schema.ts';

export interface EncodeManifestOptions {
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  /** The spec's partition type: one field per spec field, partition field ids, transform result types. */
  readonly partitionType: StructType;
  readonly content: ManifestContent;
  readonly entries: readonly ManifestEntry[];
}

export function encodeManifest(opts: EncodeManifestOptions): Uint8Array {
  const { spec, partitionType } = opts;
  if (spec.fields.length !== partitionType.fields.length) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `The partition type has ${partitionType.fields.length} fields but spec ${spec.specId} has ${spec.fields.length}; derive the type from the spec`,
      { specId: spec.specId },
    );
  }
  const schemaJson = JSON.stringify(manifestEntrySchema(partitionType));
  let type;
  try {
    type = compileAvroType(schemaJson);
  } catch (error) {
    throw new StrataError('INVALID_ARGUMENT', `Cannot build the manifest's Avro schema: ${messageOf(error)}`, {}, { cause: error });
  }
  const records = opts.entries.map((entry, i) => {
    checkContent(opts.content, entry.dataFile, i);
    const what = `manifest entry ${i} (${entry.dataFile.filePath})`;
    return encodeRecord(type, entryToAvro(entry, partitionType, what), what);
  });
  return writeAvroContainer({
    schemaJson,
    records,
    metadata: {
      schema: stringifyJson(schemaToJson(opts.schema)),
      'schema-id': String(opts.schema.schemaId),
      'partition-spec': stringifyJson(specToJson(spec)['fields']),
      'partition-spec-id': String(spec.specId),
      'format-version': '2',
      content: opts.content === ManifestContent.Deletes ? 'deletes' : 'data',
    },
  });
}

function checkContent(content: ManifestContent, file: DataFile, i: number): void {
  const isDelete = file.content !== FileContent.Data;
  if (isDelete !== (content === ManifestContent.Deletes)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Manifest entry ${i} (${file.filePath}) is a ${isDelete ? 'delete' : 'data'} file but the manifest holds ${
        content === ManifestContent.Deletes ? 'deletes' : 'data'
      }; data and delete files go in separate manifests`,
      { filePath: file.filePath },
    );
  }
}

function entryToAvro(entry: ManifestEntry, partitionType: StructType, what: string): Record<string, unknown> {
  const f = entry.dataFile;
  if (f.partition.length !== partitionType.fields.length) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `${what} has ${f.partition.length} partition values but the partition type has ${partitionType.fields.length} fields`,
      { filePath: f.filePath },
    );
  }
  const partition: Record<string, unknown> = {};
  partitionType.fields.forEach((field, j) => {
    partition[avroName(field.name)] = toAvroValue(field.type as PrimitiveType, f.partition[j] ?? null, `partition value ${field.name} of ${what}`);
  });
  const long = (n: number, name: string): bigint => {
    if (!Number.isSafeInteger(n)) {
      throw new StrataError('INVALID_ARGUMENT', `${name} of ${what} must be an integer, got ${n}`, { filePath: f.filePath });
    }
    return BigInt(n);
  };
  const counts = (m: ReadonlyMap<number, number> | undefined, name: string) =>
    m === undefined ? null : [...m].map(([key, value]) => ({ key, value: long(value, `${name}[${key}]`) }));
  const bounds = (m: ReadonlyMap<number, Uint8Array> | undefined) =>
    m === undefined ? null : [...m].map(([key, value]) => ({ key, value: toBuffer(value) }));
  return {
    status: entry.status,
    snapshot_id: entry.snapshotId,
    sequence_number: entry.sequenceNumber,
    file_sequence_number: entry.fileSequenceNumber,
    data_file: {
      content: f.content,
      file_path: f.filePath,
      file_format: f.fileFormat,
      partition,
      record_count: long(f.recordCount, 'recordCount'),
      file_size_in_bytes: long(f.fileSizeInBytes, 'fileSizeInBytes'),
      column_sizes: counts(f.columnSizes, 'columnSizes'),
      value_counts: counts(f.valueCounts, 'valueCounts'),
      null_value_counts: counts(f.nullValueCounts, 'nullValueCounts'),
      nan_value_counts: counts(f.nanValueCounts, 'nanValueCounts'),
      lower_bounds: bounds(f.lowerBounds),
      upper_bounds: bounds(f.upperBounds),
      key_metadata: f.keyMetadata === undefined ? null : toBuffer(f.keyMetadata),
      split_offsets: f.splitOffsets === undefined ? null : f.splitOffsets.map((o, k) => long(o, `splitOffsets[${k}]`)),
      equality_ids: f.equalityIds === undefined ? null : [...f.equalityIds],
      sort_order_id: f.sortOrderId ?? null,
    },
  };
}
