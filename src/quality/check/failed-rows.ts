/**
 * The rows behind a failed check: fetch them (for people: `strata quality failed-rows`), or move
 * copies into a quarantine table (for pipelines' `quarantine` action).
 *
 * Only row-level rules (IsComplete, ColumnValues, IsUnique …) name rows; dataset-level rules
 * (RowCount, Mean …) fail as a whole and contribute no rows. Each failing row carries
 * `_dq_failed_rules`, the rules it broke.
 *
 * The rows are selected again from `check.dataset`, through the session: a check of main read the
 * head as it was then; if main moved since, the rows are those failing the same rules now.
 *
 * Quarantine tables (`<db>.<table>__dq_quarantine` by default) hold the dataset's columns plus
 * `_dq_failed_rules`, `_dq_evaluation_id` (the check's, to join with system.quality_results) and
 * `_dq_quarantined_at`. A column added to the source later is added to the quarantine table on the
 * next quarantine. Quarantine copies rows; taking them out of the source is the caller's job
 * (write-audit-publish rewrites its branch without them).
 */
import { StrataError } from '../../core/index.ts';
import type { ColumnInfo } from '../../engine/index.ts';
import type { SqlSession } from '../../sql/index.ts';
import { FAILED_RULES_COLUMN, failingRowsSql } from '../evaluate/index.ts';
import { collectRows, describeRelation, quoteIdentifier, quoteLiteral, requireTableName } from './session-sql.ts';
import type { TableCheckResult } from './table-check-result.ts';

export const EVALUATION_ID_COLUMN = '_dq_evaluation_id';
export const QUARANTINED_AT_COLUMN = '_dq_quarantined_at';

export interface FailedRows {
  /** The dataset's columns, then `_dq_failed_rules`. */
  readonly columns: readonly ColumnInfo[];
  readonly rows: unknown[][];
}

/** The rows failing any failed row-level rule of `check` (at most `limit`), with the rules each broke. */
export async function fetchFailedRows(session: SqlSession, check: TableCheckResult, limit?: number): Promise<FailedRows> {
  const sql = failingRowsSql(check.dataset, check.rules);
  if (sql === undefined) {
    return { columns: [...check.dataset.columns.map((c) => ({ name: c.name, type: c.type })), { name: FAILED_RULES_COLUMN, type: 'VARCHAR' }], rows: [] };
  }
  const bounded = limit === undefined ? sql : `SELECT * FROM (${sql}\n) LIMIT ${Math.max(0, Math.floor(limit))}`;
  return collectRows(session, bounded);
}

export interface QuarantineOptions {
  readonly session: SqlSession;
  readonly check: TableCheckResult;
  /** `db.table` to copy the rows into (default `<db>.<table>__dq_quarantine`); created when missing. */
  readonly into?: string | undefined;
  /** Snapshot summary properties of the quarantine commit (a pipeline's run and step ids, for idempotence). */
  readonly summary?: Readonly<Record<string, string>> | undefined;
  /** Commit to this branch of the quarantine table (write-audit-publish: published with the data). */
  readonly branch?: string | undefined;
  /** `_dq_quarantined_at` (default: the wall clock). */
  readonly now?: (() => Date) | undefined;
}

export interface QuarantineResult {
  readonly table: string;
  /** Rows copied (0 when no row-level rule failed: then nothing is created or committed). */
  readonly rows: number;
  /** The quarantine commit's snapshot. */
  readonly snapshotId?: bigint;
}

export function quarantineTableName(table: string): string {
  return `${table}__dq_quarantine`;
}

