/**
 * Encode and decode v2 manifest lists: one Avro container of `manifest_file` records per snapshot,
 * with header metadata `snapshot-id`, `parent-snapshot-id` ("null" when there is none, as the
 * reference implementation writes), `sequence-number` and `format-version` = "2".
 *
 * Snapshot ids are random 63-bit longs, so ids and sequence numbers stay bigint end to end.
 * Reading v1 lists works too: content and sequence numbers default to 0, as the spec says.
 *
 * @example
 *   const bytes = encodeManifestList({ snapshotId, parentSnapshotId: null, sequenceNumber: 1n, manifests });
 *   const manifests = decodeManifestList(bytes, path);
 */
import { StrataError, messageOf } from '../../core/index.ts';
import { corrupt, readAvroContainer, writeAvroContainer } from './avro-container.ts';
import { AvroSchemaIndex, RecordView, isObject, optionalLong, requireFieldIds, toBytes, toCount } from './avro-fields.ts';
import { compileAvroType, decodeRecords, encodeRecord } from './avro-records.ts';
import { toBuffer } from './avro-types.ts';
import type { FieldSummary, ManifestContent, ManifestFile } from './manifest-file.ts';
import { FieldSummaryId, ManifestFileId, manifestFileSchema } from './manifest-avro-schema.ts';

export interface EncodeManifestListOptions {
  readonly snapshotId: bigint;
  readonly parentSnapshotId: bigint | null;
  readonly sequenceNumber: bigint;
  readonly manifests: readonly ManifestFile[];
}

const SCHEMA_JSON = JSON.stringify(manifestFileSchema());

export function encodeManifestList(opts: EncodeManifestListOptions): Uint8Array {
  const type = compileAvroType(SCHEMA_JSON);
  const records = opts.manifests.map((m, i) => {
    const what = `manifest list entry ${i} (${m.manifestPath})`;
    return encodeRecord(type, manifestToAvro(m, what), what);
  });
  return writeAvroContainer({
    schemaJson: SCHEMA_JSON,
    records,
    metadata: {
      'snapshot-id': String(opts.snapshotId),
      'parent-snapshot-id': opts.parentSnapshotId === null ? 'null' : String(opts.parentSnapshotId),
      'sequence-number': String(opts.sequenceNumber),
      'format-version': '2',
    },
  });
}

function manifestToAvro(m: ManifestFile, what: string): Record<string, unknown> {
  const long = (n: number, name: string): bigint => {
    if (!Number.isSafeInteger(n)) throw new StrataError('INVALID_ARGUMENT', `${name} of ${what} must be an integer, got ${n}`);
    return BigInt(n);
  };
  return {
    manifest_path: m.manifestPath,
    manifest_length: long(m.manifestLength, 'manifestLength'),
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: m.sequenceNumber,
    min_sequence_number: m.minSequenceNumber,
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: long(m.addedRowsCount, 'addedRowsCount'),
    existing_rows_count: long(m.existingRowsCount, 'existingRowsCount'),
    deleted_rows_count: long(m.deletedRowsCount, 'deletedRowsCount'),
    partitions:
      m.partitions === undefined
        ? null
        : m.partitions.map((s) => ({
            contains_null: s.containsNull,
            contains_nan: s.containsNan ?? null,
            lower_bound: s.lowerBound === undefined ? null : toBuffer(s.lowerBound),
            upper_bound: s.upperBound === undefined ? null : toBuffer(s.upperBound),
          })),
    key_metadata: m.keyMetadata === undefined ? null : toBuffer(m.keyMetadata),
  };
}

