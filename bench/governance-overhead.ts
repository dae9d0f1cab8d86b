/**
 * What governance costs, on the query set of query-overhead.ts over the same `tpch` tables:
 *
 *   ungoverned — `SqlSession` with no governor (Strata's own jobs; the query-overhead baseline);
 *   admin      — governed as the administrator: the policy snapshot loaded, checks passed, and two
 *                audit records (decision, outcome) appended per statement; no policy applies;
 *   analyst    — governed as a principal with SELECT on the database, a mask on one column the
 *                query set reads (partial), a hash mask on one it does not, and a row filter on
 *                lineitem that keeps every row (so all three return the same rows), amid a few
 *                hundred unrelated grants, masks and filters.
 *
 * The three alternate per run, after a warm-up that checks they return the same number of rows.
 * *Policy compile* times what governance adds before the engine runs, per statement: loading the
 * policy snapshot, deciding each table reference and compiling its governed relation (p50/p99
 * over many repetitions). Ratios, not wall-clock claims: they depend on this machine.
 */
import type { StrataHome } from '../src/catalog/index.ts';
import { DuckDbEngine } from '../src/engine/index.ts';
import { bootstrapAdmin, compileGovernedRelation, decideRead, openGovernance, shapeOf, type GovernancePlane } from '../src/governance/index.ts';
import { SqlSession } from '../src/sql/index.ts';
import { ANALYTICAL_QUERIES, fillTables } from './analytical-queries.ts';
import { TPCH_NAMESPACE } from './lineitem-tables.ts';
import { now, percentile, summarize, timed, type Summary } from './stats.ts';

export interface GovernanceTiming {
  readonly name: string;
  readonly rows: number;
  readonly ungoverned: Summary;
  readonly admin: Summary;
  readonly analyst: Summary;
}

export interface GovernanceOverheadResult {
  readonly runs: number;
  readonly noise: { readonly grants: number; readonly masks: number; readonly filters: number };
  readonly compileSamples: number;
  /** Per statement: snapshot load + decisions + compiled relations, over every query of the set. */
  readonly compile: Summary & { readonly p99: number };
  readonly snapshotLoad: Summary & { readonly p99: number };
  readonly queries: readonly GovernanceTiming[];
}

const NOISE = { grants: 300, masks: 40, filters: 20 };

/** Needs the `tpch` tables query-overhead.ts built in the same home. */
export async function governanceOverhead(home: StrataHome, runs: number, compileRepetitions: number): Promise<GovernanceOverheadResult> {
  const governance = await openGovernance(home.catalog);
  const engine = DuckDbEngine.create(home.runtime);
  try {
    await setUpPolicies(governance);
    const ungoverned = await SqlSession.open({ catalog: home.catalog, engine });
    const admin = await SqlSession.open({ catalog: home.catalog, engine, governor: await governance.governorFor('admin', engine) });
    const analystGovernor = await governance.governorFor('bench_analyst', engine);
    const analyst = await SqlSession.open({ catalog: home.catalog, engine, governor: analystGovernor });
    const qualified = { lineitem: `${TPCH_NAMESPACE}.lineitem`, orders: `${TPCH_NAMESPACE}.orders` };
    const queries: GovernanceTiming[] = [];
    for (const query of ANALYTICAL_QUERIES) {
      const sql = fillTables(query, qualified);
      const counts = [await drain(ungoverned, sql), await drain(admin, sql), await drain(analyst, sql)];
      if (new Set(counts).size !== 1) throw new Error(`bench: ${query.name} returned ${counts.join(' / ')} rows ungoverned / admin / analyst`);
      const samples = { ungoverned: [] as number[], admin: [] as number[], analyst: [] as number[] };
      for (let r = 0; r < runs; r++) {
        samples.ungoverned.push((await timed(() => drain(ungoverned, sql))).ms);
        samples.admin.push((await timed(() => drain(admin, sql))).ms);
        samples.analyst.push((await timed(() => drain(analyst, sql))).ms);
      }
      queries.push({ name: query.name, rows: counts[0] ?? 0, ungoverned: summarize(samples.ungoverned), admin: summarize(samples.admin), analyst: summarize(samples.analyst) });
    }

    const tables = await Promise.all(['lineitem', 'orders'].map(async (name) => ({ name, table: await home.catalog.loadTable(`${TPCH_NAMESPACE}.${name}`) })));
    const compile: number[] = [];
    const snapshotLoad: number[] = [];
    for (let i = 0; i < compileRepetitions; i++) {
      for (const query of ANALYTICAL_QUERIES) {
        const started = now();
        const guard = await analystGovernor.begin(query.sql, 'bench');
        snapshotLoad.push(now() - started);
        for (const { name, table } of tables) {
          if (!query.sql.includes(`{${name}}`)) continue;
          const decision = decideRead(guard.snapshot, guard.principal, shapeOf(TPCH_NAMESPACE, name, table.schema()));
          compileGovernedRelation(`SELECT * FROM scan_${name}`, decision, guard.principal);
        }
        compile.push(now() - started);
      }
    }
    await ungoverned.close();
    await admin.close();
    await analyst.close();
    return {
      runs,
      noise: NOISE,
      compileSamples: compile.length,
      compile: { ...summarize(compile), p99: percentile(compile, 99) },
      snapshotLoad: { ...summarize(snapshotLoad), p99: percentile(snapshotLoad, 99) },
      queries,
    };
  } finally {
    await engine.close();
    await governance.close();
  }
}

