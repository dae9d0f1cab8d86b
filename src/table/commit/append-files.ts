/**
 * Append: a snapshot that only adds files. Appends never conflict with each other — on a lost race
 * the new files are simply re-parented onto the winner's snapshot.
 */
import type { DataFile } from '../manifest/data-file.ts';
import { SnapshotProducer, type SnapshotProducerOptions, type SnapshotResult } from './snapshot-producer.ts';
import type { TableOperations } from './table-operations.ts';

export async function appendFiles(
  ops: TableOperations,
  files: readonly DataFile[],
  options: SnapshotProducerOptions = {},
): Promise<SnapshotResult> {
  return new SnapshotProducer(ops, { operation: 'append', added: files }, options).commit();
}
