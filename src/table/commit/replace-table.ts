/**
 * Full-table overwrite (`INSERT OVERWRITE` of an unpartitioned table, generalised to any spec):
 * one snapshot that deletes every data file on the branch and adds the new ones. Copy-on-write
 * merges commit through it: they read the table, compute its new content and replace it whole.
 *
 * Serializable isolation, as for partition overwrites: a file another writer added after this
 * operation started fails the commit with COMMIT_CONFLICT instead of being deleted unseen.
 */
import { StrataError } from '../../core/index.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { MAIN_BRANCH } from '../metadata/snapshot.ts';
import { filesAddedSince } from './replace-partitions.ts';
import { SnapshotProducer, type SnapshotProducerOptions, type SnapshotResult } from './snapshot-producer.ts';
import type { TableOperations } from './table-operations.ts';

export async function replaceTable(ops: TableOperations, files: readonly DataFile[], options: SnapshotProducerOptions = {}): Promise<SnapshotResult> {
  const branch = options.branch ?? MAIN_BRANCH;
  const producer = new SnapshotProducer(
    ops,
    { operation: 'overwrite', added: files, deletes: { manifestMayMatch: () => true, entryMatches: () => true } },
    {
      ...options,
      summary: { ...(options.summary ?? {}), 'replace-table': 'true' },
      validate: async (base, start) => {
        const conflicting = await filesAddedSince(ops, base, start, branch, () => true);
        if (conflicting) {
          throw new StrataError(
            'COMMIT_CONFLICT',
            `Cannot overwrite ${ops.name}: another writer added ${conflicting.filePath} after this overwrite started; re-run it to include that data`,
            { file: conflicting.filePath },
          );
        }
        await options.validate?.(base, start);
      },
    },
  );
  return producer.commit();
}
