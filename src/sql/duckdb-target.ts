/**
 * The embedded target: DuckDB reads the data files Strata planned (`TableScan.toSql`), the views
 * are ordinary DuckDB views on the catalog's DuckDB instance, and writes go through Strata's own
 * table writer, which reads the source query on the same instance.
 *
 * Gotcha: the views are non-temporary so that every connection of the instance — the engine's and
 * the table writer's — can read them; that is why the engine must run on the catalog's runtime.
 */
import type { Catalog } from '../catalog/index.ts';
import type { Engine } from '../engine/index.ts';
import type { Snapshot, Table } from '../table/index.ts';
import { quoteIdent } from './table-refs.ts';
import { runToEnd, type CreateTableAsRequest, type SessionTarget, type TableWriteRequest } from './session-target.ts';
import { fieldsFromDuckDbColumns } from './type-mapping.ts';

export function duckDbTarget(engine: Engine, catalog: Catalog): SessionTarget {
  const run = (sql: string): Promise<unknown[][]> => runToEnd(engine, sql);
  return {
    engine,
    dialect: 'duckdb',
    parseScalar: async (sql) => (await run(sql))[0]?.[0],
    scanSql: ({ scan, plan }) => scan.toSql(plan),
    statementText: (sql) => sql,
    createView: async (name, sql) => {
      await run(`CREATE VIEW ${quoteIdent(name)} AS ${sql}`);
    },
    dropView: async (name) => {
      await run(`DROP VIEW IF EXISTS ${quoteIdent(name)}`);
    },
    describeQuery: async (sql) => (await run(`DESCRIBE SELECT * FROM (${sql}\n)`)).map((r) => ({ name: String(r[0]), type: String(r[1]) })),
    explain: async (sql, analyze) => (await run(`EXPLAIN ${analyze ? 'ANALYZE ' : ''}${sql}`)).map((row) => [String(row[0]), String(row[1])]),
    run,
    write: async ({ table, sourceSql, mode, write }: TableWriteRequest): Promise<Snapshot> => {
      const source = { sql: sourceSql };
      const result =
        mode === 'append' ? await table.append(source, write) : mode === 'overwrite' ? await table.overwrite(source, write) : await table.overwritePartitions(source, write);
      return result.snapshot;
    },
    createTableAs: async ({ database, name, partitionBy, sourceSql, columns, write }: CreateTableAsRequest): Promise<{ table: Table; snapshot: Snapshot }> => {
      const id = `${database}.${name}`;
      const table = await catalog.createTable(id, fieldsFromDuckDbColumns(columns), { partitionBy });
      try {
        const result = await table.append({ sql: sourceSql }, write);
        return { table, snapshot: result.snapshot };
      } catch (error) {
        await catalog.dropTable(id, { purge: true }).catch(() => undefined);
        throw error;
      }
    },
    close: async () => Promise.resolve(),
  };
}
