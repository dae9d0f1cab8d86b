/**
 * Iceberg row predicates as immutable, `kind`-tagged data. The same shape serves three stages:
 * - {@link Expression}: as the user wrote it, over column names and plain JS literals;
 * - {@link BoundExpression}: after `bind`, over field ids with literals in the column's Iceberg type;
 * - {@link PartitionExpression}: after `projectInclusive`, over partition tuple positions.
 *
 * Null semantics follow the Java reference: a null value satisfies `isNull`, `notNull` is false, and
 * the negative operators (`notEq`, `notIn`, `notNaN`, `notStartsWith`) are true for null. That is the
 * more inclusive choice, so pruning that is safe under it is safe under SQL's three-valued logic too.
 *
 * @example
 *   const { and, greaterThanOrEqual, equal } = Expressions;
 *   const filter = and(greaterThanOrEqual('ts', '2024-01-01T00:00:00Z'), equal('region', 'eu'));
 */
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';

export type Operation =
  | 'isNull'
  | 'notNull'
  | 'isNaN'
  | 'notNaN'
  | 'lt'
  | 'ltEq'
  | 'gt'
  | 'gtEq'
  | 'eq'
  | 'notEq'
  | 'in'
  | 'notIn'
  | 'startsWith'
  | 'notStartsWith';

/** What a caller may write as a literal; `bind` converts it to the column's type. */
export type LiteralInput = boolean | number | bigint | string | Uint8Array | Date;

/** What every predicate stage has in common; the type parameter bound of {@link Expr}. */
export interface AnyPredicate {
  readonly kind: 'predicate';
  readonly op: Operation;
}

export interface AlwaysTrue {
  readonly kind: 'true';
}
export interface AlwaysFalse {
  readonly kind: 'false';
}
export interface And<P extends AnyPredicate> {
  readonly kind: 'and';
  readonly left: Expr<P>;
  readonly right: Expr<P>;
}
export interface Or<P extends AnyPredicate> {
  readonly kind: 'or';
  readonly left: Expr<P>;
  readonly right: Expr<P>;
}
export interface Not<P extends AnyPredicate> {
  readonly kind: 'not';
  readonly child: Expr<P>;
}
export type Expr<P extends AnyPredicate> = AlwaysTrue | AlwaysFalse | And<P> | Or<P> | Not<P> | P;

/** A predicate over a column name (dotted for nested struct fields). */
export interface UnboundPredicate {
  readonly kind: 'predicate';
  readonly op: Operation;
  readonly column: string;
  /** None for isNull/notNull/isNaN/notNaN, one for comparisons and startsWith, any number for in/notIn. */
  readonly literals: readonly LiteralInput[];
}

/** A predicate resolved against a schema: literals are non-null values of `type`. */
export interface BoundPredicate {
  readonly kind: 'predicate';
  readonly op: Operation;
  readonly fieldId: number;
  /** Full dotted name of the field, for messages. */
  readonly column: string;
  readonly type: PrimitiveType;
  readonly literals: readonly IcebergValue[];
}

/** A predicate on one field of a partition tuple (produced by projection). */
export interface PartitionPredicate extends BoundPredicate {
  /** Index of the field in the partition tuple / the manifest's partition summaries. */
  readonly position: number;
}

export type Expression = Expr<UnboundPredicate>;
export type BoundExpression = Expr<BoundPredicate>;
export type PartitionExpression = Expr<PartitionPredicate>;

const TRUE: AlwaysTrue = Object.freeze({ kind: 'true' });
const FALSE: AlwaysFalse = Object.freeze({ kind: 'false' });

export function alwaysTrue(): AlwaysTrue {
  return TRUE;
}
export function alwaysFalse(): AlwaysFalse {
  return FALSE;
}

/** `a AND b AND ...`, folding constants (`and(false, x)` → false, `and(true, x)` → x). */
export function and<P extends AnyPredicate>(...exprs: readonly Expr<P>[]): Expr<P> {
  let result: Expr<P> = TRUE;
  for (const e of exprs) {
    if (e.kind === 'false' || result.kind === 'false') return FALSE;
    if (e.kind === 'true') continue;
    result = result.kind === 'true' ? e : Object.freeze({ kind: 'and', left: result, right: e });
  }
  return result;
}

/** `a OR b OR ...`, folding constants. */
export function or<P extends AnyPredicate>(...exprs: readonly Expr<P>[]): Expr<P> {
  let result: Expr<P> = FALSE;
  for (const e of exprs) {
    if (e.kind === 'true' || result.kind === 'true') return TRUE;
    if (e.kind === 'false') continue;
    result = result.kind === 'false' ? e : Object.freeze({ kind: 'or', left: result, right: e });
  }
  return result;
}

/** `NOT e`, folding constants and double negation. */
export function not<P extends AnyPredicate>(e: Expr<P>): Expr<P> {
  if (e.kind === 'true') return FALSE;
  if (e.kind === 'false') return TRUE;
  if (e.kind === 'not') return e.child;
  return Object.freeze({ kind: 'not', child: e });
}

