/**
 * Manifests and manifest lists through the object store: encode/decode (manifest/ does the Avro)
 * plus the inheritance rules of the spec — an ADDED entry with a null snapshot id or sequence
 * number inherits them from the manifest list entry that points at its manifest.
 */
import { randomUUID } from 'node:crypto';
import { StrataError } from '../../core/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import type { DataFile, ManifestEntry } from '../manifest/data-file.ts';
import { EntryStatus } from '../manifest/data-file.ts';
import type { ManifestContent, ManifestFile } from '../manifest/manifest-file.ts';
import {
  decodeManifest,
  decodeManifestList,
  encodeManifest,
  encodeManifestList,
  summarizePartitions,
} from '../manifest/index.ts';
import { keyOf } from '../metadata/metadata-io.ts';
import type { TableMetadata } from '../metadata/table-metadata.ts';
import { currentSchema, specById } from '../metadata/table-metadata.ts';
import { partitionType } from '../partition/transforms.ts';
import type { Snapshot } from '../metadata/snapshot.ts';
import type { StructType } from '../schema/types.ts';

async function readBytes(store: ObjectStore, location: string, what: string): Promise<Uint8Array> {
  try {
    return await store.get(keyOf(store, location));
  } catch (error) {
    if (StrataError.is(error, 'OBJECT_NOT_FOUND')) {
      throw new StrataError('CORRUPT_FILE', `${what} ${location} is missing; the table's metadata references a file that does not exist`, {
        file: location,
      });
    }
    throw error;
  }
}

export async function readManifestList(store: ObjectStore, snapshot: Snapshot): Promise<ManifestFile[]> {
  const bytes = await readBytes(store, snapshot.manifestList, 'Manifest list');
  return decodeManifestList(bytes, snapshot.manifestList);
}

/** Entries of one manifest with inherited snapshot ids and sequence numbers filled in. */
export async function readManifestEntries(store: ObjectStore, meta: TableMetadata, manifest: ManifestFile): Promise<ManifestEntry[]> {
  const bytes = await readBytes(store, manifest.manifestPath, 'Manifest');
  const decoded = decodeManifest(bytes, manifest.manifestPath, partitionTypeFor(meta, manifest.partitionSpecId));
  return decoded.entries.map((entry) => {
    const inherit = entry.status === EntryStatus.Added;
    return {
      ...entry,
      snapshotId: entry.snapshotId ?? manifest.addedSnapshotId,
      sequenceNumber: entry.sequenceNumber ?? (inherit ? manifest.sequenceNumber : null),
      fileSequenceNumber: entry.fileSequenceNumber ?? (inherit ? manifest.sequenceNumber : null),
      dataFile: { ...entry.dataFile, specId: manifest.partitionSpecId },
    };
  });
}

/**
 * The partition tuple type of a spec. An older spec may partition by a column the current schema
 * has since dropped; its source type then comes from the newest schema that still has the column.
 */
export function partitionTypeFor(meta: TableMetadata, specId: number): StructType {
  const spec = specById(meta, specId);
  const schemas = [currentSchema(meta), ...[...meta.schemas].reverse()];
  let failure: unknown;
  for (const schema of schemas) {
    try {
      return partitionType(spec, schema);
    } catch (error) {
      failure ??= error;
    }
  }
  throw failure;
}

export interface ManifestToWrite {
  readonly specId: number;
  readonly content: ManifestContent;
  readonly entries: readonly ManifestEntry[];
  /** Snapshot that adds this manifest to the table. */
  readonly snapshotId: bigint;
  /** The sequence number of the commit; null-inheriting ADDED entries get it. */
  readonly sequenceNumber: bigint;
}

/** Write one manifest and return its manifest-list entry. */
export async function writeManifest(store: ObjectStore, meta: TableMetadata, m: ManifestToWrite): Promise<ManifestFile> {
  const spec = specById(meta, m.specId);
  const schema = currentSchema(meta);
  const pType = partitionTypeFor(meta, m.specId);
  const bytes = encodeManifest({ schema, spec, partitionType: pType, content: m.content, entries: m.entries });
  const location = `${meta.location}/metadata/${randomUUID()}-m0.avro`;
  await store.put(keyOf(store, location), bytes);

  let added = 0, existing = 0, deleted = 0, addedRows = 0, existingRows = 0, deletedRows = 0;
  let minSeq: bigint | undefined;
  for (const e of m.entries) {
    const rows = e.dataFile.recordCount;
    if (e.status === EntryStatus.Added) { added++; addedRows += rows; }
    else if (e.status === EntryStatus.Existing) { existing++; existingRows += rows; }
    else { deleted++; deletedRows += rows; }
    if (e.status !== EntryStatus.Deleted) {
      const seq = e.sequenceNumber ?? m.sequenceNumber;
      if (minSeq === undefined || seq < minSeq) minSeq = seq;
    }
  }
  const files: DataFile[] = m.entries.map((e) => e.dataFile);
  return {
    manifestPath: location,
    manifestLength: bytes.byteLength,
    partitionSpecId: m.specId,
    content: m.content,
    sequenceNumber: m.sequenceNumber,
    minSequenceNumber: minSeq ?? m.sequenceNumber,
    addedSnapshotId: m.snapshotId,
    addedFilesCount: added,
    existingFilesCount: existing,
    deletedFilesCount: deleted,
    addedRowsCount: addedRows,
    existingRowsCount: existingRows,
    deletedRowsCount: deletedRows,
    partitions: summarizePartitions(pType, files),
  };
}

export async function writeManifestList(
  store: ObjectStore,
  meta: TableMetadata,
  snapshotId: bigint,
  parentSnapshotId: bigint | null,
  sequenceNumber: bigint,
  attempt: number,
  manifests: readonly ManifestFile[],
): Promise<string> {
  const location = `${meta.location}/metadata/snap-${snapshotId}-${attempt}-${randomUUID()}.avro`;
  const bytes = encodeManifestList({ snapshotId, parentSnapshotId, sequenceNumber, manifests });
  await store.put(keyOf(store, location), bytes);
  return location;
}
