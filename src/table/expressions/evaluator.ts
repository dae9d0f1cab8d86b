/**
 * Exact evaluation of bound predicates on concrete values: one row, or one data file's partition
 * tuple (after projection). Used to filter data files whose partition is known, and as the oracle
 * in the pruning tests.
 *
 * Floating point: engines disagree (IEEE says -0.0 = 0.0 and NaN compares false; DuckDB and Iceberg's
 * Java comparators order -0.0 < 0.0 and NaN above +Infinity). A comparison here is true when it is
 * true under EITHER reading, so anything pruned by these rules is pruned under both.
 *
 * NOT follows SQL, not two-valued logic: NOTs are pushed down first, so `NOT (x < 5)` is `x >= 5` and
 * is false for a null `x` (SQL's NOT of unknown is unknown, and the row is not selected).
 */
import { compareFloats, compareValues } from '../serde/single-value.ts';
import type { IcebergValue } from '../schema/values.ts';
import type { AnyPredicate, BoundExpression, BoundPredicate, Expr, PartitionExpression } from './expression.ts';
import { rewriteNot } from './expression.ts';

/** Generic walk: `test` decides each predicate; a `not` node is plain negation (call rewriteNot first for SQL NOT). */
export function evaluateWith<P extends AnyPredicate>(expr: Expr<P>, test: (p: P) => boolean): boolean {
  switch (expr.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return evaluateWith(expr.left, test) && evaluateWith(expr.right, test);
    case 'or':
      return evaluateWith(expr.left, test) || evaluateWith(expr.right, test);
    case 'not':
      return !evaluateWith(expr.child, test);
    default:
      return test(expr as P);
  }
}

/** Does a projected partition predicate hold for one partition tuple (values in spec field order)? */
export function evaluatePartition(projected: PartitionExpression, partitionValues: readonly IcebergValue[]): boolean {
  return evaluateWith(rewriteNot(projected), (p) => testPredicate(p, partitionValues[p.position] ?? null));
}

/** Does a bound row predicate hold for one row, given its values by field id (missing = null)? */
export function evaluateRow(bound: BoundExpression, valuesById: ReadonlyMap<number, IcebergValue>): boolean {
  return evaluateWith(rewriteNot(bound), (p) => testPredicate(p, valuesById.get(p.fieldId) ?? null));
}

/** One predicate on one value (null semantics as documented in expression.ts). */
export function testPredicate(p: BoundPredicate, value: IcebergValue): boolean {
  switch (p.op) {
    case 'isNull':
      return value === null;
    case 'notNull':
      return value !== null;
    case 'isNaN':
      return typeof value === 'number' && Number.isNaN(value);
    case 'notNaN':
      return !(typeof value === 'number' && Number.isNaN(value));
    default:
      break;
  }
  if (value === null) return p.op === 'notEq' || p.op === 'notIn' || p.op === 'notStartsWith';
  const cmp = (lit: IcebergValue) => comparisons(p, value, lit);
  const [first = null] = p.literals;
  switch (p.op) {
    case 'lt':
      return cmp(first).some((c) => c < 0);
    case 'ltEq':
      return cmp(first).some((c) => c <= 0);
    case 'gt':
      return cmp(first).some((c) => c > 0);
    case 'gtEq':
      return cmp(first).some((c) => c >= 0);
    case 'eq':
      return cmp(first).some((c) => c === 0);
    case 'notEq':
      return cmp(first).some((c) => c !== 0);
    case 'in':
      return p.literals.some((l) => cmp(l).some((c) => c === 0));
    case 'notIn':
      return p.literals.every((l) => cmp(l).some((c) => c !== 0));
    case 'startsWith':
      return typeof value === 'string' && typeof first === 'string' && value.startsWith(first);
    case 'notStartsWith':
      return !(typeof value === 'string' && typeof first === 'string' && value.startsWith(first));
  }
}

/**
 * The possible outcomes of comparing `value` with `literal`: one for most types; for floats the
 * total order and, when both are ordered numbers, IEEE order (NaN is unordered: it is "not equal").
 */
function comparisons(p: BoundPredicate, value: IcebergValue, literal: IcebergValue): number[] {
  if (p.type.kind !== 'float' && p.type.kind !== 'double') return [compareValues(p.type, value, literal)];
  const a = value as number;
  const b = literal as number;
  const total = compareFloats(a, b);
  if (Number.isNaN(a) || Number.isNaN(b)) return [total, Number.NaN];
  return [total, a < b ? -1 : a > b ? 1 : 0];
}
