/**
 * The SqlSession CLI commands run SQL through (`strata sql`, `strata shell`, `strata quality …`):
 * on the embedded engine configured from the home's config (pool size, default timeout) — or on
 * Spark (`--engine spark`, config `query.engine`: the shared cluster, see spark-compute.ts) — governed
 * as the CLI's principal (config `principal`, or `--as`). Grants, masks and row filters apply, a
 * table the principal may not read fails with ACCESS_DENIED, and each statement is audited. SQL
 * from a principal who is not an administrator runs on a locked-down DuckDB: no files outside the
 * lake, no extensions, no configuration changes (defence behind the rewrite).
 */
import { join } from 'node:path';
import type { StrataHome } from '../../catalog/index.ts';
import { DuckDbEngine, type Engine } from '../../engine/index.ts';
import type { EngineName } from '../../config/index.ts';
import { connectSharedSpark } from './spark-compute.ts';
import { openGovernance, type GovernancePlane } from '../../governance/index.ts';
import { SqlSession } from '../../sql/index.ts';
import type { CliContext } from '../cli-context.ts';

export interface GovernedSession {
  readonly session: SqlSession;
  readonly governance: GovernancePlane;
  close(): Promise<void>;
}

export async function openGovernedSession(context: CliContext, strata: StrataHome, options: { readonly engine?: EngineName } = {}): Promise<GovernedSession> {
  const values = context.config.values;
  const timeoutMs = values['query.timeout_ms'];
  const engine: Engine =
    (options.engine ?? values['query.engine']) === 'spark'
      ? await connectSharedSpark(strata.home, values)
      : DuckDbEngine.create(strata.runtime, {
          poolSize: values['duckdb.pool_size'],
          ...(timeoutMs > 0 ? { defaultTimeoutMs: timeoutMs } : {}),
        });
  const governance = await openGovernance(strata.catalog);
  try {
    const governor = await governance.governorFor(context.principal, engine, context.actingAs === undefined ? {} : { actingAs: context.actingAs });
    if (!governor.principal.administrator && !strata.runtime.sandboxed) await strata.runtime.sandbox([join(strata.home, 'lake')]);
    const session = await SqlSession.open({ catalog: strata.catalog, engine, runtime: strata.runtime, governor });
    return {
      session,
      governance,
      async close() {
        await session.close();
        await engine.close();
        await governance.close();
      },
    };
  } catch (error) {
    await governance.close();
    await engine.close();
    throw error;
  }
}
