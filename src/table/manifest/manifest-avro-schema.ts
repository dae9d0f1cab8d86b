/**
 * The Avro schemas of v2 manifests (`manifest_entry`) and manifest lists (`manifest_file`), with
 * the field ids of the Iceberg spec ("Manifests" and "Manifest Lists"). Record names follow the
 * reference implementation (`manifest_entry`, `r2`, `r102`, `manifest_file`, `r508`, `k117_v118`).
 *
 * Gotchas:
 * - Optional fields are `["null", T]` with `default: null`; maps with int keys are arrays of
 *   key/value records tagged `logicalType: "map"`, the ids on the key and value fields.
 * - Partition field names are made Avro-safe (`a.b` → `a_x2Eb`); readers go by field id anyway.
 */
import { StrataError } from '../../core/index.ts';
import type { StructType } from '../schema/types.ts';
import { isPrimitive, typeToString } from '../schema/types.ts';
import type { AvroSchemaJson } from './avro-types.ts';
import { primitiveToAvro } from './avro-types.ts';

/** manifest_entry field ids (spec: Manifests, v2). */
export const EntryId = { status: 0, snapshotId: 1, dataFile: 2, sequenceNumber: 3, fileSequenceNumber: 4 } as const;

/** data_file field ids (spec: Manifests, v2); maps and lists with their key/value/element ids. */
export const DataFileId = {
  content: 134,
  filePath: 100,
  fileFormat: 101,
  partition: 102,
  recordCount: 103,
  fileSizeInBytes: 104,
  columnSizes: { id: 108, key: 117, value: 118 },
  valueCounts: { id: 109, key: 119, value: 120 },
  nullValueCounts: { id: 110, key: 121, value: 122 },
  nanValueCounts: { id: 137, key: 138, value: 139 },
  lowerBounds: { id: 125, key: 126, value: 127 },
  upperBounds: { id: 128, key: 129, value: 130 },
  keyMetadata: 131,
  splitOffsets: { id: 132, element: 133 },
  equalityIds: { id: 135, element: 136 },
  sortOrderId: 140,
} as const;

/** manifest_file field ids (spec: Manifest Lists, v2) and field_summary ids. */
export const ManifestFileId = {
  manifestPath: 500,
  manifestLength: 501,
  partitionSpecId: 502,
  content: 517,
  sequenceNumber: 515,
  minSequenceNumber: 516,
  addedSnapshotId: 503,
  addedFilesCount: 504,
  existingFilesCount: 505,
  deletedFilesCount: 506,
  addedRowsCount: 512,
  existingRowsCount: 513,
  deletedRowsCount: 514,
  partitions: { id: 507, element: 508 },
  keyMetadata: 519,
} as const;

export const FieldSummaryId = { containsNull: 509, containsNan: 518, lowerBound: 510, upperBound: 511 } as const;

function required(id: number, name: string, type: AvroSchemaJson): Record<string, unknown> {
  return { name, type, 'field-id': id };
}

function optional(id: number, name: string, type: AvroSchemaJson): Record<string, unknown> {
  return { name, type: ['null', type], default: null, 'field-id': id };
}

