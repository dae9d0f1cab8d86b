/**
 * Metadata-only delete (`DELETE FROM t WHERE <partition predicate>`): a snapshot that removes
 * every data file whose rows all match the filter, without reading or rewriting any data. If some
 * file matches only in part, nothing is committed and the error names the file: the filter must
 * align with partitions (or with what the column metrics prove).
 */
import { StrataError } from '../../core/index.ts';
import {
  ManifestEvaluator,
  bind,
  evaluatePartition,
  projectInclusive,
  type BoundExpression,
  type Expression,
  type PartitionExpression,
} from '../expressions/index.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { currentSchema, specById, type TableMetadata } from '../metadata/table-metadata.ts';
import { fileMatch } from './file-match.ts';
import { SnapshotProducer, type SnapshotProducerOptions, type SnapshotResult } from './snapshot-producer.ts';
import type { TableOperations } from './table-operations.ts';

interface Prepared {
  readonly spec: PartitionSpec;
  readonly bound: BoundExpression;
  readonly projected: PartitionExpression;
  readonly manifests: ManifestEvaluator;
}

export async function deleteWhere(ops: TableOperations, filter: Expression, options: SnapshotProducerOptions = {}): Promise<SnapshotResult> {
  // Bound and projected once per (metadata version, spec): entryMatches runs for every file.
  const cache = new WeakMap<TableMetadata, Map<number, Prepared>>();
  const prepared = (base: TableMetadata, specId: number): Prepared => {
    let bySpec = cache.get(base);
    if (!bySpec) cache.set(base, (bySpec = new Map()));
    let entry = bySpec.get(specId);
    if (!entry) {
      const schema = currentSchema(base);
      const spec = specById(base, specId);
      const bound = bind(filter, schema);
      const projected = projectInclusive(bound, spec, schema);
      entry = { spec, bound, projected, manifests: new ManifestEvaluator(projected) };
      bySpec.set(specId, entry);
    }
    return entry;
  };
  const producer = new SnapshotProducer(
    ops,
    {
      operation: 'delete',
      added: [],
      deletes: {
        manifestMayMatch: (manifest, base) => prepared(base, manifest.partitionSpecId).manifests.mightMatch(manifest),
        entryMatches: (entry, base) => {
          const file = entry.dataFile;
          const { spec, bound, projected } = prepared(base, file.specId);
          if (!evaluatePartition(projected, file.partition)) return false;
          const match = fileMatch(bound, file, spec);
          if (match === 'some') {
            throw new StrataError(
              'VALIDATION_FAILED',
              `Cannot delete from ${ops.name} without rewriting data: file ${file.filePath} has rows that match the filter and rows ` +
                `that do not. A metadata-only delete needs a filter on partition columns that covers whole partitions.`,
              { file: file.filePath },
            );
          }
          return match === 'all';
        },
      },
    },
    options,
  );
  return producer.commit();
}
