/** Reads a statement's rows as objects: for the small results pipelines look at (column lists, counts). */
import type { SqlSession } from '../../sql/index.ts';

export async function rowsOf(session: SqlSession, sql: string): Promise<Record<string, unknown>[]> {
  const result = await session.execute(sql);
  if (result.kind !== 'rows') return [];
  const rows: Record<string, unknown>[] = [];
  for await (const batch of result.rows) {
    for (const row of batch) rows.push(Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
  }
  return rows;
}
