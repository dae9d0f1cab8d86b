/**
 * The SQL transform: the user's `SELECT … FROM input …` over each micro-batch, on the catalog's
 * embedded DuckDB. `input` (after FROM or JOIN) names the batch; `db.table` references resolve
 * through the SQL session like any query, so joining an Iceberg table is a stream–table join against
 * the table's current snapshot at each batch.
 *
 * A statement that fails on the empty input (syntax, unknown column) is a definition error, found
 * when the stream starts. One that fails only on some rows (a cast of a bad value) is bisected: the
 * rows that fail on their own go to the dead-letter table (`transform_error`, with the engine's
 * message) and the others go through — deterministic, so a replayed batch makes the same choice.
 */
import { StrataError, messageOf, tokenize } from '../../core/index.ts';
import type { SqlSession } from '../../sql/index.ts';
import { fieldsFromDuckDbColumns } from '../../sql/index.ts';
import type { DuckDbRuntime } from '../../table/index.ts';
import { positionOf, type BatchContext, type RowFields, type StreamOperator, type StreamRow } from '../model/index.ts';
import { loadBatch } from './batch-table.ts';
import { engineToValue } from './engine-values.ts';

export function createSqlOperator(options: { id: string; sql: string; session: SqlSession; runtime: DuckDbRuntime }): StreamOperator {
  const { id, sql, session, runtime } = options;
  let inputFields: RowFields = [];
  let outputFields: RowFields = [];

  async function run(rows: readonly StreamRow[]): Promise<StreamRow[]> {
    const batch = await loadBatch(runtime, inputFields, rows);
    try {
      const result = await session.execute(withInput(sql, batch.name));
      if (result.kind !== 'rows') throw new StrataError('STREAM_INVALID', `SQL transform ${id} must be a SELECT`, { transform: id });
      const out: StreamRow[] = [];
      for await (const chunk of result.rows) {
        for (const values of chunk) {
          const row: StreamRow = {};
          outputFields.forEach((f, i) => (row[f.name] = engineToValue(f.type, values[i])));
          out.push(row);
        }
      }
      return out;
    } finally {
      await batch.drop();
    }
  }

  /** Runs `rows`; on a data error splits them until the failing rows are alone, which become dead letters. */
  async function isolate(rows: readonly StreamRow[], context: BatchContext): Promise<StreamRow[]> {
    try {
      return await run(rows);
    } catch (error) {
      if (!StrataError.is(error, 'SQL_ERROR')) throw error;
      if (rows.length === 1) {
        const row = rows[0] as StreamRow;
        context.deadLetter({ reason: 'transform_error', error: messageOf(error), position: positionOf(row), record: row });
        return [];
      }
      const middle = Math.ceil(rows.length / 2);
      return [...(await isolate(rows.slice(0, middle), context)), ...(await isolate(rows.slice(middle), context))];
    }
  }

  return {
    id,
    async outputFields(input: RowFields): Promise<RowFields> {
      inputFields = input;
      const batch = await loadBatch(runtime, input, []);
      try {
        const result = await session.execute(`SELECT * FROM (${withInput(sql, batch.name)}\n) AS strata_transform LIMIT 0`);
        if (result.kind !== 'rows') throw new StrataError('STREAM_INVALID', `SQL transform ${id} must be a SELECT`, { transform: id });
        for await (const chunk of result.rows) void chunk;
        outputFields = fieldsFromDuckDbColumns(result.columns);
        return outputFields;
      } catch (error) {
        if (StrataError.is(error, 'SQL_ERROR')) {
          throw new StrataError('STREAM_INVALID', `SQL transform ${id} does not run: ${messageOf(error)}`, { transform: id, sql }, { cause: error });
        }
        throw error;
      } finally {
        await batch.drop();
      }
    },
    async process(rows: readonly StreamRow[], context: BatchContext): Promise<StreamRow[]> {
      if (rows.length === 0) return [];
      return isolate(rows, context);
    },
  };
}

/** The statement with every `input` table reference (after FROM or JOIN) replaced by `table`. */
export function withInput(sql: string, table: string): string {
  const tokens = tokenize(sql);
  let out = '';
  let previous = '';
  for (const token of tokens) {
    const isInput = (token.kind === 'word' && token.text.toLowerCase() === 'input') || (token.kind === 'quoted' && token.text === '"input"');
    out += isInput && (previous === 'from' || previous === 'join') ? table : token.text;
    if (token.kind !== 'space' && token.kind !== 'comment') previous = token.text.toLowerCase();
  }
  return out;
}
