/**
 * Prints DQDL syntax trees back as DQDL text, for result messages ("Value: 0.93 does not satisfy
 * > 0.95") and for rules built in code. The output parses back to an equal tree
 * (`parseDqdl(formatRule(r))` ≈ `r` up to `text`/`position`).
 *
 * Gotchas:
 * - Strings are re-escaped (`\"`, `\\`), so a regex with a backslash followed by a quote survives.
 * - Parentheses are added only where precedence needs them (`avg(last(10)) * 0.8`,
 *   `a - (b - c)`), plus around date arithmetic in a condition (`> (now() - 3 days)`) as Glue wants.
 * - Numbers print with JavaScript's shortest round-trip form (`0.95`, `1e+21` for huge values).
 */
import type { Condition, RuleNode, ValueExpr } from './ast.ts';

/** `> 0.95`, `between 1 and 10`, `not in ["a", NULL]`, `matches "[0-9]+"`. */
export function formatCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'compare':
      return `${condition.operator} ${formatOperand(condition.value)}`;
    case 'between':
      return `${condition.negated ? 'not ' : ''}between ${formatOperand(condition.low)} and ${formatOperand(condition.high)}`;
    case 'in':
      return `${condition.negated ? 'not ' : ''}in [${condition.values.map(formatOperand).join(', ')}]`;
    case 'matches':
      return `${condition.negated ? 'not ' : ''}matches ${quote(condition.pattern)}`;
  }
}

/** `avg(last(10)) * 0.8`, `now() - 3 days`, `"paid"`, `NULL`. */
export function formatValue(value: ValueExpr): string {
  switch (value.kind) {
    case 'number':
      return String(value.value);
    case 'string':
      return quote(value.value);
    case 'keyword':
      return value.keyword;
    case 'now':
      return 'now()';
    case 'duration':
      return `${value.amount} ${value.unit}`;
    case 'call':
      return `${value.name}(${value.args.map(formatValue).join(', ')})`;
    case 'binary': {
      const own = precedence(value.operator);
      const left = formatValue(value.left);
      const right = formatValue(value.right);
      const leftNeeds = value.left.kind === 'binary' && precedence(value.left.operator) < own;
      // Same precedence on the right changes meaning for - and / (a - (b - c)), so keep parentheses.
      const rightNeeds = value.right.kind === 'binary' && precedence(value.right.operator) <= own;
      return `${leftNeeds ? `(${left})` : left} ${value.operator} ${rightNeeds ? `(${right})` : right}`;
    }
  }
}

/** A whole rule or composite: `ColumnValues "a" > 0 where "b = 1" with threshold > 0.9`, `(A) and (B)`. */
export function formatRule(rule: RuleNode): string {
  if (rule.kind === 'composite') {
    return rule.operands.map((operand) => `(${formatRule(operand)})`).join(` ${rule.operator} `);
  }
  const parts: string[] = [rule.ruleType, ...rule.params.map(quote)];
  if (rule.condition !== undefined) parts.push(formatCondition(rule.condition));
  if (rule.where !== undefined) parts.push(`where ${quote(rule.where)}`);
  if (rule.threshold !== undefined) parts.push(`with threshold ${formatCondition(rule.threshold)}`);
  return parts.join(' ');
}

/** Glue writes date arithmetic in parentheses (`> (now() - 3 days)`); keep that form so Glue reads it too. */
function formatOperand(value: ValueExpr): string {
  const text = formatValue(value);
  return value.kind === 'binary' && involvesTime(value) ? `(${text})` : text;
}

function involvesTime(value: ValueExpr): boolean {
  if (value.kind === 'now' || value.kind === 'duration') return true;
  if (value.kind === 'binary') return involvesTime(value.left) || involvesTime(value.right);
  return false;
}

function precedence(operator: '+' | '-' | '*' | '/'): number {
  return operator === '+' || operator === '-' ? 1 : 2;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
