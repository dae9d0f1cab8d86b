/**
 * Small helpers for running the quality plane's SQL through a SqlSession: collect a result's rows,
 * describe a relation's columns, quote names and strings, and check `db.table` names before they
 * are spliced into SQL.
 */
import { StrataError } from '../../core/index.ts';
import type { ColumnInfo } from '../../engine/index.ts';
import type { SqlSession, StatementOptions } from '../../sql/index.ts';

export interface CollectedRows {
  readonly columns: readonly ColumnInfo[];
  readonly rows: unknown[][];
}

/** Runs one statement and collects every row (a statement that returns none gives no columns). */
export async function collectRows(session: SqlSession, sql: string, options: StatementOptions = {}): Promise<CollectedRows> {
  const result = await session.execute(sql, options);
  if (result.kind !== 'rows') return { columns: [], rows: [] };
  const rows: unknown[][] = [];
  for await (const batch of result.rows) for (const row of batch) rows.push([...row]);
  return { columns: result.columns, rows };
}

/**
 * The columns (name, engine type text) of `SELECT * FROM <relation>`, from the result of a
 * `LIMIT 0` query. Not `DESCRIBE SELECT …`: a governed session refuses DESCRIBE inside a query for
 * non-administrators, while a plain SELECT is governed like any other (masked, filtered, denied).
 */
export async function describeRelation(session: SqlSession, relation: string, options: StatementOptions = {}): Promise<{ name: string; type: string }[]> {
  const { columns } = await collectRows(session, `SELECT * FROM ${relation} LIMIT 0`, options);
  return columns.map((c) => ({ name: c.name, type: c.type }));
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws INVALID_ARGUMENT unless `name` is a plain `db.table` (it is spliced into SQL). */
export function requireTableName(name: string, what = 'table'): void {
  if (!TABLE_NAME.test(name)) {
    throw new StrataError('INVALID_ARGUMENT', `The ${what} must be named as db.table (letters, digits, underscores), got "${name}"`, { [what]: name });
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
