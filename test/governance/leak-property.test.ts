/**
 * Property: for random tables, grants, masks, row filters and queries, a principal never receives
 * a value a policy forbids — in rows or in an error message.
 *
 * Every cell of every table is a unique marker string, so "forbidden" is exact: the raw value of
 * a hidden or masked column, and every value of a row a filter hides. Masked outputs (hashes,
 * redactions, partial strings, upper-cased expression masks) never contain the whole raw marker,
 * so any marker in the output is a leak. Queries are drawn from a grammar that reaches every
 * column (hidden ones too) through projections, filters, joins, CTEs, unions, subqueries and
 * aggregates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MaskFunction } from '../../src/governance/index.ts';
import { ENGINE_FACTORIES, openGovernedLake, textOf, type GovernedLake } from './governed-fixture.ts';
import { shutdownEngines } from '../../src/sql/testing/engines-under-test.ts';

interface ColumnPlan {
  readonly name: string;
  readonly access: 'raw' | 'hidden' | 'masked';
  readonly mask: MaskFunction;
  readonly viaTag: boolean;
}

interface TablePlan {
  readonly columns: readonly ColumnPlan[];
  readonly rows: number;
  /** Rows with id <= this are visible; undefined: no filter. */
  readonly visibleUpTo: number | undefined;
}

const MASKS: readonly MaskFunction[] = [
  { kind: 'hash' },
  { kind: 'redact' },
  { kind: 'null' },
  { kind: 'partial', keepLast: 3 },
  { kind: 'expression', sql: 'upper(value)' },
];

const columnPlan = (i: number): fc.Arbitrary<ColumnPlan> =>
  fc.record({
    name: fc.constant(`c${i}`),
    access: fc.constantFrom('raw', 'hidden', 'masked'),
    mask: fc.constantFrom(...MASKS),
    viaTag: fc.boolean(),
  });

const tablePlan: fc.Arbitrary<TablePlan> = fc.record({
  columns: fc.integer({ min: 2, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => columnPlan(i)))),
  rows: fc.integer({ min: 1, max: 5 }),
  visibleUpTo: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
});

/** A query over tables t0 and t1 (names filled in per run), reaching any column. */
const query = (plans: readonly TablePlan[]): fc.Arbitrary<(db: string) => string> => {
  const table = fc.integer({ min: 0, max: plans.length - 1 });
  const col = (t: number): fc.Arbitrary<string> => fc.constantFrom(...(plans[t]?.columns.map((c) => c.name) ?? ['c0']));
  return fc.oneof(
    table.chain((t) => fc.tuple(fc.constant(t), col(t)).map(([ti, c]) => (db: string) => `SELECT ${c} FROM ${db}.t${ti} ORDER BY id`)),
    table.map((t) => (db: string) => `SELECT * FROM ${db}.t${t}`),
    table.chain((t) => fc.tuple(fc.constant(t), col(t), col(t)).map(([ti, a, b]) => (db: string) => `SELECT ${a} FROM ${db}.t${ti} WHERE ${b} LIKE '%_${ti}_%'`)),
    table.chain((t) => fc.tuple(fc.constant(t), col(t)).map(([ti, c]) => (db: string) => `SELECT string_agg(${c}, ',') FROM ${db}.t${ti}`)),
    table.chain((t) => fc.tuple(fc.constant(t), col(t)).map(([ti, c]) => (db: string) => `WITH x AS (SELECT * FROM ${db}.t${ti}) SELECT ${c} FROM x`)),
    table.chain((t) => fc.tuple(fc.constant(t), col(t)).map(([ti, c]) => (db: string) => `SELECT (SELECT max(${c}) FROM ${db}.t${ti}) AS m`)),
    table.chain((t) => fc.tuple(fc.constant(t), col(t)).map(([ti, c]) => (db: string) => `SELECT count(*) FROM ${db}.t${ti} GROUP BY ${c} ORDER BY 1`)),
    fc.tuple(col(0), col(plans.length - 1)).map(([a, b]) => (db: string) => `SELECT x.${a}, y.${b} FROM ${db}.t0 x JOIN ${db}.t${plans.length - 1} y ON x.id = y.id`),
    fc.tuple(col(0), col(plans.length - 1)).map(([a, b]) => (db: string) => `SELECT ${a} FROM ${db}.t0 UNION ALL SELECT ${b} FROM ${db}.t${plans.length - 1}`),
    table.chain((t) => fc.tuple(fc.constant(t), col(t)).map(([ti, c]) => (db: string) => `SELECT to_json(r) FROM (SELECT * FROM ${db}.t${ti} ORDER BY ${c}) r`)),
  );
};

const marker = (run: number, t: number, c: string, row: number): string => `mk${run}_${t}_${c}_${row}_zz`;

