/**
 * Dynamic partition overwrite (Spark's `INSERT OVERWRITE` with `partitionOverwriteMode=dynamic`,
 * Iceberg's ReplacePartitions): every partition that receives a new file has all its existing
 * files deleted in the same snapshot; other partitions are untouched. An unpartitioned table is one
 * partition, so this replaces the whole table.
 *
 * Serializable isolation: if another writer added files to one of the replaced partitions after
 * this operation started, the commit fails with COMMIT_CONFLICT instead of silently deleting data
 * the caller never saw.
 */
import { StrataError } from '../../core/index.ts';
import { EntryStatus, type DataFile } from '../manifest/data-file.ts';
import { partitionKey } from '../io/partition-key.ts';
import { readManifestEntries, readManifestList } from '../io/manifest-io.ts';
import { MAIN_BRANCH } from '../metadata/snapshot.ts';
import { ancestorsOf, snapshotForRef, specById, type TableMetadata } from '../metadata/table-metadata.ts';
import { SnapshotProducer, type SnapshotProducerOptions, type SnapshotResult } from './snapshot-producer.ts';
import type { TableOperations } from './table-operations.ts';

export async function replacePartitions(
  ops: TableOperations,
  files: readonly DataFile[],
  options: SnapshotProducerOptions = {},
): Promise<SnapshotResult> {
  const replaced = new Set(files.map((f) => partitionKey(f.specId, f.partition)));
  const specIds = new Set(files.map((f) => f.specId));
  const branch = options.branch ?? MAIN_BRANCH;
  // Writing unpartitioned data replaces the whole table, whatever spec older files were written with.
  const replacesAll = (base: TableMetadata) => [...specIds].some((id) => specById(base, id).fields.length === 0);
  const isReplaced = (base: TableMetadata, f: DataFile) => replacesAll(base) || replaced.has(partitionKey(f.specId, f.partition));
  const producer = new SnapshotProducer(
    ops,
    {
      operation: files.length === 0 ? 'append' : 'overwrite',
      added: files,
      deletes: {
        manifestMayMatch: (manifest, base) => replacesAll(base) || specIds.has(manifest.partitionSpecId),
        entryMatches: (entry, base) => isReplaced(base, entry.dataFile),
      },
    },
    {
      ...options,
      summary: { ...(options.summary ?? {}), 'replace-partitions': 'true' },
      validate: async (base, start) => {
        const conflicting = await filesAddedSince(ops, base, start, branch, (f) => isReplaced(base, f));
        if (conflicting) {
          throw new StrataError(
            'COMMIT_CONFLICT',
            `Cannot overwrite partitions of ${ops.name}: another writer added ${conflicting.filePath} to a replaced partition ` +
              `after this overwrite started; re-run the overwrite to include its data`,
            { file: conflicting.filePath },
          );
        }
        await options.validate?.(base, start);
      },
    },
  );
  return producer.commit();
}

/** The first file matching `predicate` added on `branch` by a snapshot newer than `start`'s head. */
export async function filesAddedSince(
  ops: TableOperations,
  base: TableMetadata,
  start: TableMetadata,
  branch: string,
  predicate: (f: DataFile) => boolean,
): Promise<DataFile | undefined> {
  const startHead = start.refs[branch]?.snapshotId;
  for (const snapshot of ancestorsOf(base, snapshotForRef(base, branch)?.snapshotId)) {
    if (snapshot.snapshotId === startHead) break;
    for (const manifest of await readManifestList(ops.store, snapshot)) {
      if (manifest.addedSnapshotId !== snapshot.snapshotId || manifest.addedFilesCount === 0) continue;
      for (const entry of await readManifestEntries(ops.store, base, manifest)) {
        if (entry.status === EntryStatus.Added && entry.snapshotId === snapshot.snapshotId && predicate(entry.dataFile)) {
          return entry.dataFile;
        }
      }
    }
  }
  return undefined;
}
