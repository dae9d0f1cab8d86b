/**
 * What data quality and pipelines cost, on the `tpch.lineitem` table query-overhead.ts built:
 *
 * DQDL evaluation of one ruleset of 15 rules over the whole table, three ways:
 *   compiled  — `checkTable` (describe the table, compile the rules to as few SQL passes as
 *               possible, run them through a `SqlSession`); `passes` from its result;
 *   per rule  — the same 15 rules, each checked alone as its own one-rule ruleset through
 *               `checkTable` (what a checker without a compiler does: one query per rule), summed;
 *   duckdb    — one hand-written aggregate SELECT computing the same dataset-level metrics over
 *               `read_parquet([...])` of the table's current data files, on a bare connection.
 * The runs check that compiled and per-rule give every rule the same outcome and that DuckDB
 * counts the same rows.
 *
 * Pipeline overhead of one SQL step that overwrites one month partition (the rows of one
 * `l_shipdate` month) of a table partitioned like lineitem:
 *   direct   — `SqlSession.execute('INSERT OVERWRITE …')`;
 *   pipeline — a run of a one-step pipeline (trigger + `runQueued`): run and step records and
 *              leases in the catalog database, the exactly-once marker lookup, the column
 *              check of the step's SELECT, lineage events;
 *   audited  — the same step with an `audit` gate (3 DQDL rules, action fail): written on a
 *              branch, checked there, results recorded, main fast-forwarded.
 * The step's own duration (`startedAt`→`finishedAt` of its step record) splits a run's time into
 * the step and the run bookkeeping around it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StrataHome } from '../src/catalog/index.ts';
import { DuckDbEngine } from '../src/engine/index.ts';
import { PipelineService, definePipeline, type PipelineDefinition } from '../src/pipeline/index.ts';
import { checkTable, type TableCheckResult } from '../src/quality/index.ts';
import { SqlSession } from '../src/sql/index.ts';
import { TPCH_NAMESPACE } from './lineitem-tables.ts';
import { dataFiles, readParquet } from './query-overhead.ts';
import { summarize, timed, type Summary } from './stats.ts';

/** A realistic gate for lineitem: completeness, ranges, sets, statistics, a key, a where, a composite. */
export const LINEITEM_RULES: readonly string[] = [
  'RowCount > 0',
  'IsComplete "l_orderkey"',
  'Completeness "l_shipmode" > 0.99',
  'Uniqueness "l_orderkey" "l_linenumber" > 0.99',
  'ColumnValues "l_quantity" between 0 and 51',
  'ColumnValues "l_discount" <= 0.1',
  'ColumnValues "l_returnflag" in ["A", "N", "R"]',
  'ColumnValues "l_shipmode" in ["AIR", "MAIL", "RAIL", "SHIP", "TRUCK", "REG AIR", "FOB"] with threshold > 0.99',
  'ColumnValues "l_shipdate" between "1991-12-31" and "1999-12-31"',
  'Mean "l_extendedprice" between 40000 and 60000',
  'Sum "l_quantity" > 0',
  'StandardDeviation "l_discount" < 0.1',
  'ColumnLength "l_shipmode" between 2 and 8',
  'ColumnValues "l_tax" <= 0.08 where "l_returnflag = \'R\'"',
  '(IsComplete "l_partkey") and (ColumnValues "l_suppkey" between 0 and 10001)',
];

/** The same metrics, hand-written for DuckDB over `{files}`; the key's uniqueness in a scalar subquery. */
const DIRECT_METRICS = `SELECT count(*) AS row_count, count(l_orderkey) AS orderkey_present, count(l_shipmode) AS shipmode_present,
  count(*) FILTER (WHERE l_quantity > 0 AND l_quantity < 51) AS quantity_ok,
  count(*) FILTER (WHERE l_discount <= 0.1) AS discount_ok,
  count(*) FILTER (WHERE l_returnflag IN ('A', 'N', 'R')) AS returnflag_ok,
  count(*) FILTER (WHERE l_shipmode IN ('AIR', 'MAIL', 'RAIL', 'SHIP', 'TRUCK', 'REG AIR', 'FOB')) AS shipmode_ok,
  count(*) FILTER (WHERE l_shipdate > DATE '1991-12-31' AND l_shipdate < DATE '1999-12-31') AS shipdate_ok,
  avg(l_extendedprice) AS extendedprice_mean, sum(l_quantity) AS quantity_sum, stddev_pop(l_discount) AS discount_stddev,
  count(*) FILTER (WHERE length(coalesce(l_shipmode, '')) > 2 AND length(coalesce(l_shipmode, '')) < 8) AS shipmode_length_ok,
  count(*) FILTER (WHERE l_returnflag = 'R') AS returned, count(*) FILTER (WHERE l_returnflag = 'R' AND l_tax <= 0.08) AS returned_tax_ok,
  count(l_partkey) AS partkey_present, count(*) FILTER (WHERE l_suppkey > 0 AND l_suppkey < 10001) AS suppkey_ok,
  (SELECT count(*) FILTER (WHERE n = 1) / sum(n) FROM (SELECT count(*) AS n FROM {files}
     WHERE l_orderkey IS NOT NULL AND l_linenumber IS NOT NULL GROUP BY l_orderkey, l_linenumber)) AS key_uniqueness
FROM {files}`;

