/**
 * Query history as a governed Strata table: `system.query_history`, an Iceberg table in the lake's
 * system zone, partitioned by day of `submitted_at`. One row per finished query, appended BEFORE
 * the service reports the query finished (so a client that saw `succeeded` finds it in the table).
 * Appends arriving while one is committing are batched into the next commit.
 *
 * It is an ordinary table: administrators read it with SQL (`SELECT * FROM system.query_history`),
 * and may grant SELECT to others with a row filter such as `principal = current_principal()`.
 *
 * `bytes_scanned` equals `bytes_planned` for now (what the scan planner says the engine reads
 * after pruning); a reused result scans 0. `result_id` names the query whose stored result holds
 * the rows (itself, or the one it reused).
 *
 * Retention: rows are kept until `prune(olderThanMs)` drops them — a metadata-only delete of
 * whole day partitions older than the cut-off (rounded down to a UTC day).
 */
import { StrataError } from '../../core/index.ts';
import { ensureTable, type Catalog } from '../../catalog/index.ts';
import type { Engine } from '../../engine/index.ts';
import { SqlSession } from '../../sql/index.ts';
import { Types, field, type Table } from '../../table/index.ts';
import type { QueryInfo, QueryState } from './query-record.ts';

export const HISTORY_DATABASE = 'system';
export const HISTORY_TABLE_ID = `${HISTORY_DATABASE}.query_history`;
const DAY = 86_400_000;

const FIELDS = [
  field(1, 'id', Types.string, true),
  field(2, 'principal', Types.string, true),
  field(3, 'workgroup', Types.string, true),
  field(4, 'statement', Types.string, true),
  field(5, 'state', Types.string, true),
  field(6, 'submitted_at', Types.timestamptz, true),
  field(7, 'finished_at', Types.timestamptz, true),
  field(8, 'queued_ms', Types.long),
  field(9, 'planning_ms', Types.long),
  field(10, 'execution_ms', Types.long),
  field(11, 'bytes_planned', Types.long),
  field(12, 'bytes_scanned', Types.long),
  field(13, 'rows', Types.long),
  field(14, 'reused', Types.boolean, true),
  field(15, 'error_code', Types.string),
  field(16, 'result_id', Types.string),
];

/** Filters of a history listing; `principal` absent lists everyone's (administrators). */
export interface HistoryFilter {
  readonly principal?: string;
  readonly state?: QueryState;
  readonly workgroup?: string;
  readonly id?: string;
  readonly since?: number;
  readonly limit: number;
}

interface Pending {
  readonly row: Record<string, unknown>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class QueryHistory {
  readonly #catalog: Catalog;
  readonly #engine: Engine;
  #table: Table | undefined;
  readonly #pending: Pending[] = [];
  #flushing = false;

  constructor(catalog: Catalog, engine: Engine) {
    this.#catalog = catalog;
    this.#engine = engine;
  }

  /** Appends a finished query; resolves once the row is committed (batched with concurrent ones). */
  async append(info: QueryInfo): Promise<void> {
    const row = toRow(info);
    const committed = new Promise<void>((resolve, reject) => this.#pending.push({ row, resolve, reject }));
    if (!this.#flushing) {
      this.#flushing = true;
      void this.#flush();
    }
    return committed;
  }

  /** Finished queries, newest first. */
  async list(filter: HistoryFilter): Promise<QueryInfo[]> {
    const table = await this.#ensure();
    await table.refresh();
    if (table.currentSnapshot() === undefined) return [];
    const where: string[] = ['true'];
    if (filter.principal !== undefined) where.push(`principal = ${literal(filter.principal)}`);
    if (filter.state !== undefined) where.push(`state = ${literal(filter.state)}`);
    if (filter.workgroup !== undefined) where.push(`workgroup = ${literal(filter.workgroup)}`);
    if (filter.id !== undefined) where.push(`id = ${literal(filter.id)}`);
    if (filter.since !== undefined) where.push(`submitted_at >= to_timestamp(${Math.floor(filter.since) / 1000})`);
    const rows = await this.#select(
      `SELECT id, principal, workgroup, statement, state, epoch_ms(submitted_at), epoch_ms(finished_at), queued_ms, planning_ms, execution_ms,
              bytes_planned, bytes_scanned, rows, reused, error_code, result_id
       FROM ${HISTORY_TABLE_ID} WHERE ${where.join(' AND ')} ORDER BY submitted_at DESC, id LIMIT ${Math.max(1, Math.floor(filter.limit))}`,
    );
    return rows.map(fromRow);
  }

  /** Per-workgroup bytes scanned by queries that finished after `since` (for budgets after a restart). */
  async usageSince(since: number): Promise<{ workgroup: string; finishedAt: number; bytes: number }[]> {
    const rows = await this.list({ since: since - DAY, limit: 1_000_000 });
    return rows.filter((r) => Date.parse(r.finishedAt ?? r.submittedAt) > since).map((r) => ({ workgroup: r.workgroup, finishedAt: Date.parse(r.finishedAt ?? r.submittedAt), bytes: r.bytesScanned }));
  }

  /**
   * Drops the history of whole UTC days before `now - olderThanMs` (metadata-only delete of their
   * partitions); returns how many rows went.
   */
  async prune(olderThanMs: number, now = Date.now()): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new StrataError('INVALID_ARGUMENT', 'olderThanMs must be a non-negative number', { olderThanMs });
    const cutoff = Math.floor((now - olderThanMs) / DAY) * DAY;
    const table = await this.#ensure();
    await table.refresh();
    if (table.currentSnapshot() === undefined) return 0;
    const result = await table.deleteWhere({ kind: 'predicate', op: 'lt', column: 'submitted_at', literals: [new Date(cutoff)] });
    return Number(result.snapshot.summary['deleted-records'] ?? 0);
  }

