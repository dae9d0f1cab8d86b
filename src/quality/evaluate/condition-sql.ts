/**
 * Compiles a resolved condition into a SQL predicate over one value expression (a column, its
 * length, a row's age in hours), for the row-level rules. The predicate is TRUE for passing rows;
 * NULL counts as failing wherever it is used (`coalesce(p, false)`).
 *
 * NULL handling follows Glue's ColumnValues: a NULL value fails every condition except `!=` and
 * `not in`, which let NULL pass unless NULL is itself listed (`not in [1, NULL]`, `!= NULL`).
 * `= NULL` / `in [NULL, …]` pass NULLs. EMPTY is the empty string; WHITESPACES_ONLY a non-empty
 * string of whitespace. `matches` is a full match (`regexp_full_match`), as `"[a-z]*"` implies.
 */
import type { ResolvedCondition, ResolvedValue } from './resolve-condition.ts';
import { RuleProblem } from './rule-problem.ts';
import { instantLiteral, numberLiteral, quoteLiteral } from './sql-literals.ts';

export interface OperandStyle {
  /** The column's engine type, for instant literals (zoned or naive). */
  readonly columnType: string;
  /** Durations as hours (row age), else durations are an error. */
  readonly durationsAsHours?: boolean;
}

export function conditionSql(expr: string, condition: ResolvedCondition, style: OperandStyle): string {
  switch (condition.kind) {
    case 'compare': {
      const { operator, value } = condition;
      if (value.kind === 'keyword') {
        const hit = keywordSql(expr, value.keyword);
        return operator === '=' ? hit : operator === '!=' ? `NOT coalesce(${hit}, false)` : badKeyword(value.keyword);
      }
      const literal = literalSql(value, style);
      if (operator === '!=') return `(${expr} IS NULL OR ${expr} <> ${literal})`;
      return `${expr} ${operator} ${literal}`;
    }
    case 'between': {
      const low = literalSql(condition.low, style);
      const high = literalSql(condition.high, style);
      return condition.negated ? `(${expr} <= ${low} OR ${expr} >= ${high})` : `(${expr} > ${low} AND ${expr} < ${high})`;
    }
    case 'in': {
      const hit = inSql(expr, condition.values, style);
      return condition.negated ? `NOT coalesce(${hit}, false)` : `coalesce(${hit}, false)`;
    }
    case 'matches': {
      const hit = `regexp_full_match(CAST(${expr} AS VARCHAR), ${quoteLiteral(condition.pattern)})`;
      return condition.negated ? `NOT ${hit}` : hit;
    }
  }
}

function inSql(expr: string, values: readonly ResolvedValue[], style: OperandStyle): string {
  const parts: string[] = [];
  const literals: string[] = [];
  for (const value of values) {
    if (value.kind === 'keyword') parts.push(keywordSql(expr, value.keyword));
    else literals.push(literalSql(value, style));
  }
  if (literals.length > 0) parts.unshift(`${expr} IN (${literals.join(', ')})`);
  return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
}

function keywordSql(expr: string, keyword: 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY'): string {
  switch (keyword) {
    case 'NULL':
      return `(${expr} IS NULL)`;
    case 'EMPTY':
      return `(CAST(${expr} AS VARCHAR) = '')`;
    case 'WHITESPACES_ONLY':
      return `regexp_full_match(CAST(${expr} AS VARCHAR), '\\s+')`;
  }
}

function badKeyword(keyword: string): never {
  throw new RuleProblem(`${keyword} can only be used with =, !=, in and not in`);
}

function literalSql(value: ResolvedValue, style: OperandStyle): string {
  switch (value.kind) {
    case 'number':
      return numberLiteral(value.value);
    case 'string':
      return quoteLiteral(value.value);
    case 'instant':
      return instantLiteral(value.epochMs, style.columnType);
    case 'duration':
      if (style.durationsAsHours === true) return numberLiteral(value.ms / 3_600_000);
      throw new RuleProblem('a duration needs a point in time: write (now() - 3 days)');
    case 'keyword':
      return badKeyword(value.keyword);
    case 'list':
      throw new RuleProblem('last(k) is a list: wrap it in avg/min/max/sum/stdev/index');
  }
}
