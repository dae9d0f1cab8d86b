/**
 * The TPC-H bench's knobs, from the environment (the same for `npm run bench` and run-tpch.ts):
 *
 *   BENCH_TPCH=0               skip the TPC-H section (reported as not run)
 *   BENCH_TPCH_SF=0.1          scale factor (default 1; 0.1 under BENCH_QUICK=1)
 *   BENCH_TPCH_RUNS=3          timed runs per query and leg after the warm-up (default 3; 1 quick)
 *   BENCH_TPCH_QUERIES=1,6     run only these queries (development; the report lists what ran)
 *   BENCH_TPCH_SPARK=0         skip the Strata-on-Spark leg
 *   BENCH_TPCH_SPARK_MEMORY=4g Spark's driver heap (local mode: the executors live in it too)
 *   BENCH_TPCH_DATA=<dir>      where generated data is cached (default bench/out/tpch)
 *   BENCH_TPCHGEN=<command>    the generator (default tpchgen-cli on PATH)
 */
export interface TpchConfig {
  readonly enabled: boolean;
  readonly scaleFactor: number;
  readonly runs: number;
  /** Query numbers to run; undefined = all 22. */
  readonly only: readonly number[] | undefined;
  readonly spark: boolean;
  readonly sparkMemory: string;
}

export function tpchConfig(quick: boolean, env: NodeJS.ProcessEnv = process.env): TpchConfig {
  const scaleFactor = Number(env['BENCH_TPCH_SF'] ?? (quick ? 0.1 : 1));
  const runs = Number(env['BENCH_TPCH_RUNS'] ?? (quick ? 1 : 3));
  if (!(scaleFactor > 0)) throw new Error(`BENCH_TPCH_SF must be a positive number, not ${env['BENCH_TPCH_SF']}`);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`BENCH_TPCH_RUNS must be a whole number >= 1, not ${env['BENCH_TPCH_RUNS']}`);
  const only = env['BENCH_TPCH_QUERIES']?.split(',').map((q) => Number(q.trim().replace(/^q/i, '')));
  if (only?.some((q) => !Number.isSafeInteger(q) || q < 1 || q > 22)) throw new Error(`BENCH_TPCH_QUERIES must list query numbers 1-22, not ${env['BENCH_TPCH_QUERIES']}`);
  return {
    enabled: env['BENCH_TPCH'] !== '0',
    scaleFactor,
    runs,
    only,
    spark: env['BENCH_TPCH_SPARK'] !== '0',
    sparkMemory: env['BENCH_TPCH_SPARK_MEMORY'] ?? '4g',
  };
}
