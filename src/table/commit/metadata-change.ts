/**
 * Commits a metadata-only change (schema, partition spec, properties, refs) through the same retry
 * loop as data commits. `derive` is re-run on every attempt against the latest metadata, so the
 * change is re-validated on what is actually there (a rename of a column another writer just
 * dropped fails with a clear error instead of resurrecting it).
 */
import type { TableChange } from '../metadata/metadata-update.ts';
import type { TableMetadata } from '../metadata/table-metadata.ts';
import { commitWithRetry } from './commit-retry.ts';
import type { TableOperations } from './table-operations.ts';

export async function commitMetadataChange(
  ops: TableOperations,
  derive: (base: TableMetadata) => TableChange | Promise<TableChange>,
): Promise<TableMetadata> {
  return commitWithRetry(ops, { build: async ({ base }) => derive(base) });
}
