/**
 * Runs SQL for the CLI (`strata sql`, `strata shell`): one SqlSession over the home's catalog on the
 * embedded DuckDB engine, configured from the home's config (pool size, timeout, batch size), and
 * rendering of each statement's result in the chosen format.
 *
 * Every statement is governed as the CLI's principal (`principal` in config, or `--as`): grants,
 * masks and row filters apply and each statement is audited.
 *
 * Cancellation: the caller passes an AbortSignal (Ctrl-C); the engine stops the query and the
 * session throws QUERY_CANCELLED (exit 130).
 */
import type { StrataHome } from '../../catalog/index.ts';
import { syncAuditTable } from '../../governance/index.ts';
import { stringifyJson } from '../../core/index.ts';
import type { QueryOptions } from '../../engine/index.ts';
import type { EngineName } from '../../config/index.ts';
import type { StatementResult } from '../../sql/index.ts';
import { openGovernedSession } from './governed-session.ts';
import type { CliContext } from '../cli-context.ts';

export interface SqlRunner {
  run(sql: string, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function openSqlRunner(context: CliContext, strata: StrataHome, options: { readonly engine?: EngineName } = {}): Promise<SqlRunner> {
  const values = context.config.values;
  const { session, governance, close } = await openGovernedSession(context, strata, options);
  return {
    async run(sql, signal) {
      // system.audit_log mirrors the audit log on demand: bring it up to date before it is read.
      if (/audit_log/i.test(sql)) await syncAuditTable(strata.catalog, governance.audit);
      const timeoutMs = values['query.timeout_ms'];
      const queryOptions: QueryOptions = { batchRows: values['query.batch_rows'], ...(timeoutMs > 0 ? { timeoutMs } : {}), ...(signal !== undefined ? { signal } : {}) };
      await renderStatementResult(context, strata, await session.execute(sql, queryOptions));
    },
    close,
  };
}

export async function renderStatementResult(context: CliContext, strata: StrataHome, result: StatementResult): Promise<void> {
  if (result.kind === 'rows') {
    await context.render({ columns: result.columns, rows: result.rows }, strata);
    return;
  }
  if (context.format === 'json') {
    const json = {
      message: result.message,
      ...(result.rowCount !== undefined ? { row_count: result.rowCount } : {}),
      ...(result.snapshotId !== undefined ? { snapshot_id: result.snapshotId } : {}),
    };
    await context.stdout.write(`${stringifyJson(json)}\n`);
  } else {
    await context.stdout.write(`${result.message}\n`);
  }
}

/** An AbortSignal that fires on Ctrl-C (SIGINT); a second Ctrl-C exits at once with 130. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