/** The operator that is true exactly when `op` is false (under the null semantics above). */
export function negateOperation(op: Operation): Operation {
  return NEGATED[op];
}

const NEGATED: Readonly<Record<Operation, Operation>> = {
  isNull: 'notNull',
  notNull: 'isNull',
  isNaN: 'notNaN',
  notNaN: 'isNaN',
  lt: 'gtEq',
  ltEq: 'gt',
  gt: 'ltEq',
  gtEq: 'lt',
  eq: 'notEq',
  notEq: 'eq',
  in: 'notIn',
  notIn: 'in',
  startsWith: 'notStartsWith',
  notStartsWith: 'startsWith',
};

function predicate(op: Operation, column: string, literals: readonly LiteralInput[]): UnboundPredicate {
  return Object.freeze({ kind: 'predicate', op, column, literals: Object.freeze([...literals]) });
}

/** Constructors, named like the Java reference's `Expressions`. */
export const Expressions = {
  and: (...exprs: readonly Expression[]): Expression => and(...exprs),
  or: (...exprs: readonly Expression[]): Expression => or(...exprs),
  not: (e: Expression): Expression => not(e),
  alwaysTrue: (): Expression => TRUE,
  alwaysFalse: (): Expression => FALSE,
  equal: (column: string, value: LiteralInput): Expression => predicate('eq', column, [value]),
  notEqual: (column: string, value: LiteralInput): Expression => predicate('notEq', column, [value]),
  lessThan: (column: string, value: LiteralInput): Expression => predicate('lt', column, [value]),
  lessThanOrEqual: (column: string, value: LiteralInput): Expression => predicate('ltEq', column, [value]),
  greaterThan: (column: string, value: LiteralInput): Expression => predicate('gt', column, [value]),
  greaterThanOrEqual: (column: string, value: LiteralInput): Expression => predicate('gtEq', column, [value]),
  isNull: (column: string): Expression => predicate('isNull', column, []),
  notNull: (column: string): Expression => predicate('notNull', column, []),
  isNaN: (column: string): Expression => predicate('isNaN', column, []),
  notNaN: (column: string): Expression => predicate('notNaN', column, []),
  in: (column: string, values: readonly LiteralInput[]): Expression => predicate('in', column, values),
  notIn: (column: string, values: readonly LiteralInput[]): Expression => predicate('notIn', column, values),
  startsWith: (column: string, prefix: string): Expression => predicate('startsWith', column, [prefix]),
  notStartsWith: (column: string, prefix: string): Expression => predicate('notStartsWith', column, [prefix]),
} as const;

/**
 * Push every NOT down to the predicates (De Morgan + operator negation), so evaluators and
 * projections never see a `not` node. Needed because inclusive projection of `NOT p` is NOT
 * `NOT project(p)`.
 */
export function rewriteNot<P extends AnyPredicate>(e: Expr<P>): Expr<P> {
  switch (e.kind) {
    case 'true':
    case 'false':
    case 'predicate':
      return e;
    case 'and':
      return and(rewriteNot(e.left), rewriteNot(e.right));
    case 'or':
      return or(rewriteNot(e.left), rewriteNot(e.right));
    case 'not':
      return negate(e.child);
  }
}

function negate<P extends AnyPredicate>(e: Expr<P>): Expr<P> {
  switch (e.kind) {
    case 'true':
      return FALSE;
    case 'false':
      return TRUE;
    case 'and':
      return or(negate(e.left), negate(e.right));
    case 'or':
      return and(negate(e.left), negate(e.right));
    case 'not':
      return rewriteNot(e.child);
    case 'predicate':
      return Object.freeze({ ...e, op: negateOperation(e.op) });
  }
}

/** A readable form, for logs and error messages: `(ts >= 1704067200000000 and region = "eu")`. */
export function expressionToString<P extends UnboundPredicate | BoundPredicate>(e: Expr<P>): string {
  switch (e.kind) {
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'and':
      return `(${expressionToString(e.left)} and ${expressionToString(e.right)})`;
    case 'or':
      return `(${expressionToString(e.left)} or ${expressionToString(e.right)})`;
    case 'not':
      return `not(${expressionToString(e.child)})`;
    case 'predicate': {
      const lits = e.literals.map(showLiteral);
      switch (e.op) {
        case 'isNull':
        case 'notNull':
        case 'isNaN':
        case 'notNaN':
          return `${e.op}(${e.column})`;
        case 'in':
        case 'notIn':
          return `${e.column} ${e.op === 'in' ? 'in' : 'not in'} (${lits.join(', ')})`;
        default:
          return `${e.column} ${SYMBOL[e.op] ?? e.op} ${lits[0] ?? ''}`;
      }
    }
  }
}

const SYMBOL: Partial<Record<Operation, string>> = {
  lt: '<',
  ltEq: '<=',
  gt: '>',
  gtEq: '>=',
  eq: '=',
  notEq: '!=',
  startsWith: 'startsWith',
  notStartsWith: 'notStartsWith',
};

function showLiteral(v: LiteralInput | IcebergValue): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}
