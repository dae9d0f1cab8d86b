/**
 * The engine-specific half of the policy compiler. `compileGovernedRelation` builds the relation
 * (SELECT list, FROM the table's scan, WHERE every row filter) the same way for every engine; a
 * dialect only renders identifiers, literals and the mask of one column. DuckDB is the first;
 * a Spark dialect fills in the same four members (Spark has `sha2`, `unhex`, `date_trunc` too).
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
   * @param column the raw column reference, already quoted (e.g. `strata_base."email"`)
   * @param icebergType the column's Iceberg type text (`string`, `decimal(10, 2)`, `list<int>`)
   * @param hashKey the mask's secret, for `hash`
   */
  maskExpression(fn: MaskFunction, column: string, icebergType: string, hashKey: string): string;
}