/** Copies the failing rows of `check` into the quarantine table, in one commit. */
export async function quarantineFailedRows(options: QuarantineOptions): Promise<QuarantineResult> {
  const { session, check } = options;
  const into = options.into ?? quarantineTableName(check.table);
  requireTableName(into, 'quarantine table');
  const failing = failingRowsSql(check.dataset, check.rules);
  if (failing === undefined) return { table: into, rows: 0 };

  const quarantinedAt = (options.now ?? (() => new Date()))();
  const source =
    `SELECT f.*, ${quoteLiteral(check.evaluationId)} AS ${EVALUATION_ID_COLUMN}, ` +
    `CAST(${quoteLiteral(quarantinedAt.toISOString())} AS TIMESTAMPTZ) AS ${QUARANTINED_AT_COLUMN} FROM (${failing}\n) AS f`;
  const write = {
    write: {
      ...(options.summary === undefined ? {} : { summary: options.summary }),
      ...(options.branch === undefined ? {} : { branch: options.branch }),
    },
  };

  if (!(await exists(session, into))) {
    try {
      // On main the first quarantine creates and fills the table in one commit. For a branch the
      // table is created empty on main first: the branch needs a base to start from.
      if (options.branch === undefined) return resultOf(into, await session.execute(`CREATE TABLE ${into} AS ${source}`, write));
      await session.execute(`CREATE TABLE ${into} AS SELECT * FROM (${source}\n) WHERE false`);
    } catch (error) {
      if (!StrataError.is(error, 'TABLE_ALREADY_EXISTS')) throw error;
      // Another quarantine created it first: append like any later one.
    }
  }
  const select = await alignColumns(session, into, await describeRelation(session, `(${source}\n)`));
  const insert = `INSERT INTO ${into} SELECT ${select.join(', ')} FROM (${source}\n) AS s`;
  if (options.branch !== undefined) await ensureBranch(session, into, options.branch, insert);
  const inserted = await session.execute(insert, write);
  return resultOf(into, inserted);
}

/**
 * Makes `branch` exist on the quarantine table, starting at main's head (an empty main snapshot is
 * committed first when the table has none). A governed session must be allowed the INSERT first,
 * so a principal who may not write cannot create branches either.
 */
async function ensureBranch(session: SqlSession, table: string, branch: string, insert: string): Promise<void> {
  if (session.governor !== undefined) {
    const access = await session.explainAccess(insert);
    if (!access.allowed) throw new StrataError('ACCESS_DENIED', access.reason ?? `${access.principal.name} may not write ${table}`, { table });
  }
  const loaded = await session.catalog.loadTable(table);
  let metadata = await loaded.refresh();
  if (metadata.refs[branch] !== undefined) return;
  if (metadata.refs['main'] === undefined) {
    await loaded.appendFiles([]);
    metadata = await loaded.refresh();
  }
  try {
    await loaded.refs.createBranch(branch, metadata.refs['main']?.snapshotId);
  } catch (error) {
    // A concurrent quarantine created it: fine, as long as it is there now.
    if ((await loaded.refresh()).refs[branch] === undefined) throw error;
  }
}

async function exists(session: SqlSession, table: string): Promise<boolean> {
  return session.catalog.tableExists(table);
}

/**
 * Adds to the quarantine table the source columns it lacks (the source's schema evolved), and
 * returns the select list filling its columns in order from the source (`s`); a column the
 * source no longer has is filled with NULL.
 */
async function alignColumns(session: SqlSession, table: string, source: readonly { name: string; type: string }[]): Promise<string[]> {
  const current = await describeRelation(session, table);
  const have = new Set(current.map((c) => c.name.toLowerCase()));
  const names = current.map((c) => c.name);
  for (const column of source) {
    if (have.has(column.name.toLowerCase())) continue;
    await session.execute(`ALTER TABLE ${table} ADD COLUMN ${quoteIdentifier(column.name)} ${column.type}`);
    names.push(column.name);
  }
  const sourceNames = new Set(source.map((c) => c.name.toLowerCase()));
  return names.map((n) => (sourceNames.has(n.toLowerCase()) ? `s.${quoteIdentifier(n)}` : `NULL AS ${quoteIdentifier(n)}`));
}

function resultOf(table: string, result: Awaited<ReturnType<SqlSession['execute']>>): QuarantineResult {
  if (result.kind !== 'ok') return { table, rows: 0 };
  return { table, rows: result.rowCount ?? 0, ...(result.snapshotId === undefined ? {} : { snapshotId: result.snapshotId }) };
}
