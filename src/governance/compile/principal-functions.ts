/**
 * The principal functions a row filter or expression mask may call, bound to literals for the
 * acting principal before the SQL reaches an engine (no engine knows Strata's principals):
 *
 * | call                                 | becomes                                         |
 * | ------------------------------------ | ----------------------------------------------- |
 * | `current_principal()`                | `'alice'`                                       |
 * | `current_principal_attribute('k')`   | the attribute as a string literal, or `NULL`    |
 * | `is_member('g')`                     | `TRUE` / `FALSE` (group names are lowercase)    |
 * | `has_role('r')`                      | `TRUE` / `FALSE`                                |
 *
 * A missing attribute is `NULL`, so `region = current_principal_attribute('region')` is never true
 * for a principal without a region: the filter fails closed. Arguments must be one string literal;
 * anything else is refused (INVALID_ARGUMENT) rather than guessed at.
 */
import { StrataError } from '../../core/index.ts';
import { EditedText, identifierValue, significant, tokenize, type Edit, type Token } from '../../core/index.ts';
import type { PrincipalContext } from '../model.ts';
import { duckDbDialect } from './duckdb-dialect.ts';
import type { PolicyDialect } from './policy-dialect.ts';

export const PRINCIPAL_FUNCTIONS = ['current_principal', 'current_principal_attribute', 'is_member', 'has_role'] as const;
const NAMES: ReadonlySet<string> = new Set(PRINCIPAL_FUNCTIONS);

/** Replace every principal function call in `predicate` with its literal for `principal`. */
export function bindPrincipalFunctions(predicate: string, principal: PrincipalContext, dialect: PolicyDialect = duckDbDialect): string {
  const tokens = significant(tokenize(predicate));
  const edits: Edit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) continue;
    const name = identifierValue(t).toLowerCase();
    if (!NAMES.has(name) || tokens[i + 1]?.text !== '(' || tokens[i - 1]?.text === '.') continue;
    if (name === 'current_principal') {
      const close = tokens[i + 2];
      if (close?.text !== ')') throw badCall(predicate, 'current_principal() takes no arguments');
      edits.push({ start: t.start, end: close.end, replacement: dialect.quoteString(principal.name) });
      i += 2;
      continue;
    }
    const argument = tokens[i + 2];
    const close = tokens[i + 3];
    if (argument?.kind !== 'string' || close?.text !== ')' || !terminated(argument)) {
      throw badCall(predicate, `${name}() takes one string literal, e.g. ${name}('${name === 'current_principal_attribute' ? 'region' : name === 'is_member' ? 'analysts' : 'auditor'}')`);
    }
    const value = argument.text.slice(1, -1).replaceAll("''", "'");
    edits.push({ start: t.start, end: close.end, replacement: literalFor(name, value, principal, dialect) });
    i += 3;
  }
  return new EditedText(predicate, edits).text;
}

function literalFor(name: string, argument: string, principal: PrincipalContext, dialect: PolicyDialect): string {
  switch (name) {
    case 'current_principal_attribute': {
      const attributes = principal.attributes;
      const key = Object.hasOwn(attributes, argument) ? argument : argument.toLowerCase();
      // Object.hasOwn, not `in`: `constructor` or `__proto__` must not find Object.prototype.
      return Object.hasOwn(attributes, key) ? dialect.quoteString(attributes[key] ?? '') : 'NULL';
    }
    case 'is_member':
      return principal.groups.includes(argument.toLowerCase()) ? 'TRUE' : 'FALSE';
    default:
      return principal.roles.includes(argument.toLowerCase()) ? 'TRUE' : 'FALSE';
  }
}

function terminated(token: Token): boolean {
  return token.text.length >= 2 && token.text.endsWith("'");
}

function badCall(predicate: string, reason: string): StrataError {
  return new StrataError('INVALID_ARGUMENT', `Policy SQL refused: ${reason}`, { sql: predicate, reason });
}