after(() => shutdownEngines());

/** Spark runs each statement as a distributed job (~0.1–1 s); fewer random lakes keep the suite in CI's budget. */
const RUNS: Readonly<Record<string, number>> = { duckdb: 25, spark: 6 };

for (const factory of ENGINE_FACTORIES) describe(`property: a principal never receives a forbidden value on ${factory.name}`, { skip: factory.skip }, () => {
  let lake: GovernedLake;
  let runs = 0;
  before(async () => {
    lake = await openGovernedLake(factory, async (l) => {
      await l.governance.identity.createPrincipal('pat', { attributes: { limit: '2' } });
      await l.governance.identity.createRole('prober');
      await l.governance.identity.grantRole('prober', { principal: 'pat' });
      await l.governance.policies.createTagKey('sensitivity', ['high', 'low']);
    });
  }, { timeout: 300_000 });
  after(async () => lake.close());

  test('random tables, policies and queries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tablePlan, { minLength: 1, maxLength: 2 }).chain((plans) => fc.tuple(fc.constant(plans), fc.array(query(plans), { minLength: 3, maxLength: 6 }))), async ([plans, queries]) => {
        const run = runs++;
        const db = `p${run}`;
        const forbidden = await setUp(lake, db, run, plans);
        const pat = await lake.as('pat');
        for (const q of queries) {
          const sql = q(db);
          const outcome = await lake.run(pat, sql);
          const text = textOf(outcome);
          for (const value of forbidden) assert.ok(!text.includes(value), `${sql} leaked ${value}: ${text.slice(0, 300)}`);
          if (outcome.kind === 'error') assert.ok(['ACCESS_DENIED', 'SQL_ERROR'].includes(outcome.code), `${sql}: ${outcome.code} ${outcome.message}`);
        }
      }),
      { numRuns: RUNS[factory.name] ?? 25 },
    );
  });
});

/** Creates the run's tables and policies; returns every marker the principal must not see. */
async function setUp(lake: GovernedLake, db: string, run: number, plans: readonly TablePlan[]): Promise<string[]> {
  const { policies } = lake.governance;
  const admin = async (sql: string): Promise<void> => {
    const r = await lake.admin.execute(sql);
    if (r.kind === 'rows') for await (const b of r.rows) void b;
  };
  await admin(`CREATE DATABASE ${db}`);
  const forbidden: string[] = [];
  for (const [t, plan] of plans.entries()) {
    const rows = Array.from({ length: plan.rows }, (_, r) => `(${r + 1}::BIGINT, ${plan.columns.map((c) => `'${marker(run, t, c.name, r + 1)}'`).join(', ')})`);
    await admin(`CREATE TABLE ${db}.t${t} AS SELECT * FROM (VALUES ${rows.join(', ')}) v(id, ${plan.columns.map((c) => c.name).join(', ')})`);
    const readable = ['id', ...plan.columns.filter((c) => c.access !== 'hidden').map((c) => c.name)];
    await admin(`GRANT SELECT (${readable.join(', ')}) ON ${db}.t${t} TO ROLE prober`);
    for (const c of plan.columns.filter((col) => col.access === 'masked')) {
      const name = `m_${db}_${t}_${c.name}`;
      await policies.createMask({ name, function: c.mask });
      if (c.viaTag) {
        await policies.assignTag({ kind: 'column', database: db, table: `t${t}`, column: c.name }, 'sensitivity', 'high');
        await policies.attachMask(name, { kind: 'tags', expression: { kind: 'in', key: 'sensitivity', values: ['high'] } });
      } else {
        await policies.attachMask(name, { kind: 'column', database: db, table: `t${t}`, column: c.name });
      }
    }
    if (plan.visibleUpTo !== undefined) {
      await policies.createRowFilter({ name: `f_${db}_${t}`, target: { kind: 'table', database: db, table: `t${t}` }, predicate: `id <= ${plan.visibleUpTo}` });
    }
    for (let r = 1; r <= plan.rows; r++) {
      const rowHidden = plan.visibleUpTo !== undefined && r > plan.visibleUpTo;
      for (const c of plan.columns) if (rowHidden || c.access !== 'raw' || maskedByTag(plans, run, c)) forbidden.push(marker(run, t, c.name, r));
    }
  }
  return forbidden;
}

/**
 * Tag masks attach to every column tagged sensitivity=high, in any table of any run: a raw column
 * is masked too when it shares the tag, which only hides more. It never does here (raw columns
 * are never tagged), so this stays false; kept explicit so the forbidden set is exact.
 */
function maskedByTag(_plans: readonly TablePlan[], _run: number, _c: ColumnPlan): boolean {
  return false;
}
