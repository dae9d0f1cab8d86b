/**
 * Checks the SQL in a mask expression or a row-filter predicate when an administrator writes it
 * (validatePolicySql, with DuckDB's parser on the home's runtime), so a bad policy fails now,
 * not in every query later. With a table, column references are checked against its columns.
 */
import type { StrataHome } from '../../../catalog/index.ts';
import { validatePolicySql } from '../../../governance/compile/index.ts';

export async function checkPolicySql(strata: StrataHome, kind: 'predicate' | 'expression', sql: string, columns?: readonly string[]): Promise<void> {
  const scalar = (query: string): Promise<unknown> => strata.runtime.withConnection(async (connection) => (await connection.runAndReadAll(query)).getRows()[0]?.[0]);
  await validatePolicySql(kind, sql, scalar, columns);
}
