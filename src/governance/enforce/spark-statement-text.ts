/**
 * Refusals that matter only when DuckDB parses a statement and Spark runs it: text the two read
 * differently. The query inspector checks DuckDB's tree, so anything Spark would read as code where
 * DuckDB read a literal, a name or a comment would reach Spark unchecked — a table read around the
 * governed views, for one. For a non-administrator on the Spark engine the statement text must
 * not hold:
 *
 * - `${`: Spark substitutes `${conf}`, `${env:VAR}`, `${system:prop}` into the text before parsing
 *   (`spark.sql.variable.substitute`), which reveals configuration (the catalog token) and
 *   environment variables;
 * - a backslash outside a `'…'` string literal (the SQL session re-spells those for Spark): in a
 *   double-quoted name Spark reads `\"` as an escaped quote (`SELECT 1 AS "a\"", (SELECT …) --"`
 *   is one alias to DuckDB, an alias and a subquery to Spark), and a `--` comment ending in a
 *   backslash continues onto the next line in Spark only;
 * - a carriage return inside a `--` comment (DuckDB ends the comment there; the re-spelling
 *   tokenizer does not);
 * - a `/*+ … *\/` hint (a comment to DuckDB, instructions to Spark) or a block comment nested in
 *   another (the re-spelling tokenizer does not nest them; DuckDB and Spark do);
 * - string literals other than plain `'…'` (`E'…'`, `$$…$$`), which Spark spells otherwise.
 */
import { StrataError, tokenize, type Token } from '../../core/index.ts';

/** Throws ACCESS_DENIED (construct `spark_text`) when Spark could read `text` differently from DuckDB. */
export function checkSparkStatementText(text: string): void {
  const refuse = (token: Pick<Token, 'start'>, reason: string): never => {
    throw new StrataError('ACCESS_DENIED', `${reason} (at position ${token.start}); the Spark engine would read it differently from Strata's SQL parser`, {
      construct: 'spark_text',
      position: token.start,
    });
  };
  const substitution = text.indexOf('${');
  if (substitution >= 0) refuse({ start: substitution }, '"${" is not allowed: Spark replaces ${…} with configuration values and environment variables');
  for (const t of tokenize(text)) {
    if (t.kind === 'string') {
      if (!t.text.startsWith("'")) refuse(t, "Only plain '…' string literals are allowed (no E'…' or $$…$$)");
      if (t.text.length < 2 || !t.text.endsWith("'")) refuse(t, 'An unterminated string literal is not allowed');
      continue;
    }
    if (t.text.includes('\\')) refuse(t, 'A backslash outside a string literal is not allowed');
    if (t.kind === 'comment') {
      if (t.text.startsWith('--') && t.text.includes('\r')) refuse(t, 'A carriage return inside a -- comment is not allowed');
      if (t.text.startsWith('/*+')) refuse(t, 'Spark hints (/*+ … */) are not allowed');
      if (t.text.startsWith('/*') && (t.text.slice(2).includes('/*') || !t.text.endsWith('*/') || t.text.length < 4)) {
        refuse(t, 'Nested or unterminated /* comments are not allowed');
      }
    }
    if (t.kind === 'quoted' && (t.text.length < 2 || !t.text.endsWith('"'))) refuse(t, 'An unterminated quoted name is not allowed');
  }
}