export interface QualityCost {
  readonly rows: number;
  readonly rules: number;
  readonly rulesPassed: number;
  readonly runs: number;
  readonly compiled: Summary;
  readonly compiledPasses: number;
  readonly perRule: Summary;
  readonly perRulePasses: number;
  /** The rule that took longest when checked alone, and its p50. */
  readonly slowestRule: { readonly rule: string; readonly p50: number };
  readonly duckdb: Summary;
}

export interface PipelineCost {
  readonly month: string;
  readonly rowsWritten: number;
  readonly auditRules: number;
  readonly runs: number;
  readonly direct: Summary;
  readonly pipeline: Summary;
  readonly audited: Summary;
  /** The step record's own duration in the plain and audited runs (ms resolution). */
  readonly pipelineStep: Summary;
  readonly auditedStep: Summary;
}

export interface PipelineQualityResult {
  readonly quality: QualityCost;
  readonly pipeline: PipelineCost;
}

/** Needs the `tpch` tables query-overhead.ts built in the same home. */
export async function pipelineQuality(home: StrataHome, qualityRuns: number, pipelineRuns: number): Promise<PipelineQualityResult> {
  const engine = DuckDbEngine.create(home.runtime);
  const session = await SqlSession.open({ catalog: home.catalog, engine });
  const connection = await home.runtime.connect();
  try {
    const quality = await qualityCost(home, session, connection, qualityRuns);
    const pipeline = await pipelineCost(home, session, pipelineRuns);
    return { quality, pipeline };
  } finally {
    connection.closeSync();
    await session.close();
    await engine.close();
  }
}

async function qualityCost(home: StrataHome, session: SqlSession, connection: DuckDBConnection, runs: number): Promise<QualityCost> {
  const table = `${TPCH_NAMESPACE}.lineitem`;
  const files = readParquet((await dataFiles(await home.catalog.loadTable(table))).paths);
  const directSql = DIRECT_METRICS.replaceAll('{files}', files);
  const compiled = () => checkTable({ session, table, rules: `Rules = [\n  ${LINEITEM_RULES.join(',\n  ')}\n]`, record: false });
  const direct = async () => (await connection.runAndReadAll(directSql)).getRowObjectsJS()[0] ?? {};

  const first = await compiled(); // warm-up: also the reference outcomes
  const errors = first.rules.filter((r) => r.outcome === 'error');
  if (errors.length > 0) throw new Error(`bench: DQDL rules errored: ${errors.map((r) => `${r.rule}: ${r.message ?? ''}`).join('; ')}`);
  const rows = first.metrics['Dataset.*.RowCount'] ?? NaN;
  const directRows = Number((await direct())['row_count']);
  if (directRows !== rows) throw new Error(`bench: DQDL counted ${rows} lineitem rows, DuckDB ${directRows}`);

  const samples = { compiled: [] as number[], perRule: [] as number[], duckdb: [] as number[] };
  const alone = LINEITEM_RULES.map(() => [] as number[]);
  let perRulePasses = 0;
  for (let r = 0; r < runs; r++) {
    samples.compiled.push((await timed(compiled)).ms);
    let total = 0;
    perRulePasses = 0;
    for (const [i, rule] of LINEITEM_RULES.entries()) {
      const { value, ms } = await timed(() => checkTable({ session, table, rules: `Rules = [ ${rule} ]`, record: false }));
      total += ms;
      alone[i]?.push(ms);
      perRulePasses += value.passes;
      sameOutcome(first, i, value);
    }
    samples.perRule.push(total);
    samples.duckdb.push((await timed(direct)).ms);
  }
  return {
    rows,
    rules: LINEITEM_RULES.length,
    rulesPassed: first.rules.filter((r) => r.outcome === 'passed').length,
    runs,
    compiled: summarize(samples.compiled),
    compiledPasses: first.passes,
    perRule: summarize(samples.perRule),
    perRulePasses,
    slowestRule: slowest(alone),
    duckdb: summarize(samples.duckdb),
  };
}

function slowest(samples: readonly (readonly number[])[]): { rule: string; p50: number } {
  const p50s = samples.map((s) => summarize(s).p50);
  const index = p50s.indexOf(Math.max(...p50s));
  return { rule: LINEITEM_RULES[index] ?? '?', p50: p50s[index] ?? NaN };
}

