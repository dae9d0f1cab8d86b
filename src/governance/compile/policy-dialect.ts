/**
 * The engine-specific half of the policy compiler. `compileGovernedRelation` builds the relation
 * (SELECT list, FROM the table's scan, WHERE every row filter) the same way for every engine; a
 * dialect only renders identifiers, literals and the mask of one column: duckdb-dialect.ts and
 * spark-dialect.ts, which give the same values on the same rows.
 */
import type { MaskFunction } from '../model.ts';

export interface PolicyDialect {
  /** The engine's name, e.g. `duckdb`. */
  readonly name: string;
  /** A quoted identifier; any name is safe, including ones holding quotes. */
  quoteIdent(name: string): string;
  /** A string literal; any text is safe, including quotes and backslashes. */
  quoteString(text: string): string;
  /**
   * The SQL of `column` masked by `fn`, keeping the column's type where the kind allows it.
   *
   * An `expression` mask arrives in the front end's (DuckDB's) spelling with its principal
   * functions bound; the dialect replaces `value` with `column` and re-spells the rest for its
   * engine (`renderPolicySql`).
   *
   * @param column the raw column reference, already quoted (e.g. `strata_base."email"`)
   * @param icebergType the column's Iceberg type text (`string`, `decimal(10, 2)`, `list<int>`)
   * @param hashKey the mask's secret, for `hash`
   */
  maskExpression(fn: MaskFunction, column: string, icebergType: string, hashKey: string): string;
}
