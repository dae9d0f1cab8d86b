/**
 * Decides whether ALL, NONE or only SOME rows of a data file match a bound filter, from the file's
 * partition tuple (identity-partitioned columns are constant in the file) and its column metrics.
 * A metadata-only delete may drop a file only when the answer is ALL; SOME means the delete would
 * need to rewrite data, which a metadata-only delete refuses to do.
 *
 * Every rule answers ALL or NONE only when the metrics prove it; anything uncertain is SOME.
 * String upper bounds may be truncated-and-incremented, which keeps them valid upper bounds, so the
 * range rules stay sound. Float columns without exact NaN counts never answer ALL from ranges.
 */
import type { BoundExpression, BoundPredicate } from '../expressions/index.ts';
import type { DataFile } from '../manifest/data-file.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { compareValues, deserializeValue } from '../serde/single-value.ts';
import type { IcebergValue } from '../schema/values.ts';

export type Match = 'all' | 'none' | 'some';

export function fileMatch(filter: BoundExpression, file: DataFile, spec: PartitionSpec): Match {
  switch (filter.kind) {
    case 'true':
      return 'all';
    case 'false':
      return 'none';
    case 'and': {
      const l = fileMatch(filter.left, file, spec);
      if (l === 'none') return 'none';
      const r = fileMatch(filter.right, file, spec);
      if (r === 'none') return 'none';
      return l === 'all' && r === 'all' ? 'all' : 'some';
    }
    case 'or': {
      const l = fileMatch(filter.left, file, spec);
      if (l === 'all') return 'all';
      const r = fileMatch(filter.right, file, spec);
      if (r === 'all') return 'all';
      return l === 'none' && r === 'none' ? 'none' : 'some';
    }
    case 'not': {
      const c = fileMatch(filter.child, file, spec);
      return c === 'all' ? 'none' : c === 'none' ? 'all' : 'some';
    }
    case 'predicate':
      return predicateMatch(filter, file, spec);
  }
}

function predicateMatch(p: BoundPredicate, file: DataFile, spec: PartitionSpec): Match {
  const constant = constantValue(p, file, spec);
  // Iceberg orders -0.0 before 0.0, SQL treats them as equal: a zero constant cannot decide a comparison.
  if (constant === 0 && (p.type.kind === 'float' || p.type.kind === 'double') && p.op !== 'isNull' && p.op !== 'notNull') return 'some';
  if (constant !== undefined) return evaluateOn(p, constant) ? 'all' : 'none';

  const valueCount = file.valueCounts?.get(p.fieldId);
  const nullCount = file.nullValueCounts?.get(p.fieldId);
  if (p.op === 'isNull' || p.op === 'notNull') {
    if (valueCount === undefined || nullCount === undefined) return 'some';
    const allNull = nullCount === valueCount;
    const noNull = nullCount === 0;
    if (p.op === 'isNull') return allNull ? 'all' : noNull ? 'none' : 'some';
    return noNull ? 'all' : allNull ? 'none' : 'some';
  }
  const lowerBytes = file.lowerBounds?.get(p.fieldId);
  const upperBytes = file.upperBounds?.get(p.fieldId);
  if (!lowerBytes || !upperBytes || nullCount === undefined) return 'some';
  const lo = deserializeValue(p.type, lowerBytes);
  const hi = deserializeValue(p.type, upperBytes);
  const cmp = (a: IcebergValue, b: IcebergValue) => compareValues(p.type, a, b);
  const isFloat = p.type.kind === 'float' || p.type.kind === 'double';
  const nanFree = !isFloat || file.nanValueCounts?.get(p.fieldId) === 0;
  // Rows with null (or NaN) never satisfy a comparison, so "all" also needs there to be none.
  const canBeAll = nullCount === 0 && nanFree;
  const x = p.literals[0] ?? null;
  const some = (all: boolean, none: boolean): Match => (none ? 'none' : all && canBeAll ? 'all' : 'some');
  switch (p.op) {
    case 'lt':
      return some(cmp(hi, x) < 0, cmp(lo, x) >= 0);
    case 'ltEq':
      return some(cmp(hi, x) <= 0, cmp(lo, x) > 0);
    case 'gt':
      return some(cmp(lo, x) > 0, cmp(hi, x) <= 0);
    case 'gtEq':
      return some(cmp(lo, x) >= 0, cmp(hi, x) < 0);
    case 'eq':
      return some(false, cmp(x, lo) < 0 || cmp(x, hi) > 0);
    case 'in':
      return some(false, p.literals.every((v) => cmp(v, lo) < 0 || cmp(v, hi) > 0));
    default:
      return 'some';
  }
}

/** The column's single value in this file, when provable: identity partition, or equal bounds and no nulls. */
function constantValue(p: BoundPredicate, file: DataFile, spec: PartitionSpec): IcebergValue | undefined {
  const position = spec.fields.findIndex((f) => f.sourceId === p.fieldId && f.transform === 'identity');
  if (position >= 0 && spec.specId === file.specId) return file.partition[position] ?? null;
  const lower = file.lowerBounds?.get(p.fieldId);
  const upper = file.upperBounds?.get(p.fieldId);
  const nulls = file.nullValueCounts?.get(p.fieldId);
  const isFloat = p.type.kind === 'float' || p.type.kind === 'double';
  if (!lower || !upper || nulls !== 0 || (isFloat && file.nanValueCounts?.get(p.fieldId) !== 0)) return undefined;
  if (p.type.kind === 'string' || p.type.kind === 'binary') return undefined; // bounds may be truncated
  const lo = deserializeValue(p.type, lower);
  return compareValues(p.type, lo, deserializeValue(p.type, upper)) === 0 ? lo : undefined;
}

/** Iceberg semantics of one predicate on one value (null satisfies isNull and the negative ops). */
function evaluateOn(p: BoundPredicate, value: IcebergValue): boolean {
  const cmp = (b: IcebergValue) => compareValues(p.type, value, b);
  const x = p.literals[0] ?? null;
  if (value === null) return p.op === 'isNull' || p.op === 'notEq' || p.op === 'notIn' || p.op === 'notNaN' || p.op === 'notStartsWith';
  switch (p.op) {
    case 'isNull':
      return false;
    case 'notNull':
      return true;
    case 'isNaN':
      return typeof value === 'number' && Number.isNaN(value);
    case 'notNaN':
      return !(typeof value === 'number' && Number.isNaN(value));
    case 'lt':
      return cmp(x) < 0;
    case 'ltEq':
      return cmp(x) <= 0;
    case 'gt':
      return cmp(x) > 0;
    case 'gtEq':
      return cmp(x) >= 0;
    case 'eq':
      return cmp(x) === 0;
    case 'notEq':
      return cmp(x) !== 0;
    case 'in':
      return p.literals.some((v) => cmp(v) === 0);
    case 'notIn':
      return !p.literals.some((v) => cmp(v) === 0);
    case 'startsWith':
      return typeof value === 'string' && typeof x === 'string' && value.startsWith(x);
    case 'notStartsWith':
      return !(typeof value === 'string' && typeof x === 'string' && value.startsWith(x));
  }
}
