/**
 * Tag expressions, the selector of tag-based grants, masks and row filters:
 *
 *   domain=ads AND confidentiality IN (public, internal)
 *   (domain=ads OR team=growth) AND pii=false
 *
 * `key=value` is shorthand for `key IN (value)`. AND binds tighter than OR. Keys and values are
 * words of lowercase letters, digits and `_ . : -` (case is folded), or single-quoted strings for
 * anything else. A key the tags do not carry never matches: an untagged table is never covered by
 * a tag grant.
 */
import { StrataError } from '../../core/index.ts';
import type { TagExpression } from '../model.ts';

const WORD = /^[A-Za-z0-9_.:-]+$/;

/** Parse a tag expression; INVALID_ARGUMENT names the position and what was expected. */
export function parseTagExpression(text: string): TagExpression {
  const tokens = lex(text);
  let at = 0;
  const peek = (): Lexeme | undefined => tokens[at];
  const fail = (expected: string): never => {
    const token = peek();
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Cannot read the tag expression "${text}": expected ${expected} at position ${token?.start ?? text.length}` +
        ` (write e.g. domain=ads AND confidentiality IN (public, internal))`,
      { expression: text, position: token?.start ?? text.length },
    );
  };
  const keyword = (word: string): boolean => {
    const token = peek();
    if (token?.kind === 'word' && token.text.toUpperCase() === word) {
      at++;
      return true;
    }
    return false;
  };
  const punct = (p: string): boolean => {
    if (peek()?.kind === 'punct' && peek()?.text === p) {
      at++;
      return true;
    }
    return false;
  };
  const value = (what: string): string => {
    const token = peek();
    if (!token || (token.kind !== 'word' && token.kind !== 'string')) return fail(what);
    if (token.kind === 'word' && ['AND', 'OR', 'IN'].includes(token.text.toUpperCase())) return fail(what);
    at++;
    return token.kind === 'word' ? token.text.toLowerCase() : token.text;
  };
  const primary = (): TagExpression => {
    if (punct('(')) {
      const inner = or();
      if (!punct(')')) fail('")"');
      return inner;
    }
    const key = value('a tag key');
    if (punct('=')) return { kind: 'in', key, values: [value('a tag value')] };
    if (!keyword('IN')) return fail('"=" or IN after the key');
    if (!punct('(')) fail('"(" after IN');
    const values = [value('a tag value')];
    while (punct(',')) values.push(value('a tag value'));
    if (!punct(')')) fail('"," or ")"');
    return { kind: 'in', key, values: [...new Set(values)] };
  };
  const and = (): TagExpression => {
    let left = primary();
    while (keyword('AND')) left = { kind: 'and', left, right: primary() };
    return left;
  };
  const or = (): TagExpression => {
    let left = and();
    while (keyword('OR')) left = { kind: 'or', left, right: and() };
    return left;
  };
  if (tokens.length === 0) fail('a tag expression');
  const expression = or();
  if (at < tokens.length) fail('AND, OR or the end');
  return expression;
}

/** The canonical text of an expression; `parseTagExpression(formatTagExpression(e))` equals `e`. */
export function formatTagExpression(expression: TagExpression, parent?: TagExpression['kind']): string {
  switch (expression.kind) {
    case 'in': {
      const values = expression.values.map(formatWord);
      return values.length === 1 ? `${formatWord(expression.key)}=${values[0] ?? ''}` : `${formatWord(expression.key)} IN (${values.join(', ')})`;
    }
    case 'and':
      return `${formatTagExpression(expression.left, 'and')} AND ${formatTagExpression(expression.right, 'and')}`;
    case 'or': {
      const text = `${formatTagExpression(expression.left, 'or')} OR ${formatTagExpression(expression.right, 'or')}`;
      return parent === 'and' ? `(${text})` : text;
    }
  }
}

/** Whether tags (key → value, already inherited) satisfy the expression. */
export function evaluateTagExpression(expression: TagExpression, tags: Readonly<Record<string, string>>): boolean {
  switch (expression.kind) {
    case 'in': {
      const value = Object.hasOwn(tags, expression.key) ? tags[expression.key] : undefined;
      return value !== undefined && expression.values.includes(value);
    }
    case 'and':
      return evaluateTagExpression(expression.left, tags) && evaluateTagExpression(expression.right, tags);
    case 'or':
      return evaluateTagExpression(expression.left, tags) || evaluateTagExpression(expression.right, tags);
  }
}

/** Every `key → values` pair the expression mentions, to validate against the tag keys. */
export function tagPairsOf(expression: TagExpression): { key: string; values: readonly string[] }[] {
  if (expression.kind === 'in') return [{ key: expression.key, values: expression.values }];
  return [...tagPairsOf(expression.left), ...tagPairsOf(expression.right)];
}

function formatWord(word: string): string {
  return WORD.test(word) && word === word.toLowerCase() && !['and', 'or', 'in'].includes(word) ? word : `'${word.replaceAll("'", "''")}'`;
}

interface Lexeme {
  readonly kind: 'word' | 'string' | 'punct';
  readonly text: string;
  readonly start: number;
}

function lex(text: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if ('()=,'.includes(c)) {
      out.push({ kind: 'punct', text: c, start: i });
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) {
          throw new StrataError('INVALID_ARGUMENT', `Unterminated quoted tag value at position ${i} in "${text}"`, { expression: text, position: i });
        }
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      out.push({ kind: 'string', text: value, start: i });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_.:-]/.test(text[j] ?? '')) j++;
      if (j === i) {
        throw new StrataError('INVALID_ARGUMENT', `Unexpected "${c}" at position ${i} in the tag expression "${text}"`, { expression: text, position: i });
      }
      out.push({ kind: 'word', text: text.slice(i, j), start: i });
      i = j;
    }
  }
  return out;
}