export function decodeManifestList(bytes: Uint8Array, path: string): ManifestFile[] {
  const container = readAvroContainer(bytes, path);
  const fail = (why: string) => corrupt(path, why);
  let writerSchema: unknown;
  try {
    writerSchema = JSON.parse(container.schemaJson);
  } catch {
    throw fail('its avro.schema header is not JSON');
  }
  const index = new AvroSchemaIndex(writerSchema);
  const fields = index.fields(writerSchema);
  const m = ManifestFileId;
  requireFieldIds(
    fields,
    [
      [m.manifestPath, 'manifest_path'],
      [m.manifestLength, 'manifest_length'],
      [m.partitionSpecId, 'partition_spec_id'],
      [m.addedSnapshotId, 'added_snapshot_id'],
    ],
    'manifest_file',
    fail,
  );
  const partitions = fields.get(m.partitions.id);
  const summaryFields = index.fields(partitions !== undefined && isObject(partitions.schema) ? partitions.schema['items'] : undefined);

  let type;
  try {
    type = compileAvroType(container.schemaJson);
  } catch (error) {
    throw corrupt(path, `its avro.schema is not a valid Avro schema (${messageOf(error)})`, error);
  }
  return decodeRecords(type, container.blocks, path).map((record, i) => {
    const failAt = (why: string) => fail(`manifest list entry ${i}: ${why}`);
    const v = new RecordView(fields, record, failAt);
    const int = (id: number, name: string, fallback?: number): number => {
      const value = fallback === undefined ? v.required(id, name) : (v.optional(id) ?? fallback);
      if (typeof value !== 'number' || !Number.isInteger(value)) throw failAt(`${name} is not an int`);
      return value;
    };
    const long = (id: number, name: string, fallback?: bigint): bigint => {
      const value = optionalLong(fallback === undefined ? v.required(id, name) : (v.optional(id) ?? fallback), name, failAt);
      return value ?? 0n;
    };
    const count = (id: number, name: string) => toCount(v.required(id, name), name, failAt);
    const manifestPath = v.required(m.manifestPath, 'manifest_path');
    if (typeof manifestPath !== 'string') throw failAt('manifest_path is not a string');
    const content = int(m.content, 'content', 0);
    if (content !== 0 && content !== 1) throw failAt(`content ${content} is not 0 or 1`);
    const rawPartitions = v.optional(m.partitions.id);
    const keyMetadata = v.optional(m.keyMetadata);
    const file: ManifestFile = {
      manifestPath,
      manifestLength: count(m.manifestLength, 'manifest_length'),
      partitionSpecId: int(m.partitionSpecId, 'partition_spec_id'),
      content: content as ManifestContent,
      sequenceNumber: long(m.sequenceNumber, 'sequence_number', 0n),
      minSequenceNumber: long(m.minSequenceNumber, 'min_sequence_number', 0n),
      addedSnapshotId: long(m.addedSnapshotId, 'added_snapshot_id'),
      addedFilesCount: count(m.addedFilesCount, 'added_files_count'),
      existingFilesCount: count(m.existingFilesCount, 'existing_files_count'),
      deletedFilesCount: count(m.deletedFilesCount, 'deleted_files_count'),
      addedRowsCount: count(m.addedRowsCount, 'added_rows_count'),
      existingRowsCount: count(m.existingRowsCount, 'existing_rows_count'),
      deletedRowsCount: count(m.deletedRowsCount, 'deleted_rows_count'),
      ...(rawPartitions === null ? {} : { partitions: readSummaries(rawPartitions, summaryFields, failAt) }),
      ...(keyMetadata === null ? {} : { keyMetadata: toBytes(keyMetadata, 'key_metadata', failAt) }),
    };
    return file;
  });
}

function readSummaries(
  value: unknown,
  fields: ReturnType<AvroSchemaIndex['fields']>,
  fail: (why: string) => StrataError,
): FieldSummary[] {
  if (!Array.isArray(value)) throw fail('partitions is not a list');
  const s = FieldSummaryId;
  return value.map((raw: unknown, i) => {
    const failAt = (why: string) => fail(`partitions[${i}]: ${why}`);
    const v = new RecordView(fields, raw, failAt);
    const containsNull = v.required(s.containsNull, 'contains_null');
    const containsNan = v.optional(s.containsNan);
    if (typeof containsNull !== 'boolean' || (containsNan !== null && typeof containsNan !== 'boolean')) {
      throw failAt('contains_null / contains_nan is not a boolean');
    }
    const lower = v.optional(s.lowerBound);
    const upper = v.optional(s.upperBound);
    return {
      containsNull,
      ...(containsNan === null ? {} : { containsNan }),
      ...(lower === null ? {} : { lowerBound: toBytes(lower, 'lower_bound', failAt) }),
      ...(upper === null ? {} : { upperBound: toBytes(upper, 'upper_bound', failAt) }),
    };
  });
}
