/**
 * TPC-H, side by side in one run on the same Iceberg tables: the 22 queries (queries.ts) through
 *
 *   bare DuckDB       read_parquet over the tables' data files, no Strata (the baseline);
 *   Strata on DuckDB  SqlSession over DuckDbEngine on the home's runtime;
 *   Strata on Spark   SqlSession over SparkEngine, Spark local[2] reading through the REST catalog;
 *   Spark SQL direct  the same text sent to the same Spark session without Strata (a reference:
 *                     what Strata's front end adds on Spark).
 *
 * Per query: one warm-up run on every leg, whose answers are checked against bare DuckDB's (and,
 * at scale factor 1, the row count against the specification's answer set), then `runs` timed
 * rounds in which the legs alternate; the report gives medians. A leg whose answer differs, or
 * that fails, is reported with the reason and left out of that query's timings: comparing wrong
 * answers would be worthless.
 *
 * Data: tpchgen-cli Parquet (tpch-data.ts, cached between runs), loaded with CREATE TABLE … AS
 * into a fresh Strata home under `dir` (tpch-load.ts).
 */
import { join } from 'node:path';
import { openStrataHome } from '../../src/catalog/index.ts';
import { DuckDbEngine } from '../../src/engine/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { summarize, type Summary } from '../stats.ts';
import { compareResults } from './compare-results.ts';
import { bareDuckDbLeg, strataLeg, type QueryLeg } from './legs.ts';
import { tpchQueries } from './queries.ts';
import { SPARK_CORES, sparkLegMissing, startSparkLeg, type SparkFixedCosts, type SparkLeg } from './spark-leg.ts';
import { tpchData, tpchgenVersion } from './tpch-data.ts';
import { loadTpch } from './tpch-load.ts';

export interface TpchOptions {
  readonly scaleFactor: number;
  /** Timed runs per query and leg (after one warm-up). */
  readonly runs: number;
  /** A scratch directory for the Strata home (deleted by the caller). */
  readonly dir: string;
  /** Query numbers to run; undefined = all 22. */
  readonly only?: readonly number[] | undefined;
  /** Run the Spark leg (false: reported as not run). */
  readonly spark: boolean;
  /** Spark driver heap (`--driver-memory`), e.g. `4g`. */
  readonly sparkMemory: string;
  readonly log: (message: string) => void;
}

export type LegKey = 'bare' | 'duckdb' | 'spark' | 'sparkDirect';

export const LEG_NAMES: Readonly<Record<LegKey, string>> = {
  bare: 'bare DuckDB',
  duckdb: 'Strata on DuckDB',
  spark: 'Strata on Spark',
  sparkDirect: 'Spark SQL direct',
};

export interface TpchQueryTiming {
  readonly id: number;
  readonly name: string;
  /** Rows in bare DuckDB's answer. */
  readonly rows: number;
  readonly sf1Rows: number;
  /** Timings of the legs whose answer matched; absent legs are in `problems`. */
  readonly timings: Partial<Record<LegKey, Summary>>;
  /** The warm-up run's time per leg (Spark's first query is its first-query latency). */
  readonly warmup: Partial<Record<LegKey, number>>;
  readonly problems: readonly { readonly leg: LegKey | 'spec'; readonly problem: string }[];
}

export interface TableSummary {
  readonly name: string;
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
}

export type SparkOutcome =
  | { readonly ran: true; readonly fixed: SparkFixedCosts; readonly cores: number; readonly memory: string; readonly version: string }
  | { readonly ran: false; readonly reason: string };

export type TpchResult =
  | { readonly ran: false; readonly scaleFactor: number; readonly reason: string }
  | {
      readonly ran: true;
      readonly scaleFactor: number;
      readonly runs: number;
      readonly generator: string;
      /** undefined when the data came from the cache. */
      readonly generatedMs: number | undefined;
      readonly loadMs: number;
      readonly tables: readonly TableSummary[];
      readonly spark: SparkOutcome;
      readonly queries: readonly TpchQueryTiming[];
    };

/** Longest any one query may run on a Strata leg before it counts as failed. */
const QUERY_TIMEOUT_MS = 15 * 60_000;

