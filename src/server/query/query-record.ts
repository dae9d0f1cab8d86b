/**
 * One query's life as the service tracks it: `queued` (waiting for a slot in its workgroup) →
 * `planning` (tables resolved, governed, pruned) → `running` (the engine runs it and the rows
 * stream into the result store) → `succeeded` | `failed` | `cancelled`.
 *
 * `QueryInfo` is what clients see (and what the history table keeps); `QueryRun` is the
 * service's mutable record of a query it is handling.
 */
import type { ResultFormat } from '../results/result-types.ts';

export const QUERY_STATES = ['queued', 'planning', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type QueryState = (typeof QUERY_STATES)[number];
export const FINISHED_STATES: ReadonlySet<QueryState> = new Set(['succeeded', 'failed', 'cancelled']);

export interface QueryInfo {
  readonly id: string;
  readonly principal: string;
  readonly workgroup: string;
  readonly statement: string;
  readonly state: QueryState;
  /** ISO-8601 times. */
  readonly submittedAt: string;
  readonly finishedAt?: string;
  readonly queuedMs: number;
  readonly planningMs: number;
  readonly executionMs: number;
  /** Bytes the plan reads after pruning (0 until planned). */
  readonly bytesPlanned: number;
  /** Bytes read: equal to `bytesPlanned` for now; 0 for a reused result. */
  readonly bytesScanned: number;
  readonly rowCount: number;
  readonly reused: boolean;
  /** The query whose stored result holds the rows (this one's own id, or the one reused). */
  readonly resultId?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface SubmitRequest {
  readonly sql: string;
  readonly workgroup?: string;
  /** Answer from a stored result of an identical query when there is one (default true). */
  readonly reuse?: boolean;
}

export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
  readonly format: ResultFormat;
}

/** The service's mutable record of one query. */
export class QueryRun {
  readonly id: string;
  readonly principal: string;
  readonly workgroup: string;
  readonly statement: string;
  readonly reuse: boolean;
  readonly submittedAt: number;
  readonly abort = new AbortController();
  state: QueryState = 'queued';
  startedAt: number | undefined;
  plannedAt: number | undefined;
  finishedAt: number | undefined;
  bytesPlanned = 0;
  rowCount = 0;
  reused = false;
  /** Passed every check before the engine: its planned bytes count as scanned. */
  executed = false;
  resultId: string | undefined;
  error: { code: string; message: string } | undefined;
  /** Resolves with the final info once the query is finished and recorded in the history. */
  readonly done: Promise<QueryInfo>;
  readonly settle: (info: QueryInfo) => void;

  constructor(id: string, principal: string, workgroup: string, request: SubmitRequest, now: number) {
    this.id = id;
    this.principal = principal;
    this.workgroup = workgroup;
    this.statement = request.sql;
    this.reuse = request.reuse ?? true;
    this.submittedAt = now;
    let settle: (info: QueryInfo) => void = () => undefined;
    this.done = new Promise((resolve) => (settle = resolve));
    this.settle = settle;
  }

  get finished(): boolean {
    return FINISHED_STATES.has(this.state);
  }

  info(now: number): QueryInfo {
    const end = this.finishedAt ?? now;
    const queuedMs = (this.startedAt ?? end) - this.submittedAt;
    const planningMs = this.startedAt === undefined ? 0 : (this.plannedAt ?? end) - this.startedAt;
    const executionMs = this.plannedAt === undefined ? 0 : end - this.plannedAt;
    return {
      id: this.id,
      principal: this.principal,
      workgroup: this.workgroup,
      statement: this.statement,
      state: this.state,
      submittedAt: new Date(this.submittedAt).toISOString(),
      ...(this.finishedAt === undefined ? {} : { finishedAt: new Date(this.finishedAt).toISOString() }),
      queuedMs,
      planningMs,
      executionMs,
      bytesPlanned: this.bytesPlanned,
      bytesScanned: this.executed && !this.reused ? this.bytesPlanned : 0,
      rowCount: this.rowCount,
      reused: this.reused,
      ...(this.resultId === undefined ? {} : { resultId: this.resultId }),
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }
}
