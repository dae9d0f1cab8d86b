/**
 * DuckDB parser expressions (the JSON of `json_serialize_sql`) → the table plane's Expressions.
 * Used twice: to push simple WHERE predicates down to a table scan, where file pruning and the
 * scan's row filter use them (anything not convertible is simply not pushed; DuckDB still applies
 * the full WHERE), and to turn `DELETE … WHERE` into a metadata-only delete (where anything not
 * convertible is an error).
 *
 * Convertible: `col <op> constant` (either side; =, <>, <, <=, >, >=), `col [NOT] IN (constants)`,
 * `col BETWEEN c1 AND c2`, `col IS [NOT] NULL`, and AND / OR / NOT of those. Constants are numbers,
 * strings, booleans and typed strings such as `DATE '2024-01-01'` or `'…'::TIMESTAMP`.
 */
import { Expressions, type Expression, type LiteralInput } from '../table/index.ts';

export type AstNode = Readonly<Record<string, unknown>>;

/** Resolves a column reference's name parts to a table column name, or undefined if not this table's. */
export type ColumnResolver = (parts: readonly string[]) => string | undefined;

const COMPARISONS: Readonly<Record<string, { make: (c: string, v: LiteralInput) => Expression; flipped: string }>> = {
  COMPARE_EQUAL: { make: Expressions.equal, flipped: 'COMPARE_EQUAL' },
  COMPARE_NOTEQUAL: { make: Expressions.notEqual, flipped: 'COMPARE_NOTEQUAL' },
  COMPARE_LESSTHAN: { make: Expressions.lessThan, flipped: 'COMPARE_GREATERTHAN' },
  COMPARE_GREATERTHAN: { make: Expressions.greaterThan, flipped: 'COMPARE_LESSTHAN' },
  COMPARE_LESSTHANOREQUALTO: { make: Expressions.lessThanOrEqual, flipped: 'COMPARE_GREATERTHANOREQUALTO' },
  COMPARE_GREATERTHANOREQUALTO: { make: Expressions.greaterThanOrEqual, flipped: 'COMPARE_LESSTHANOREQUALTO' },
};

/** The AND-ed parts of a WHERE clause. */
export function conjuncts(node: AstNode | null | undefined): AstNode[] {
  if (!node) return [];
  if (node['type'] === 'CONJUNCTION_AND') return children(node).flatMap((c) => conjuncts(c));
  return [node];
}

/** The Expression equivalent to `node`, or undefined when it is not a simple predicate on this table. */
export function toExpression(node: AstNode, resolve: ColumnResolver): Expression | undefined {
  const type = node['type'];
  switch (type) {
    case 'CONJUNCTION_AND':
    case 'CONJUNCTION_OR': {
      const parts = children(node).map((c) => toExpression(c, resolve));
      if (parts.some((p) => p === undefined)) return undefined;
      const defined = parts as Expression[];
      return type === 'CONJUNCTION_AND' ? Expressions.and(...defined) : Expressions.or(...defined);
    }
    case 'OPERATOR_NOT': {
      const [child] = children(node);
      const inner = child ? toExpression(child, resolve) : undefined;
      return inner ? Expressions.not(inner) : undefined;
    }
    case 'OPERATOR_IS_NULL':
    case 'OPERATOR_IS_NOT_NULL': {
      const column = columnOf(children(node)[0], resolve);
      if (column === undefined) return undefined;
      return type === 'OPERATOR_IS_NULL' ? Expressions.isNull(column) : Expressions.notNull(column);
    }
    case 'COMPARE_IN':
    case 'COMPARE_NOT_IN': {
      const [first, ...rest] = children(node);
      const column = columnOf(first, resolve);
      const values = rest.map(constantOf);
      if (column === undefined || values.length === 0 || values.some((v) => v === undefined)) return undefined;
      const literals = values as LiteralInput[];
      return type === 'COMPARE_IN' ? Expressions.in(column, literals) : Expressions.notIn(column, literals);
    }
    case 'COMPARE_BETWEEN': {
      const column = columnOf(node['input'] as AstNode | undefined, resolve);
      const lower = constantOf(node['lower'] as AstNode | undefined);
      const upper = constantOf(node['upper'] as AstNode | undefined);
      if (column === undefined || lower === undefined || upper === undefined) return undefined;
      return Expressions.and(Expressions.greaterThanOrEqual(column, lower), Expressions.lessThanOrEqual(column, upper));
    }
    default: {
      const comparison = typeof type === 'string' ? COMPARISONS[type] : undefined;
      if (!comparison) return undefined;
      const left = node['left'] as AstNode | undefined;
      const right = node['right'] as AstNode | undefined;
      const leftColumn = columnOf(left, resolve);
      const rightValue = constantOf(right);
      if (leftColumn !== undefined && rightValue !== undefined) return comparison.make(leftColumn, rightValue);
      const rightColumn = columnOf(right, resolve);
      const leftValue = constantOf(left);
      const flipped = COMPARISONS[comparison.flipped];
      if (rightColumn !== undefined && leftValue !== undefined && flipped) return flipped.make(rightColumn, leftValue);
      return undefined;
    }
  }
}

function children(node: AstNode): AstNode[] {
  const list = node['children'];
  return Array.isArray(list) ? (list as AstNode[]) : [];
}

function columnOf(node: AstNode | undefined, resolve: ColumnResolver): string | undefined {
  if (!node || node['type'] !== 'COLUMN_REF') return undefined;
  const names = node['column_names'];
  return Array.isArray(names) ? resolve(names as string[]) : undefined;
}

/** A constant's JS value, or undefined for NULL and anything that is not a plain constant. */
export function constantOf(node: AstNode | undefined): LiteralInput | undefined {
  if (!node) return undefined;
  if (node['type'] === 'OPERATOR_CAST') {
    // Only `'…'::VARCHAR` keeps its meaning as bare text. A typed literal (`DATE '2024-01-01'`)
    // makes DuckDB compare in the literal's type — casting the *column* when it is a string — which
    // an Iceberg predicate on the column's own type cannot express, so it is not pushed down.
    const child = constantOf(node['child'] as AstNode | undefined);
    const castTo = ((node['cast_type'] as AstNode | undefined)?.['id'] as string | undefined) ?? '';
    if (typeof child === 'string' && castTo === 'VARCHAR') return child;
    return undefined;
  }
  if (node['type'] !== 'VALUE_CONSTANT') return undefined;
  const value = node['value'] as AstNode | undefined;
  if (!value || value['is_null'] === true) return undefined;
  const typeInfo = value['type'] as AstNode | undefined;
  const typeId = typeInfo?.['id'];
  const raw = value['value'];
  switch (typeId) {
    case 'BOOLEAN':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'HUGEINT':
    case 'UTINYINT':
    case 'USMALLINT':
    case 'UINTEGER':
    case 'UBIGINT':
    case 'DOUBLE':
    case 'FLOAT':
      return typeof raw === 'number' || typeof raw === 'bigint' ? raw : undefined;
    case 'DECIMAL': {
      const scale = Number((typeInfo?.['type_info'] as AstNode | undefined)?.['scale'] ?? 0);
      if (typeof raw !== 'number' && typeof raw !== 'bigint') return undefined;
      const n = Number(raw) / 10 ** scale;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'VARCHAR':
      return typeof raw === 'string' ? raw : undefined;
    default:
      return undefined;
  }
}
