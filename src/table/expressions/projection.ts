/**
 * Inclusive projection (spec "Scan Planning"): turn a row predicate into a predicate on partition
 * tuples that is true for every partition that MAY hold a matching row. A false result prunes the
 * partition, so each rule below must never exclude a partition with a matching row.
 *
 * Rules per transform (after NOTs are pushed down to predicates):
 * - identity: the same predicate on the partition field.
 * - bucket[N]: `eq`/`in` → bucket of the literal(s); null checks kept; everything else unknown.
 * - truncate[W], year, month, day, hour (all monotone): `x < v` → `f(x) <= f(v - 1)` on integral
 *   sources (`f(x) <= f(v)` on strings/binary), `x <= v` → `f(x) <= f(v)`, symmetric for `>`/`>=`,
 *   `eq`/`in` → `f(v)`; `notEq`/`notIn` unknown (many values share a partition).
 * - truncate[W] on strings: `startsWith(p)` → `startsWith(truncate(p))`; `notStartsWith(p)` kept only
 *   when p has at most W code points.
 * - void: unknown.
 * "Unknown" means alwaysTrue. Several partition fields on one column are ANDed.
 */
import type { Schema } from '../schema/schema.ts';
import { indexSchema } from '../schema/schema.ts';
import type { PrimitiveType } from '../schema/types.ts';
import { isPrimitive } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import type { PartitionField, PartitionSpec } from '../partition/partition-spec.ts';
import type { Transform } from '../partition/transforms.ts';
import { parseTransform, truncateString } from '../partition/transforms.ts';
import type { BoundExpression, BoundPredicate, Operation, PartitionExpression, PartitionPredicate } from './expression.ts';
import { alwaysTrue, and, or, rewriteNot } from './expression.ts';
import { uniqueValues } from './values-util.ts';

/** Project a bound row predicate onto `spec`'s partition tuples (inclusive: may over-select, never under). */
export function projectInclusive(bound: BoundExpression, spec: PartitionSpec, schema: Schema): PartitionExpression {
  const byId = indexSchema(schema);
  const fields = spec.fields.map((pf, position) => ({ pf, position, transform: parseTransform(pf.transform) }));
  const visit = (e: BoundExpression): PartitionExpression => {
    switch (e.kind) {
      case 'true':
      case 'false':
        return e;
      case 'and':
        return and(visit(e.left), visit(e.right));
      case 'or':
        return or(visit(e.left), visit(e.right));
      case 'not':
        // rewriteNot removed every NOT; kept for exhaustiveness.
        return alwaysTrue();
      case 'predicate': {
        const parts: PartitionExpression[] = [];
        for (const { pf, position, transform } of fields) {
          if (pf.sourceId !== e.fieldId) continue;
          const sourceType = byId.get(pf.sourceId)?.field.type;
          if (sourceType === undefined || !isPrimitive(sourceType) || !transform.canTransform(sourceType)) continue;
          const projected = projectPredicate(e, transform, pf, position);
          if (projected !== undefined) parts.push(projected);
        }
        return and(...parts);
      }
    }
  };
  return visit(rewriteNot(bound));
}

const INTEGRAL = new Set(['int', 'long', 'decimal', 'date', 'time', 'timestamp', 'timestamptz']);
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** The projection of one predicate through one partition field, or undefined when nothing can be said. */
export function projectPredicate(
  p: BoundPredicate,
  transform: Transform,
  pf: PartitionField,
  position: number,
): PartitionPredicate | undefined {
  const source = p.type;
  const make = (op: Operation, literals: readonly IcebergValue[]): PartitionPredicate =>
    Object.freeze({
      kind: 'predicate',
      op,
      fieldId: pf.fieldId,
      column: pf.name,
      type: transform.resultType(source),
      literals: Object.freeze([...literals]),
      position,
    });
  const f = (v: IcebergValue) => transform.apply(v, source);
  const [lit = null] = p.literals;

  if (transform.name === 'void') return undefined;
  if (transform.name === 'identity') return make(p.op, p.literals);
  if (p.op === 'isNull' || p.op === 'notNull') return make(p.op, []);

  if (transform.name === 'bucket') {
    if (p.op === 'eq') return make('eq', [f(lit)]);
    if (p.op === 'in') return make('in', uniqueValues(p.literals.map(f)));
    return undefined;
  }

  // truncate and the time transforms: monotone non-decreasing functions of the value.
  const integral = INTEGRAL.has(source.kind);
  switch (p.op) {
    case 'lt': {
      if (!integral) return make('ltEq', [f(lit)]);
      const prev = step(source, lit, -1);
      return prev === undefined ? undefined : make('ltEq', [f(prev)]);
    }
    case 'ltEq':
      return make('ltEq', [f(lit)]);
    case 'gt': {
      if (!integral) return make('gtEq', [f(lit)]);
      const next = step(source, lit, 1);
      return next === undefined ? undefined : make('gtEq', [f(next)]);
    }
    case 'gtEq':
      return make('gtEq', [f(lit)]);
    case 'eq':
      return make('eq', [f(lit)]);
    case 'in':
      return make('in', uniqueValues(p.literals.map(f)));
    case 'startsWith':
      if (transform.name !== 'truncate' || typeof lit !== 'string') return undefined;
      return make('startsWith', [truncateString(lit, transform.param ?? 0)]);
    case 'notStartsWith':
      if (transform.name !== 'truncate' || typeof lit !== 'string') return undefined;
      return [...lit].length <= (transform.param ?? 0) ? make('notStartsWith', [lit]) : undefined;
    default:
      return undefined;
  }
}

/** `v + delta` for integral types, or undefined at the type's edge (then nothing lies beyond it). */
function step(type: PrimitiveType, v: IcebergValue, delta: 1 | -1): IcebergValue | undefined {
  if (typeof v === 'number') {
    const n = v + delta;
    return n < INT_MIN || n > INT_MAX ? undefined : n;
  }
  if (typeof v === 'bigint') {
    const n = v + BigInt(delta);
    if (type.kind !== 'decimal' && (n < LONG_MIN || n > LONG_MAX)) return undefined;
    return n;
  }
  return undefined;
}