function intKeyMap(ids: { id: number; key: number; value: number }, name: string, value: AvroSchemaJson): Record<string, unknown> {
  return optional(ids.id, name, {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${ids.key}_v${ids.value}`,
      fields: [required(ids.key, 'key', 'int'), required(ids.value, 'value', value)],
    },
  });
}

function list(ids: { id: number; element: number }, name: string, element: AvroSchemaJson): Record<string, unknown> {
  return optional(ids.id, name, { type: 'array', items: element, 'element-id': ids.element });
}

/** Avro-safe name: letters, digits and `_`, not starting with a digit; others become `_x<HEX>`. */
export function avroName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (/[A-Za-z0-9_]/.test(ch)) out += ch;
    else out += `_x${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()}`;
  }
  return out === '' || /^[0-9]/.test(out) ? `_${out}` : out;
}

/** The `r102` partition record for a spec's partition type; every field optional. */
export function partitionRecordSchema(partitionType: StructType): Record<string, unknown> {
  return {
    type: 'record',
    name: 'r102',
    fields: partitionType.fields.map((f) => {
      if (!isPrimitive(f.type)) {
        throw new StrataError(
          'INVALID_ARGUMENT',
          `Partition field ${f.name} has type ${typeToString(f.type)}; partition values must be primitive`,
          { field: f.name },
        );
      }
      return optional(f.id, avroName(f.name), primitiveToAvro(f.type, f.id));
    }),
  };
}

/** The v2 `manifest_entry` schema for manifests of one partition spec. */
export function manifestEntrySchema(partitionType: StructType): Record<string, unknown> {
  const d = DataFileId;
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      required(EntryId.status, 'status', 'int'),
      optional(EntryId.snapshotId, 'snapshot_id', 'long'),
      optional(EntryId.sequenceNumber, 'sequence_number', 'long'),
      optional(EntryId.fileSequenceNumber, 'file_sequence_number', 'long'),
      required(EntryId.dataFile, 'data_file', {
        type: 'record',
        name: 'r2',
        fields: [
          required(d.content, 'content', 'int'),
          required(d.filePath, 'file_path', 'string'),
          required(d.fileFormat, 'file_format', 'string'),
          required(d.partition, 'partition', partitionRecordSchema(partitionType)),
          required(d.recordCount, 'record_count', 'long'),
          required(d.fileSizeInBytes, 'file_size_in_bytes', 'long'),
          intKeyMap(d.columnSizes, 'column_sizes', 'long'),
          intKeyMap(d.valueCounts, 'value_counts', 'long'),
          intKeyMap(d.nullValueCounts, 'null_value_counts', 'long'),
          intKeyMap(d.nanValueCounts, 'nan_value_counts', 'long'),
          intKeyMap(d.lowerBounds, 'lower_bounds', 'bytes'),
          intKeyMap(d.upperBounds, 'upper_bounds', 'bytes'),
          optional(d.keyMetadata, 'key_metadata', 'bytes'),
          list(d.splitOffsets, 'split_offsets', 'long'),
          list(d.equalityIds, 'equality_ids', 'int'),
          optional(d.sortOrderId, 'sort_order_id', 'int'),
        ],
      }),
    ],
  };
}

/** The v2 `manifest_file` schema of manifest lists. */
export function manifestFileSchema(): Record<string, unknown> {
  const m = ManifestFileId;
  const s = FieldSummaryId;
  return {
    type: 'record',
    name: 'manifest_file',
    fields: [
      required(m.manifestPath, 'manifest_path', 'string'),
      required(m.manifestLength, 'manifest_length', 'long'),
      required(m.partitionSpecId, 'partition_spec_id', 'int'),
      required(m.content, 'content', 'int'),
      required(m.sequenceNumber, 'sequence_number', 'long'),
      required(m.minSequenceNumber, 'min_sequence_number', 'long'),
      required(m.addedSnapshotId, 'added_snapshot_id', 'long'),
      required(m.addedFilesCount, 'added_files_count', 'int'),
      required(m.existingFilesCount, 'existing_files_count', 'int'),
      required(m.deletedFilesCount, 'deleted_files_count', 'int'),
      required(m.addedRowsCount, 'added_rows_count', 'long'),
      required(m.existingRowsCount, 'existing_rows_count', 'long'),
      required(m.deletedRowsCount, 'deleted_rows_count', 'long'),
      list(m.partitions, 'partitions', {
        type: 'record',
        name: 'r508',
        fields: [
          required(s.containsNull, 'contains_null', 'boolean'),
          optional(s.containsNan, 'contains_nan', 'boolean'),
          optional(s.lowerBound, 'lower_bound', 'bytes'),
          optional(s.upperBound, 'upper_bound', 'bytes'),
        ],
      }),
      optional(m.keyMetadata, 'key_metadata', 'bytes'),
    ],
  };
}
