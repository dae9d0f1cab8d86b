/**
 * The one statement that claims the next queued run: it picks the candidate AND checks every
 * concurrency limit against the current counts of running runs, then flips the run to `running`
 * with a lease — all in a single `UPDATE … WHERE run_id = (SELECT … LIMIT 1) RETURNING *`.
 *
 * Why one statement: on SQLite a write statement takes the database's single write lock before it
 * reads anything (the effect of `BEGIN IMMEDIATE`, for exactly as long as the statement runs), so
 * two claimers — in two processes or on two connections of one process — are strictly serialised
 * and the counts they see are exact. A multi-statement transaction would have to hold that lock
 * across `await`s, and better-sqlite3's synchronous busy wait would then stall a second connection
 * in the same process (see src/catalog/backend/sqlite-dialect.ts). On Postgres the caller wraps the
 * statement in a transaction holding a self-conflicting table lock, because READ COMMITTED
 * subqueries alone would let two claimers both see "one slot free".
 *
 * Limits that are functions in JavaScript (`perPipeline(p)`, `backfillConcurrency(id)`) are turned
 * into `CASE` expressions over the pipelines and backfills that currently have queued runs (read
 * just before); a pipeline queued after that read falls to `ELSE 0` and simply waits for the next
 * claim — never over the limit.
 */
import { sql, type RawBuilder } from 'kysely';
import type { RunRow } from './run-rows.ts';

export interface ClaimStatement {
  readonly owner: string;
  readonly now: number;
  readonly leaseExpiresAt: number;
  readonly global: number;
  /** Limit per pipeline with queued runs; pipelines absent here are not claimed. */
  readonly perPipeline: ReadonlyMap<string, number>;
  /** Limit per backfill; when absent the backfill row's own `concurrency` applies. */
  readonly perBackfill?: ReadonlyMap<string, number>;
  readonly runId?: string;
}

export function claimRunStatement(s: ClaimStatement): RawBuilder<RunRow> {
  const pipelineLimit = caseOf(sql.ref('r.pipeline'), s.perPipeline, sql.lit(0));
  const ownBackfillConcurrency = sql`coalesce((select b.concurrency from strata_pipeline_backfill b where b.backfill_id = r.backfill_id), 1)`;
  const backfillLimit = s.perBackfill === undefined ? ownBackfillConcurrency : caseOf(sql.ref('r.backfill_id'), s.perBackfill, ownBackfillConcurrency);
  const onlyRun = s.runId === undefined ? sql`` : sql`and r.run_id = ${s.runId}`;
  return sql<RunRow>`
    update strata_pipeline_run
    set state = 'running',
        lease_owner = ${s.owner},
        lease_expires_at = ${s.leaseExpiresAt},
        started_at = coalesce(started_at, ${s.now})
    where state = 'queued' and run_id = (
      select r.run_id from strata_pipeline_run r
      where r.state = 'queued' ${onlyRun}
        and (select count(*) from strata_pipeline_run x where x.state = 'running') < ${sql.lit(limitValue(s.global))}
        and (select count(*) from strata_pipeline_run x where x.state = 'running' and x.pipeline = r.pipeline) < ${pipelineLimit}
        and (r.backfill_id is null
             or (select count(*) from strata_pipeline_run x where x.state = 'running' and x.backfill_id = r.backfill_id) < ${backfillLimit})
      order by r.priority, r.created_at, r.logical_date, r.run_id
      limit 1
    )
    returning *`;
}

function caseOf(subject: RawBuilder<unknown>, limits: ReadonlyMap<string, number>, otherwise: RawBuilder<unknown>): RawBuilder<unknown> {
  if (limits.size === 0) return otherwise;
  const arms = [...limits].map(([key, limit]) => sql`when ${key} then ${sql.lit(limitValue(limit))}`);
  return sql`(case ${subject} ${sql.join(arms, sql` `)} else ${otherwise} end)`;
}

/** A limit as a safe SQL integer literal: `Infinity` means "no limit", negatives and NaN mean none. */
function limitValue(limit: number): number {
  if (Number.isNaN(limit) || limit <= 0) return 0;
  return Number.isFinite(limit) ? Math.min(Math.floor(limit), 2 ** 31 - 1) : 2 ** 31 - 1;
}
