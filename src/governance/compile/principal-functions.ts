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
  return renderPolicySql(predicate, dialect, { principal });
}

/**
 * Policy SQL (written, validated and stored in the front end's spelling, DuckDB's) as `dialect`
 * runs it, in one pass over one tokenization so no replacement can be re-read as code:
 *
 * - with `principal`, principal function calls become literals (`dialect.quoteString`);
 * - with `value`, every bare identifier `value` becomes that SQL (an expression mask's column,
 *   the same rule as `replaceValueIdentifier`);
 * - for another engine than DuckDB, every other string literal and quoted identifier is spelled
 *   the engine's way and comments are dropped: Spark reads a backslash in `'…'` as an escape,
 *   continues a `--` comment past a line ending in a backslash, and acts on `/*+ … *\/` hints.
 *
 * Throws INVALID_ARGUMENT for a badly called principal function, and for text that would still
 * hold `${` on an engine that substitutes variables (Spark).
 */
export function renderPolicySql(sql: string, dialect: PolicyDialect, options: { readonly principal?: PrincipalContext; readonly value?: string } = {}): string {
  const all = tokenize(sql);
  const tokens = significant(all);
  const edits: Edit[] = [];
  const { principal, value } = options;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) continue;
    const before = tokens[i - 1]?.text;
    const after = tokens[i + 1]?.text;
    if (value !== undefined && t.kind === 'word' && t.text.toLowerCase() === 'value' && before !== '.' && after !== '.' && after !== '(') {
      edits.push({ start: t.start, end: t.end, replacement: value });
      continue;
    }
    if (!principal) continue;
    const name = identifierValue(t).toLowerCase();
    if (!NAMES.has(name) || after !== '(' || before === '.') continue;
    if (name === 'current_principal') {
      const close = tokens[i + 2];
      if (close?.text !== ')') throw badCall(sql, 'current_principal() takes no arguments');
      edits.push({ start: t.start, end: close.end, replacement: dialect.quoteString(principal.name) });
      i += 2;
      continue;
    }
    const argument = tokens[i + 2];
    const close = tokens[i + 3];
    if (argument?.kind !== 'string' || close?.text !== ')' || !terminated(argument)) {
      throw badCall(sql, `${name}() takes one string literal, e.g. ${name}('${name === 'current_principal_attribute' ? 'region' : name === 'is_member' ? 'analysts' : 'auditor'}')`);
    }
    const argumentValue = argument.text.slice(1, -1).replaceAll("''", "'");
    edits.push({ start: t.start, end: close.end, replacement: literalFor(name, argumentValue, principal, dialect) });
    i += 3;
  }
  if (dialect.name !== duckDbDialect.name) edits.push(...respell(all, edits, dialect));
  const text = new EditedText(sql, edits).text;
  if (dialect.name === 'spark' && text.includes('${')) {
    throw badCall(sql, 'it holds "${", which Spark\'s variable substitution would replace');
  }
  return text;
}

/** Edits spelling every literal, quoted name and comment outside `taken` the way `dialect` reads them. */
function respell(tokens: readonly Token[], taken: readonly Edit[], dialect: PolicyDialect): Edit[] {
  const edits: Edit[] = [];
  for (const t of tokens) {
    if (taken.some((e) => t.start < e.end && e.start < t.end)) continue;
    if (t.kind === 'comment') edits.push({ start: t.start, end: t.end, replacement: ' ' });
    else if (t.kind === 'string' && t.text.startsWith("'") && terminated(t)) {
      edits.push({ start: t.start, end: t.end, replacement: dialect.quoteString(t.text.slice(1, -1).replaceAll("''", "'")) });
    } else if (t.kind === 'quoted' && t.text.length >= 2 && t.text.endsWith('"')) {
      edits.push({ start: t.start, end: t.end, replacement: dialect.quoteIdent(identifierValue(t)) });
    }
  }
  return edits;
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