  /** Commits what is pending, batch after batch; clears `#flushing` in the same tick it finds nothing left. */
  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0);
        try {
          const table = await this.#ensure();
          await table.append({ rows: batch.map((p) => p.row) });
          for (const p of batch) p.resolve();
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #select(sql: string): Promise<unknown[][]> {
    const session = await SqlSession.open({ catalog: this.#catalog, engine: this.#engine });
    try {
      const result = await session.execute(sql);
      const out: unknown[][] = [];
      if (result.kind === 'rows') for await (const batch of result.rows) out.push(...batch);
      return out;
    } finally {
      await session.close();
    }
  }

  /** Creates `system.query_history` (and the `system` database) if missing. */
  async #ensure(): Promise<Table> {
    if (this.#table) return this.#table;
    this.#table = await ensureTable(this.#catalog, HISTORY_TABLE_ID, FIELDS, { zone: 'system', partitionBy: [{ source: 'submitted_at', transform: 'day' }] });
    return this.#table;
  }
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function toRow(info: QueryInfo): Record<string, unknown> {
  const long = (n: number | undefined): bigint | null => (n === undefined ? null : BigInt(Math.round(n)));
  return {
    id: info.id,
    principal: info.principal,
    workgroup: info.workgroup,
    statement: info.statement,
    state: info.state,
    submitted_at: new Date(info.submittedAt),
    finished_at: new Date(info.finishedAt ?? info.submittedAt),
    queued_ms: long(info.queuedMs),
    planning_ms: long(info.planningMs),
    execution_ms: long(info.executionMs),
    bytes_planned: long(info.bytesPlanned),
    bytes_scanned: long(info.bytesScanned),
    rows: long(info.rowCount),
    reused: info.reused,
    error_code: info.error?.code ?? null,
    result_id: info.resultId ?? null,
  };
}

function fromRow(row: readonly unknown[]): QueryInfo {
  const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
  const errorCode = row[14];
  const resultId = row[15];
  return {
    id: String(row[0]),
    principal: String(row[1]),
    workgroup: String(row[2]),
    statement: String(row[3]),
    state: String(row[4]) as QueryState,
    submittedAt: new Date(num(row[5])).toISOString(),
    finishedAt: new Date(num(row[6])).toISOString(),
    queuedMs: num(row[7]),
    planningMs: num(row[8]),
    executionMs: num(row[9]),
    bytesPlanned: num(row[10]),
    bytesScanned: num(row[11]),
    rowCount: num(row[12]),
    reused: row[13] === true,
    ...(typeof errorCode === 'string' ? { error: { code: errorCode, message: `${errorCode} (the message is not kept in the history)` } } : {}),
    ...(typeof resultId === 'string' ? { resultId } : {}),
  };
}