export async function tpchBench(options: TpchOptions): Promise<TpchResult> {
  const { scaleFactor, log } = options;
  const generator = await tpchgenVersion();
  if ('missing' in generator) return { ran: false, scaleFactor, reason: generator.missing };

  log(`TPC-H SF ${scaleFactor}: data (tpchgen-cli, cached in bench/out/tpch)`);
  const data = await tpchData(scaleFactor);
  const homeDir = join(options.dir, 'tpch-home');
  const home = await openStrataHome(homeDir);
  const legs = new Map<LegKey, QueryLeg>();
  let spark: SparkLeg | undefined;
  let duckdbEngine: DuckDbEngine | undefined;
  try {
    log(`TPC-H SF ${scaleFactor}: loading 8 tables into Strata (CREATE TABLE … AS)`);
    const load = await loadTpch(home, data);
    legs.set('bare', await bareDuckDbLeg(load.tables));
    duckdbEngine = DuckDbEngine.create(home.runtime);
    legs.set('duckdb', strataLeg(LEG_NAMES.duckdb, await SqlSession.open({ catalog: home.catalog, engine: duckdbEngine }), QUERY_TIMEOUT_MS));

    let sparkOutcome: SparkOutcome;
    const missing = options.spark ? sparkLegMissing() : 'BENCH_TPCH_SPARK=0';
    if (missing !== undefined) {
      sparkOutcome = { ran: false, reason: missing };
    } else {
      log(`TPC-H SF ${scaleFactor}: starting a Strata server and Spark local[${SPARK_CORES}] (${options.sparkMemory} heap)`);
      try {
        spark = await startSparkLeg(homeDir, home.catalog, options.sparkMemory, QUERY_TIMEOUT_MS);
        legs.set('spark', spark.leg);
        legs.set('sparkDirect', spark.direct);
        sparkOutcome = { ran: true, fixed: spark.fixed, cores: SPARK_CORES, memory: spark.memory, version: spark.version };
      } catch (error) {
        sparkOutcome = { ran: false, reason: error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error) };
      }
    }
    if (!sparkOutcome.ran) log(`TPC-H: Strata on Spark not run: ${sparkOutcome.reason}`);

    const queries: TpchQueryTiming[] = [];
    for (const query of tpchQueries(scaleFactor).filter((q) => options.only?.includes(q.id) ?? true)) {
      log(`TPC-H SF ${scaleFactor}: Q${query.id} ${query.name}`);
      queries.push(await timeQuery(query.id, query.name, query.sql, query.sf1Rows, legs, options));
    }
    return {
      ran: true,
      scaleFactor,
      runs: options.runs,
      generator: data.generator,
      generatedMs: data.generatedMs,
      loadMs: load.ms,
      tables: load.tables.map((t) => ({ name: t.name, rows: t.rows, bytes: t.bytes, files: t.files.length })),
      spark: sparkOutcome,
      queries,
    };
  } finally {
    await spark?.close();
    for (const [key, leg] of legs) if (key === 'bare' || key === 'duckdb') await leg.close();
    await duckdbEngine?.close();
    await home.close();
  }
}

async function timeQuery(
  id: number,
  name: string,
  sql: string,
  sf1Rows: number,
  legs: ReadonlyMap<LegKey, QueryLeg>,
  options: TpchOptions,
): Promise<TpchQueryTiming> {
  const problems: { leg: LegKey | 'spec'; problem: string }[] = [];
  const warmup: Partial<Record<LegKey, number>> = {};
  const answers = new Map<LegKey, unknown[][]>();
  for (const [key, leg] of legs) {
    const started = performance.now();
    try {
      answers.set(key, await leg.run(sql));
      warmup[key] = performance.now() - started;
    } catch (error) {
      problems.push({ leg: key, problem: `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` });
    }
  }
  const expected = answers.get('bare');
  if (!expected) throw new Error(`bench: TPC-H Q${id} failed on bare DuckDB: ${problems.find((p) => p.leg === 'bare')?.problem ?? '?'}`);
  if (options.scaleFactor === 1 && expected.length !== sf1Rows) {
    problems.push({ leg: 'spec', problem: `bare DuckDB returned ${expected.length} rows; the specification's SF 1 answer has ${sf1Rows}` });
  }
  const agreeing = new Map<LegKey, QueryLeg>();
  for (const [key, leg] of legs) {
    const answer = answers.get(key);
    if (!answer) continue;
    const difference = key === 'bare' ? undefined : compareResults(expected, answer);
    if (difference === undefined) agreeing.set(key, leg);
    else problems.push({ leg: key, problem: `answer differs from bare DuckDB: ${difference}` });
  }
  for (const p of problems) options.log(`TPC-H Q${id}: ${p.leg === 'spec' ? 'spec check' : LEG_NAMES[p.leg]}: ${p.problem}`);

  const samples = new Map<LegKey, number[]>([...agreeing.keys()].map((k) => [k, []]));
  for (let run = 0; run < options.runs; run++) {
    for (const [key, leg] of agreeing) {
      const started = performance.now();
      const rows = await leg.run(sql);
      samples.get(key)?.push(performance.now() - started);
      if (rows.length !== expected.length) throw new Error(`bench: TPC-H Q${id} on ${leg.name} returned ${rows.length} rows in a timed run, ${expected.length} in its warm-up`);
    }
  }
  const timings: Partial<Record<LegKey, Summary>> = {};
  for (const [key, values] of samples) timings[key] = summarize(values);
  return { id, name, rows: expected.length, sf1Rows, timings, warmup, problems };
}
