/**
 * Skips data files using their column metrics (value, null and NaN counts, lower/upper bounds), the
 * spec's "inclusive metrics" evaluation: `mightMatch` is false only when no row of the file can
 * satisfy the filter. Missing metrics always mean "might match".
 *
 * Gotchas handled: bounds exclude nulls and NaN; string/binary bounds may be truncated; a float
 * bound that is NaN is ignored; `>`/`>=` on floats cannot prune while NaN may be present (engines
 * that order NaN above +Infinity select it); nested fields in lists/maps are never bound.
 *
 * @example
 *   const metrics = new MetricsEvaluator(bind(filter, schema));
 *   const files = entries.map((e) => e.dataFile).filter((f) => metrics.mightMatch(f));
 */
import type { DataFile } from '../manifest/data-file.ts';
import { boundsAllStartWith, boundsMightMatch } from './bounds.ts';
import type { BoundExpression, BoundPredicate } from './expression.ts';
import { rewriteNot } from './expression.ts';
import { evaluateWith } from './evaluator.ts';

export class MetricsEvaluator {
  readonly expression: BoundExpression;

  /** `bound` is a row filter bound to the table schema (field ids are the metrics' keys). */
  constructor(bound: BoundExpression) {
    this.expression = rewriteNot(bound);
  }

  /** False only when no row of `dataFile` can satisfy the filter. */
  mightMatch(dataFile: DataFile): boolean {
    if (dataFile.recordCount === 0) return false;
    return evaluateWith(this.expression, (p) => predicateMightMatch(p, dataFile));
  }
}

function predicateMightMatch(p: BoundPredicate, file: DataFile): boolean {
  const id = p.fieldId;
  const valueCount = file.valueCounts?.get(id);
  const nullCount = file.nullValueCounts?.get(id);
  const nanCount = file.nanValueCounts?.get(id);
  const isFloat = p.type.kind === 'float' || p.type.kind === 'double';
  const nullsOnly = valueCount !== undefined && nullCount !== undefined && nullCount === valueCount;
  const nansOnly = isFloat && valueCount !== undefined && nanCount !== undefined && nanCount === valueCount;
  const nanPossible = isFloat && (nanCount === undefined || nanCount > 0);
  const lower = file.lowerBounds?.get(id);
  const upper = file.upperBounds?.get(id);

  switch (p.op) {
    case 'isNull':
      return nullCount !== 0;
    case 'notNull':
      return !nullsOnly;
    case 'isNaN':
      return isFloat && nanCount !== 0 && !nullsOnly;
    case 'notNaN':
      return !nansOnly;
    case 'notEq':
    case 'notIn':
      return true;
    case 'notStartsWith':
      return nullCount !== 0 || !boundsAllStartWith(String(p.literals[0]), lower, upper);
    case 'gt':
    case 'gtEq':
      // A NaN-only column still matches `>` for engines ordering NaN last.
      if (nullsOnly) return false;
      return boundsMightMatch(p, lower, upper, nanPossible);
    default:
      // lt, ltEq, eq, in, startsWith: null and NaN never match.
      if (nullsOnly || nansOnly) return false;
      return boundsMightMatch(p, lower, upper, nanPossible);
  }
}
