/**
 * A governed lake for the governance suites, written against the `Engine` interface: the suites
 * never touch an engine directly, and run on every factory in `ENGINE_FACTORIES` (DuckDB, and
 * Spark through Spark Connect and Strata's REST catalog — src/sql/testing/engines-under-test.ts).
 *
 * The data carries unique marker strings (`SSN-…`, `SAL-…`, names of US staff) so a test can
 * assert that a forbidden value appears nowhere in a result or an error message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { StrataError } from '../../src/core/index.ts';
import { DuckDbEngine, type Engine } from '../../src/engine/index.ts';
import { bootstrapAdmin, openGovernance, type GovernancePlane } from '../../src/governance/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { duckdbUnderTest, sparkUnderTest } from '../../src/sql/testing/engines-under-test.ts';

/** How a suite gets an engine over a home, and locks it down for untrusted SQL. */
export interface EngineFactory {
  readonly name: string;
  /** Why this engine cannot run here (a skip message), or undefined. */
  readonly skip?: string | undefined;
  open(home: StrataHome): Promise<{ readonly engine: Engine; sandbox(): Promise<void>; close?(): Promise<void> }>;
  /** Names of the per-statement views the engine holds right now (`strata_ref_…`). */
  liveViews(engine: Engine): Promise<string[]>;
}

export const duckDbFactory: EngineFactory = {
  name: 'duckdb',
  async open(home) {
    const engine = DuckDbEngine.create(home.runtime, { poolSize: 2 });
    return { engine, sandbox: () => home.runtime.sandbox([join(home.home, 'lake')]) };
  },
  liveViews: (engine) => duckdbUnderTest.liveViews(engine),
};

/** Spark: what it reads it reads through the REST catalog; the DuckDB runtime only parses, sandboxed all the same. */
export const sparkFactory: EngineFactory = {
  name: 'spark',
  skip: sparkUnderTest.skip,
  async open(home) {
    const opened = await sparkUnderTest.open(home);
    return { engine: opened.engine, sandbox: () => home.runtime.sandbox([join(home.home, 'lake')]), close: () => opened.close() };
  },
  liveViews: (engine) => sparkUnderTest.liveViews(engine),
};

export const ENGINE_FACTORIES: readonly EngineFactory[] = [duckDbFactory, sparkFactory];

export type Outcome = { readonly kind: 'rows'; readonly rows: unknown[][] } | { readonly kind: 'error'; readonly code: string; readonly message: string };

export interface GovernedLake {
  readonly home: StrataHome;
  readonly engine: Engine;
  readonly governance: GovernancePlane;
  readonly admin: SqlSession;
  /** The lake directory (for attempts that name its files). */
  readonly lakeDir: string;
  /** A session acting as `principal` (cached per principal). */
  as(principal: string): Promise<SqlSession>;
  /** Runs SQL and returns rows or the error, never throws for a StrataError. */
  run(session: SqlSession, sql: string): Promise<Outcome>;
  close(): Promise<void>;
}

export async function openGovernedLake(factory: EngineFactory, setup: (lake: GovernedLake) => Promise<void>): Promise<GovernedLake> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-governed-'));
  const home = await openStrataHome(dir, { threads: 2 });
  const { engine, sandbox, close: closeEngine } = await factory.open(home);
  const governance = await openGovernance(home.catalog);
  await bootstrapAdmin(governance.identity);
  const admin = await SqlSession.open({ catalog: home.catalog, engine, governor: await governance.governorFor('admin', engine) });
  const sessions = new Map<string, SqlSession>();
  const lake: GovernedLake = {
    home,
    engine,
    governance,
    admin,
    lakeDir: join(dir, 'lake'),
    async as(principal) {
      let session = sessions.get(principal);
      if (!session) {
        session = await SqlSession.open({ catalog: home.catalog, engine, governor: await governance.governorFor(principal, engine) });
        sessions.set(principal, session);
      }
      return session;
    },
    run: runSql,
    async close() {
      for (const session of sessions.values()) await session.close();
      await admin.close();
      await governance.close();
      await (closeEngine ? closeEngine() : engine.close());
      await home.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await setup(lake);
  await sandbox();
  return lake;
}

export async function runSql(session: SqlSession, sql: string): Promise<Outcome> {
  try {
    const result = await session.execute(sql);
    if (result.kind === 'ok') return { kind: 'rows', rows: [[result.message]] };
    const rows: unknown[][] = [];
    for await (const batch of result.rows) rows.push(...batch);
    return { kind: 'rows', rows };
  } catch (error) {
    if (error instanceof StrataError) return { kind: 'error', code: error.code, message: `${error.message} ${JSON.stringify(error.details, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}` };
    throw error;
  }
}

/** Every cell and the message as one string, for "must not contain" checks. */
export function textOf(outcome: Outcome): string {
  return outcome.kind === 'error' ? outcome.message : JSON.stringify(outcome.rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}