function sameOutcome(all: TableCheckResult, index: number, alone: TableCheckResult): void {
  const [expected, actual] = [all.rules[index], alone.rules[0]];
  if (expected?.outcome !== actual?.outcome) throw new Error(`bench: ${expected?.rule ?? '?'} was ${expected?.outcome ?? '?'} in the ruleset, ${actual?.outcome ?? '?'} alone`);
}

const PIPE_NAMESPACE = 'bench_pipe';
const OUTPUT = `${PIPE_NAMESPACE}.shipments`;
const MONTH = { from: '1995-06-01', to: '1995-07-01' };
const AUDIT_RULES = ['RowCount > 0', 'IsComplete "l_orderkey"', 'ColumnValues "l_quantity" between 0 and 51'];

/** The month's rows; `from` is `{{ ds }}` inside the pipeline (its logical date is the month's first day). */
const monthSelect = (from: string) => `SELECT * FROM ${TPCH_NAMESPACE}.lineitem WHERE l_shipdate >= DATE '${from}' AND l_shipdate < DATE '${MONTH.to}'`;

function overwritePipeline(name: string, audited: boolean): PipelineDefinition {
  const where = `l_shipdate >= DATE '{{ ds }}' AND l_shipdate < DATE '${MONTH.to}'`;
  return definePipeline({
    name,
    steps: [
      {
        id: 'overwrite_month',
        kind: 'sql',
        inputs: [`${TPCH_NAMESPACE}.lineitem`],
        output: OUTPUT,
        mode: 'overwrite-partitions',
        sql: monthSelect('{{ ds }}'),
        ...(audited ? { audit: { rules: `Rules = [ ${AUDIT_RULES.join(', ')} ]`, action: 'fail' as const, where } } : {}),
      },
    ],
  });
}

async function pipelineCost(home: StrataHome, session: SqlSession, runs: number): Promise<PipelineCost> {
  const lineitem = await home.catalog.loadTable(`${TPCH_NAMESPACE}.lineitem`);
  await home.catalog.createNamespace([PIPE_NAMESPACE]);
  await home.catalog.createTable(OUTPUT, lineitem.schema(), { partitionBy: [{ source: 'l_shipdate', transform: 'month' }] });
  const service = await PipelineService.open({ home });
  try {
    const plain = overwritePipeline('bench_overwrite', false);
    const gated = overwritePipeline('bench_overwrite_audited', true);
    await service.register(plain);
    await service.register(gated);
    const direct = () => session.execute(`INSERT OVERWRITE ${OUTPUT} ${monthSelect(MONTH.from)}`);
    const run = async (pipeline: PipelineDefinition): Promise<number> => {
      const created = await service.trigger(pipeline.name, { logicalDate: MONTH.from });
      const finished = await service.runQueued({ runId: created.runId });
      const state = finished.find((f) => f.run.runId === created.runId)?.state;
      if (state !== 'succeeded') throw new Error(`bench: pipeline ${pipeline.name} run ${created.runId} ended ${state ?? 'unclaimed'}`);
      const step = (await service.store.steps(created.runId))[0];
      return (step?.finishedAt ?? NaN) - (step?.startedAt ?? NaN);
    };
    // Warm-up, one each; every way leaves the same rows in the month.
    await direct();
    await run(plain);
    await run(gated);
    const rowsWritten = Number((await session.execute(`SELECT count(*) FROM ${OUTPUT}`).then(firstValue)) ?? NaN);

    const samples = { direct: [] as number[], pipeline: [] as number[], audited: [] as number[], pipelineStep: [] as number[], auditedStep: [] as number[] };
    for (let r = 0; r < runs; r++) {
      samples.direct.push((await timed(direct)).ms);
      const plainRun = await timed(() => run(plain));
      samples.pipeline.push(plainRun.ms);
      samples.pipelineStep.push(plainRun.value);
      const gatedRun = await timed(() => run(gated));
      samples.audited.push(gatedRun.ms);
      samples.auditedStep.push(gatedRun.value);
    }
    return {
      month: MONTH.from.slice(0, 7),
      rowsWritten,
      auditRules: AUDIT_RULES.length,
      runs,
      direct: summarize(samples.direct),
      pipeline: summarize(samples.pipeline),
      audited: summarize(samples.audited),
      pipelineStep: summarize(samples.pipelineStep),
      auditedStep: summarize(samples.auditedStep),
    };
  } finally {
    await service.close();
  }
}

async function firstValue(result: Awaited<ReturnType<SqlSession['execute']>>): Promise<unknown> {
  if (result.kind !== 'rows') return undefined;
  let value: unknown;
  for await (const batch of result.rows) for (const row of batch) value ??= row[0];
  return value;
}

