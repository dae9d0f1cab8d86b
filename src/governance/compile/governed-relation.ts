/**
 * A `ReadDecision` compiled into the relation a principal reads instead of the table:
 *
 *   SELECT <readable columns, each masked as decided>
 *   FROM (<the table's scan SQL>) AS strata_base
 *   WHERE (<row filter 1>) AND (<row filter 2>) …
 *
 * Unreadable columns are simply absent (a query naming one fails to bind, as if it did not exist).
 * Masks and filters both read `strata_base`'s raw columns: a row filter on a masked column tests the
 * raw value, and a mask expression may look at other raw columns. The user's own query runs on top
 * of this relation, so everything it does — filters, joins, GROUP BY — sees masked values only.
 *
 * Principal functions in filters and expression masks are bound to literals first
 * (principal-functions.ts), and the policy text is re-spelled for the dialect's engine (Spark reads
 * backslashes in string literals and comments differently from DuckDB); each filter is checked to be self-contained (policy-text.ts) so it
 * cannot close the parenthesis it is wrapped in and escape the AND.
 */
import { StrataError } from '../../core/index.ts';
import type { ReadDecision } from '../decision/decisions.ts';
import type { MaskFunction, PrincipalContext } from '../model.ts';
import { duckDbDialect } from './duckdb-dialect.ts';
import type { PolicyDialect } from './policy-dialect.ts';
import { assertSelfContained } from './policy-text.ts';
import { bindPrincipalFunctions } from './principal-functions.ts';

/** The alias of the scan inside a governed relation; mask expressions and filters read its columns. */
export const BASE_ALIAS = 'strata_base';

/**
 * The SQL of the governed relation. Throws ACCESS_DENIED when no column is readable.
 *
 * @example
 *   compileGovernedRelation(await scan.toSql(plan), decision, principal)
 *   // SELECT strata_base."id" AS "id", CASE WHEN … END AS "email" FROM (…) AS strata_base WHERE (\nregion = 'eu'\n)
 */
export function compileGovernedRelation(scanSql: string, decision: ReadDecision, principal: PrincipalContext, dialect: PolicyDialect = duckDbDialect): string {
  const readable = decision.columns.filter((c) => c.readable);
  if (!decision.allowed || readable.length === 0) {
    throw new StrataError('ACCESS_DENIED', decision.reason ?? `${principal.name} may read no column of ${decision.table}; ask its owner for a SELECT grant`, {
      table: decision.table,
      principal: principal.name,
    });
  }
  const items = readable.map((c) => {
    const raw = `${BASE_ALIAS}.${dialect.quoteIdent(c.name)}`;
    const value = c.mask ? dialect.maskExpression(boundMask(c.mask.function, principal, `mask ${c.mask.policy}`), raw, c.type, c.mask.hashKey) : raw;
    return `  ${value} AS ${dialect.quoteIdent(c.name)}`;
  });
  const filters = decision.rowFilters.map((f) => {
    assertSelfContained(f.predicate, `Row filter ${f.name}`);
    return `(\n${bindPrincipalFunctions(f.predicate, principal, dialect)}\n)`;
  });
  const where = filters.length === 0 ? '' : `\nWHERE ${filters.join('\nAND ')}`;
  return `SELECT\n${items.join(',\n')}\nFROM (\n${scanSql}\n) AS ${BASE_ALIAS}${where}`;
}

/**
 * An expression mask with its principal functions bound, still in the front end's (DuckDB's)
 * spelling: the dialect re-spells it as a whole when it replaces `value` (one tokenization, so
 * a bound literal can never be re-read as code).
 */
function boundMask(fn: MaskFunction, principal: PrincipalContext, what: string): MaskFunction {
  if (fn.kind !== 'expression') return fn;
  assertSelfContained(fn.sql, `Expression of ${what}`);
  return { kind: 'expression', sql: bindPrincipalFunctions(fn.sql, principal, duckDbDialect) };
}