async function setUpPolicies(governance: GovernancePlane): Promise<void> {
  const { identity, policies } = governance;
  await bootstrapAdmin(identity);
  await identity.createPrincipal('bench_analyst', { attributes: { region: 'all' } });
  await identity.createRole('bench_readers');
  await identity.grantRole('bench_readers', { principal: 'bench_analyst' });
  const grantee = { kind: 'role', name: 'bench_readers' } as const;
  await policies.grant({ privilege: 'SELECT', securable: { kind: 'database', database: TPCH_NAMESPACE }, grantee, grantedBy: 'admin' });
  await policies.createMask({ name: 'shipmode_partial', function: { kind: 'partial', keepLast: 1 } });
  await policies.attachMask('shipmode_partial', { kind: 'column', database: TPCH_NAMESPACE, table: 'lineitem', column: 'l_shipmode' });
  await policies.createMask({ name: 'custkey_hash', function: { kind: 'hash' } });
  await policies.attachMask('custkey_hash', { kind: 'column', database: TPCH_NAMESPACE, table: 'orders', column: 'o_custkey' });
  await policies.createRowFilter({
    name: 'recent_lines',
    target: { kind: 'table', database: TPCH_NAMESPACE, table: 'lineitem' },
    predicate: "l_shipdate >= DATE '1900-01-01' OR current_principal_attribute('region') = 'all'",
  });
  // Unrelated policies, so decisions run over a realistic policy set rather than an empty one.
  await identity.createRole('bench_other');
  const other = { kind: 'role', name: 'bench_other' } as const;
  for (let i = 0; i < NOISE.grants; i++) {
    await policies.grant({ privilege: 'SELECT', securable: { kind: 'column', database: `other${i % 30}`, table: `t${i}`, column: 'c' }, grantee: other, grantedBy: 'admin' });
  }
  for (let i = 0; i < NOISE.masks; i++) {
    await policies.createMask({ name: `noise_mask_${i}`, function: { kind: 'redact' } });
    await policies.attachMask(`noise_mask_${i}`, { kind: 'column', database: `other${i}`, table: 't', column: 'c' });
  }
  for (let i = 0; i < NOISE.filters; i++) {
    await policies.createRowFilter({ name: `noise_filter_${i}`, target: { kind: 'table', database: `other${i}`, table: 't' }, predicate: 'c IS NOT NULL' });
  }
}

async function drain(session: SqlSession, sql: string): Promise<number> {
  const result = await session.execute(sql);
  if (result.kind !== 'rows') throw new Error(`bench: expected rows from ${sql}`);
  let rows = 0;
  for await (const batch of result.rows) rows += batch.length;
  return rows;
}
