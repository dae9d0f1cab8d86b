/**
 * SQL's three-valued logic for a WHERE clause turned into an Iceberg filter.
 *
 * Iceberg's expression semantics (which the table layer evaluates) count NULL as satisfying the
 * negative operators: `p != 1` and `p NOT IN (…)` are true for a null `p`. In SQL the same
 * comparisons are UNKNOWN for NULL, and a row is affected only when its WHERE is TRUE. A DELETE
 * translated naively would therefore remove rows that `SELECT … WHERE` does not return.
 *
 * Pushing every NOT down to the comparisons first (De Morgan), then requiring the compared column to
 * be non-null at each comparison, gives exactly SQL's "is TRUE": with NOT only at the leaves, AND and
 * OR are monotone, so mapping UNKNOWN to FALSE at the leaves never changes a TRUE into anything else.
 */
import { Expressions, and, rewriteNot, type Expression } from '../table/index.ts';

export function withSqlNullSemantics(expr: Expression): Expression {
  return nonNullAtComparisons(rewriteNot(expr));
}

function nonNullAtComparisons(expr: Expression): Expression {
  switch (expr.kind) {
    case 'true':
    case 'false':
      return expr;
    case 'and':
      return and(nonNullAtComparisons(expr.left), nonNullAtComparisons(expr.right));
    case 'or':
      return Expressions.or(nonNullAtComparisons(expr.left), nonNullAtComparisons(expr.right));
    case 'not':
      // rewriteNot leaves no NOT behind; keep the node unchanged if one ever appears.
      return expr;
    case 'predicate':
      return expr.op === 'isNull' || expr.op === 'notNull' ? expr : and(expr, Expressions.notNull(expr.column));
  }
}
