/**
 * Skips whole manifests: decides from a manifest-list entry's partition field summaries
 * (contains_null, contains_nan, lower/upper bound per partition field) whether the manifest may hold
 * a data file whose partition satisfies a projected predicate.
 *
 * Deliberately conservative where the spec leaves room for writer mistakes: a missing summary or
 * bound means "unknown" (might match), and `notNull`/`notNaN` never prune, because proving "all
 * values are null" would rely on the absence of a bound.
 *
 * @example
 *   const evaluator = ManifestEvaluator.forRowFilter(bind(filter, schema), spec, schema);
 *   const toRead = manifests.filter((m) => m.partitionSpecId === spec.specId && evaluator.mightMatch(m));
 */
import type { Schema } from '../schema/schema.ts';
import type { ManifestFile } from '../manifest/manifest-file.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { boundsAllStartWith, boundsMightMatch } from './bounds.ts';
import type { BoundExpression, PartitionExpression, PartitionPredicate } from './expression.ts';
import { rewriteNot } from './expression.ts';
import { evaluateWith } from './evaluator.ts';
import { projectInclusive } from './projection.ts';

export class ManifestEvaluator {
  readonly expression: PartitionExpression;

  /** `projected` is a partition predicate, as {@link projectInclusive} returns. */
  constructor(projected: PartitionExpression) {
    this.expression = rewriteNot(projected);
  }

  /** Project a bound row filter onto `spec` and evaluate manifests of that spec. */
  static forRowFilter(bound: BoundExpression, spec: PartitionSpec, schema: Schema): ManifestEvaluator {
    return new ManifestEvaluator(projectInclusive(bound, spec, schema));
  }

  /** False only when no data file tracked by `manifest` can match. */
  mightMatch(manifest: ManifestFile): boolean {
    const summaries = manifest.partitions;
    if (summaries === undefined) return true;
    return evaluateWith(this.expression, (p) => summaryMightMatch(p, summaries[p.position]));
  }
}

function summaryMightMatch(p: PartitionPredicate, summary: NonNullable<ManifestFile['partitions']>[number] | undefined): boolean {
  if (summary === undefined) return true;
  const isFloat = p.type.kind === 'float' || p.type.kind === 'double';
  switch (p.op) {
    case 'isNull':
      return summary.containsNull;
    case 'isNaN':
      return isFloat && summary.containsNan !== false;
    case 'notNull':
    case 'notNaN':
    case 'notEq':
    case 'notIn':
      return true;
    case 'notStartsWith':
      return summary.containsNull || !boundsAllStartWith(String(p.literals[0]), summary.lowerBound, summary.upperBound);
    default:
      return boundsMightMatch(p, summary.lowerBound, summary.upperBound, isFloat && summary.containsNan !== false);
  }
}
