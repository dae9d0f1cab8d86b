/**
 * The Spark target: Spark reads and writes Strata's tables itself, through the Iceberg REST
 * catalog it was started with (`LakeEngine.lakeCatalog`, `strata` by default). Strata still
 * plans every read — for the snapshot to pin, the scan statistics and the governance decision —
 * and Spark reads exactly that snapshot (`VERSION AS OF <id>`).
 *
 * - Views are Spark TEMPORARY views: they live in the engine's Spark session only.
 * - INSERT is a Spark Connect write command (`LakeEngine.writeTable`); its snapshot is found
 *   again by the `strata.write-id` the write puts in the snapshot summary.
 * - CREATE TABLE … AS is Spark SQL: Spark stages the create through the REST catalog and commits
 *   it with its first snapshot (an atomic CTAS, as on Iceberg's own catalogs).
 * - A write's `validate` callback cannot run inside Spark's commit; it runs once before the write
 *   instead. Pipelines do not depend on it: the REST catalog itself refuses a second commit of
 *   the same run and step (src/server/routes/iceberg-rest/rest-step-commits.ts).
 *
 * Gotcha — quoting: the front end (DuckDB) reads `'it''s'` as one literal and a backslash as
 * itself; Spark reads `'it''s'` as two adjacent literals ("its"), a backslash as an escape, and
 * cannot read `"a""b"`. `statementText` (toSparkSql) re-quotes every literal and quoted identifier
 * the Spark way, so a statement means the same on both engines.
 */
import { randomUUID } from 'node:crypto';
import { StrataError } from '../core/index.ts';
import { identifierValue, tokenize, type Token } from '../core/index.ts';
import type { Catalog, PartitionFieldInput } from '../catalog/index.ts';
import type { Engine, LakeEngine } from '../engine/index.ts';
import { ancestorsOf, snapshotForRef, type Snapshot } from '../table/index.ts';
import { sparkDialect } from '../governance/index.ts';
import { runToEnd, type CreateTableAsRequest, type PlannedRead, type SessionTarget, type TableWriteRequest } from './session-target.ts';

/** The snapshot summary property that finds a Spark write's snapshot again. */
export const WRITE_ID_PROPERTY = 'strata.write-id';

export function sparkTarget(engine: LakeEngine, catalog: Catalog, parser: Engine): SessionTarget {
  const run = (sql: string): Promise<unknown[][]> => runToEnd(engine, sql);
  const quote = sparkDialect.quoteIdent;
  const tableName = (database: string, name: string): string => `${quote(engine.lakeCatalog)}.${quote(database)}.${quote(name)}`;
  return {
    engine,
    dialect: 'spark',
    parseScalar: async (sql) => (await runToEnd(parser, sql))[0]?.[0],
    scanSql: async ({ database, name, plan }: PlannedRead) => {
      const columns = plan.schema.fields.map((f) => quote(f.name)).join(', ');
      const version = plan.snapshot ? ` VERSION AS OF ${plan.snapshot.snapshotId}` : '';
      return Promise.resolve(`SELECT ${columns} FROM ${tableName(database, name)}${version}`);
    },
    statementText: toSparkSql,
    createView: async (name, sql) => {
      await run(`CREATE OR REPLACE TEMPORARY VIEW ${quote(name)} AS ${sql}`);
    },
    dropView: async (name) => {
      await run(`DROP VIEW IF EXISTS ${quote(name)}`);
    },
    describeQuery: async (sql) => (await run(`DESCRIBE QUERY ${sql}`)).map((r) => ({ name: String(r[0]), type: String(r[1]).toUpperCase() })),
    explain: async (sql, analyze) => {
      if (analyze) throw new StrataError('UNSUPPORTED_FEATURE', 'Spark has no EXPLAIN ANALYZE; use EXPLAIN, or run the query on the duckdb engine', { engine: 'spark' });
      return (await run(`EXPLAIN FORMATTED ${sql}`)).map((row) => ['physical_plan', String(row[0])]);
    },
    run,
    write: async ({ table, database, name, sourceSql, mode, write }: TableWriteRequest): Promise<Snapshot> => {
      const branch = write.branch ?? 'main';
      if (write.validate) {
        const current = await table.refresh();
        await write.validate(current, current);
      }
      const writeId = randomUUID();
      await engine.writeTable({
        database,
        table: name,
        ...(branch === 'main' ? {} : { branch }),
        sourceSql,
        mode,
        snapshotProperties: { ...write.summary, [WRITE_ID_PROPERTY]: writeId },
      });
      const metadata = await table.refresh();
      const snapshot = ancestorsOf(metadata, snapshotForRef(metadata, branch)?.snapshotId).find((s) => s.summary[WRITE_ID_PROPERTY] === writeId);
      if (!snapshot) {
        throw new StrataError('COMMIT_FAILED', `Spark reported the write to ${table.name} done, but no snapshot of ${branch} carries its write id ${writeId}`, { table: table.name, branch });
      }
      return snapshot;
    },
    createTableAs: async ({ database, name, partitionBy, sourceSql, columns, write }: CreateTableAsRequest) => {
      for (const column of columns) {
        // Spark types with no Iceberg counterpart: refused before Spark stages anything, as the embedded path refuses them.
        if (/^(interval|void|calendarinterval|variant|object)\b/i.test(column.type)) {
          throw new StrataError(
            'UNSUPPORTED_FEATURE',
            `Column ${column.name} has type ${column.type}, which Iceberg tables cannot store; cast it in the query (e.g. CAST(${column.name} AS STRING) or AS BIGINT)`,
            { column: column.name, type: column.type },
          );
        }
      }
      if (write?.branch !== undefined || write?.summary !== undefined) {
        throw new StrataError('UNSUPPORTED_FEATURE', 'CREATE TABLE … AS on Spark commits to main without extra snapshot properties; create the table first, then INSERT', { engine: 'spark' });
      }
      const partitioned = partitionBy.length === 0 ? '' : ` PARTITIONED BY (${partitionBy.map(sparkTransform).join(', ')})`;
      await run(`CREATE TABLE ${tableName(database, name)} USING iceberg${partitioned} AS ${sourceSql}`);
      const table = await catalog.loadTable({ namespace: [database], name });
      const metadata = table.metadata();
      return { table, snapshot: metadata.snapshots.find((s) => s.snapshotId === metadata.currentSnapshotId) };
    },
    close: () => parser.close(),
  };
}

