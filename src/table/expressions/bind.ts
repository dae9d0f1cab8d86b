/**
 * Binding: resolve an {@link Expression}'s column names against a schema and convert its literals to
 * the columns' Iceberg types. Every later stage (projection, manifest and metrics pruning, row
 * evaluation) works on the bound form only.
 *
 * Gotchas:
 * - Columns inside lists or maps cannot be filtered on (a row has many such values); they are refused.
 * - Literals for `float` columns are rounded to 32 bits; when rounding changes the value the operator
 *   is widened (`x < 0.1` → `x <= float(0.1)`), so a file is never pruned because of the rounding.
 * - `in ()` binds to alwaysFalse and `notIn ()` to alwaysTrue.
 *
 * @example
 *   bind(Expressions.greaterThan('event.ts', '2024-01-01T00:00:00Z'), schema)
 */
import { StrataError, editDistance } from '../../core/index.ts';
import type { IndexedField, Schema } from '../schema/schema.ts';
import { findFieldByName, indexSchema } from '../schema/schema.ts';
import type { PrimitiveType } from '../schema/types.ts';
import { Types, isPrimitive, primitiveToString, typeToString } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import type { BoundExpression, BoundPredicate, Expression, Operation, UnboundPredicate } from './expression.ts';
import { alwaysFalse, alwaysTrue, and, not, or } from './expression.ts';
import { convertLiteral } from './literals.ts';
import { uniqueValues } from './values-util.ts';

/** Resolve names and convert literals; throws INVALID_ARGUMENT for unknown columns or bad literals. */
export function bind(expr: Expression, schema: Schema, caseSensitive = true): BoundExpression {
  switch (expr.kind) {
    case 'true':
    case 'false':
      return expr;
    case 'and':
      return and(bind(expr.left, schema, caseSensitive), bind(expr.right, schema, caseSensitive));
    case 'or':
      return or(bind(expr.left, schema, caseSensitive), bind(expr.right, schema, caseSensitive));
    case 'not':
      return not(bind(expr.child, schema, caseSensitive));
    case 'predicate':
      return bindPredicate(expr, schema, caseSensitive);
  }
}

function bindPredicate(p: UnboundPredicate, schema: Schema, caseSensitive: boolean): BoundExpression {
  const found = resolveColumn(p.column, schema, caseSensitive);
  const fieldType = found.field.type;
  if (!isPrimitive(fieldType)) {
    throw invalid(`Column "${found.name}" is a ${typeToString(fieldType)}; predicates apply to primitive columns only`, p);
  }
  const type: PrimitiveType = fieldType;
  const bound = (op: Operation, literals: readonly IcebergValue[]): BoundPredicate =>
    Object.freeze({ kind: 'predicate', op, fieldId: found.field.id, column: found.name, type, literals: Object.freeze([...literals]) });
  const isFloat = type.kind === 'float' || type.kind === 'double';

  switch (p.op) {
    case 'isNull':
    case 'notNull':
      return bound(p.op, []);
    case 'isNaN':
    case 'notNaN':
      if (!isFloat) throw invalid(`${p.op} applies to float and double columns only; "${found.name}" is ${primitiveToString(type)}`, p);
      return bound(p.op, []);
    case 'startsWith':
    case 'notStartsWith': {
      if (type.kind !== 'string') throw invalid(`${p.op} applies to string columns only; "${found.name}" is ${primitiveToString(type)}`, p);
      const prefix = single(p);
      if (typeof prefix !== 'string') throw invalid(`${p.op} on "${found.name}" needs a string prefix`, p);
      return bound(p.op, [prefix]);
    }
    case 'in':
    case 'notIn': {
      if (p.literals.length === 0) return p.op === 'in' ? alwaysFalse() : alwaysTrue();
      if (type.kind === 'float') return bindFloatSet(p.op, p, found.name, bound);
      const values = uniqueValues(p.literals.map((l) => convertLiteral(type, l, found.name)));
      if (values.length === 1) return bound(p.op === 'in' ? 'eq' : 'notEq', values);
      return bound(p.op, values);
    }
    default: {
      const literal = single(p);
      if (type.kind === 'float') return bindFloatComparison(p.op, literal, found.name, bound);
      return bound(p.op, [convertLiteral(type, literal, found.name)]);
    }
  }
}

type MakeBound = (op: Operation, literals: readonly IcebergValue[]) => BoundPredicate;

/**
 * A float column holds 32-bit values but the literal is a JS double. The engine may compare either
 * way, so widen the operator to cover both readings whenever rounding changed the literal.
 */
function bindFloatComparison(op: Operation, literal: Parameters<typeof convertLiteral>[1], column: string, bound: MakeBound): BoundExpression {
  const exact = convertLiteral(Types.double, literal, column) as number;
  const rounded = Math.fround(exact);
  const same = Object.is(rounded, exact);
  switch (op) {
    case 'lt':
      return bound(same ? 'lt' : 'ltEq', [rounded]);
    case 'gt':
      return bound(same ? 'gt' : 'gtEq', [rounded]);
    case 'notEq':
      return same ? bound('notEq', [rounded]) : alwaysTrue();
    default:
      return bound(op, [rounded]);
  }
}

function bindFloatSet(op: 'in' | 'notIn', p: UnboundPredicate, column: string, bound: MakeBound): BoundExpression {
  const exact = p.literals.map((l) => convertLiteral(Types.double, l, column) as number);
  // `x in (0.1)` may match float(0.1); `x not in (0.1)` is true for every float when 0.1 is not one.
  const values = uniqueValues(op === 'in' ? exact.map(Math.fround) : exact.filter((v) => Object.is(Math.fround(v), v)));
  if (values.length === 0) return op === 'in' ? alwaysFalse() : alwaysTrue();
  if (values.length === 1) return bound(op === 'in' ? 'eq' : 'notEq', values);
  return bound(op, values);
}

function single(p: UnboundPredicate): UnboundPredicate['literals'][number] {
  const [first] = p.literals;
  if (p.literals.length !== 1 || first === undefined) {
    throw invalid(`Operator ${p.op} on "${p.column}" takes exactly one literal, got ${p.literals.length}`, p);
  }
  if ((first as unknown) === null) throw invalid(`Cannot compare "${p.column}" with null; use isNull / notNull`, p);
  return first;
}

function resolveColumn(name: string, schema: Schema, caseSensitive: boolean): IndexedField {
  const found = findFieldByName(schema, name, caseSensitive);
  if (found === undefined) {
    const candidates = [...indexSchema(schema).values()].filter((f) => !f.repeated).map((f) => f.name);
    const hint = suggest(name, candidates, caseSensitive);
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Unknown column "${name}" in filter${hint === undefined ? '' : `; did you mean "${hint}"?`}`,
      { column: name, ...(hint === undefined ? {} : { suggestion: hint }) },
    );
  }
  if (found.repeated) {
    throw new StrataError('INVALID_ARGUMENT', `Column "${found.name}" is inside a list or map; filters can only use top-level or struct columns`, {
      column: found.name,
    });
  }
  return found;
}

/** The closest candidate by edit distance (case-insensitive matches first), if close enough to help. */
export function suggest(name: string, candidates: readonly string[], caseSensitive = true): string | undefined {
  const lower = name.toLowerCase();
  if (caseSensitive) {
    const sameIgnoringCase = candidates.find((c) => c.toLowerCase() === lower);
    if (sameIgnoringCase !== undefined) return sameIgnoringCase;
  }
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}


function invalid(message: string, p: UnboundPredicate): StrataError {
  return new StrataError('INVALID_ARGUMENT', message, { column: p.column, op: p.op });
}