/** A partition field as Spark's PARTITIONED BY clause spells it (Iceberg's Spark transforms). */
export function sparkTransform(field: PartitionFieldInput): string {
  const column = sparkDialect.quoteIdent(field.source);
  const sized = /^(bucket|truncate)\[(\d+)\]$/.exec(field.transform);
  if (sized) return `${sized[1]}(${sized[2]}, ${column})`;
  switch (field.transform) {
    case 'identity':
      return column;
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return `${field.transform}s(${column})`;
    default:
      throw new StrataError('UNSUPPORTED_FEATURE', `Partition transform ${field.transform} has no Spark spelling`, { transform: field.transform });
  }
}

/** Front-end type names Spark spells differently (as words: in casts, `::` and typed literals). */
const SPARK_TYPE_WORDS: Readonly<Record<string, string>> = { TIMESTAMPTZ: 'TIMESTAMP_LTZ', VARCHAR: 'STRING', TEXT: 'STRING' };

/**
 * `text` (written the front end's way) as Spark reads it: every string literal and quoted
 * identifier re-quoted, and the front end's type names Spark lacks renamed. Spark reads
 * `'it''s'` as two adjacent literals ("its") and `\` as an escape, and cannot read `"a""b"`; it
 * gets `'it\'s'`, `'a\\b'` and `` `a"b` ``. `TIMESTAMPTZ '…'` becomes `TIMESTAMP_LTZ '…'` and
 * a bare `VARCHAR` (no length) `STRING`.
 */
export function toSparkSql(text: string): string {
  const tokens = tokenize(text);
  let out = '';
  for (const [i, token] of tokens.entries()) {
    // Spark's quoting is the policy dialect's (one definition: backslash escapes, `$` as \u0024).
    if (token.kind === 'string' && token.text.startsWith("'") && token.text.length >= 2 && token.text.endsWith("'")) {
      out += sparkDialect.quoteString(token.text.slice(1, -1).replaceAll("''", "'"));
    } else if (token.kind === 'quoted' && token.text.length >= 2 && token.text.endsWith('"')) {
      out += sparkDialect.quoteIdent(identifierValue(token));
    } else if (token.kind === 'word' && SPARK_TYPE_WORDS[token.text.toUpperCase()] !== undefined && nextSignificant(tokens, i)?.text !== '(') {
      out += SPARK_TYPE_WORDS[token.text.toUpperCase()] ?? token.text;
    } else {
      out += token.text;
    }
  }
  return out;
}

function nextSignificant(tokens: readonly Token[], i: number): Token | undefined {
  for (let j = i + 1; j < tokens.length; j++) {
    const token = tokens[j];
    if (token && token.kind !== 'space' && token.kind !== 'comment') return token;
  }
  return undefined;
}
