/**
 * `npm run bench`: runs every benchmark once, in one process, on one fresh temporary Strata home,
 * and overwrites BENCHMARKS.md at the repository root with the results.
 *
 *   (a) commit-latency.ts        one writer, one tiny file per commit, catalog vs catalog-free
 *   (b) concurrent-commits.ts    1/2/4/8 writers in one process, catalog vs catalog-free
 *       concurrent-processes.ts  1/2/4/8 writer processes through the shared SQLite catalog
 *   (c) scan-planning.ts         planning over 10,000 data files, full vs selective, vs PyIceberg
 *   (d) ingest-throughput.ts     ingest() of NDJSON and CSV vs DuckDB read_json/read_csv → Parquet
 *   (e) query-overhead.ts        TPC-H-shaped queries through SqlSession vs DuckDB on the same files
 *   (f) governance-overhead.ts   the same queries ungoverned / as admin / as a masked, filtered principal
 *   (g) server-throughput.ts     strata serve: cached and uncached query round trips, REST table loads
 *   (h) pipeline-quality.ts      DQDL ruleset compiled vs one query per rule vs DuckDB; pipeline-run overhead
 *   (i) tpch/tpch-bench.ts       TPC-H SF 1, 22 queries: Strata on DuckDB and on Spark vs bare DuckDB
 *   (j) streaming/stream-bench.ts Strata's stream vs Spark Structured Streaming on one Kafka topic:
 *                                 throughput over a backlog, end-to-end latency at live rates (~4 min)
 *
 * `BENCH_QUICK=1` shrinks every size for a smoke run (its report says so; do not commit it).
 * Sections (a)–(h) take about 3 minutes on a 2-core machine; (i) needs `pip install -r
 * requirements-bench.txt` (tpchgen-cli; pyspark + Java 17 + the Iceberg jar for its Spark leg, as
 * for the tests), is reported as not run without them, and takes about 6–7 minutes at SF 1 (data generation cached in bench/out)
 * (knobs in bench/tpch/tpch-config.ts, e.g. BENCH_TPCH_SF=0.1, BENCH_TPCH=0).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStrataHome } from '../src/catalog/index.ts';
import { commitLatency } from './commit-latency.ts';
import { concurrentCommits, type ConcurrencyResult } from './concurrent-commits.ts';
import { concurrentProcesses } from './concurrent-processes.ts';
import { ingestThroughput } from './ingest-throughput.ts';
import { governanceOverhead } from './governance-overhead.ts';
import { currentLoad, machineInfo } from './machine.ts';
import { queryOverhead } from './query-overhead.ts';
import { renderReport } from './report.ts';
import { scanPlanning } from './scan-planning.ts';
import { serverThroughput } from './server-throughput.ts';
import { pipelineQuality } from './pipeline-quality.ts';
import { now } from './stats.ts';
import { tpchBench, type TpchResult } from './tpch/tpch-bench.ts';
import { tpchConfig } from './tpch/tpch-config.ts';
import { streamBench, type StreamBenchResult } from './streaming/stream-bench.ts';
import { sparkLegMissing } from './tpch/spark-leg.ts';

const QUICK = process.env['BENCH_QUICK'] === '1';
const CONFIG = QUICK
  ? { latencyCommits: 10, writers: [1, 2], commitsPerWriter: 5, processWriters: [2], files: 500, appends: 5, planRuns: 2 }
  : { latencyCommits: 50, writers: [1, 2, 4, 8], commitsPerWriter: 20, processWriters: [1, 2, 4, 8], files: 10_000, appends: 10, planRuns: 5 };
const CONFIG_ISSUE3 = QUICK
  ? { ingestScale: 0.5, ingestRuns: 1, lineitemRows: 200_000, queryRuns: 2, compileRepetitions: 20, serverLevels: [1, 4], serverRequests: 20, loadSeconds: 1, qualityRuns: 2, pipelineRuns: 3 }
  : { ingestScale: 10, ingestRuns: 3, lineitemRows: 5_000_000, queryRuns: 7, compileRepetitions: 200, serverLevels: [1, 4, 16], serverRequests: 200, loadSeconds: 3, qualityRuns: 3, pipelineRuns: 5 };
const CONFIG_TPCH = tpchConfig(QUICK);
const OUTPUT = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

async function main(): Promise<void> {
  const started = now();
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const home = await openStrataHome(dir);
  const log = (message: string) => console.log(`[bench ${((now() - started) / 1000).toFixed(1)}s] ${message}`);
  try {
    const machine = await machineInfo(home.runtime);

    const latency = [];
    for (const backend of ['catalog', 'catalog-free'] as const) {
      log(`commit latency, ${backend}`);
      latency.push(await commitLatency(home, backend, CONFIG.latencyCommits));
    }

    const concurrency: ConcurrencyResult[] = [];
    for (const backend of ['catalog', 'catalog-free'] as const) {
      for (const writers of CONFIG.writers) {
        log(`concurrent commits, ${backend}, ${writers} writer(s) in-process`);
        concurrency.push(await concurrentCommits(home, backend, writers, CONFIG.commitsPerWriter));
      }
    }
    for (const writers of CONFIG.processWriters) {
      log(`concurrent commits, catalog, ${writers} writer process(es)`);
      concurrency.push(await concurrentProcesses(home, writers, CONFIG.commitsPerWriter));
    }

    log(`scan planning: building ${CONFIG.files} data files`);
    const scan = await scanPlanning(home, CONFIG.files, CONFIG.appends, CONFIG.planRuns);

    log(`ingest throughput: ~${Math.round(CONFIG_ISSUE3.ingestScale * 28_300).toLocaleString('en-US')} rows as NDJSON and CSV, ${CONFIG_ISSUE3.ingestRuns} run(s) each`);
    const ingest = await ingestThroughput(mkdtempSync(join(dir, 'ingest-')), CONFIG_ISSUE3.ingestScale, CONFIG_ISSUE3.ingestRuns);

    log(`query overhead: building ${CONFIG_ISSUE3.lineitemRows.toLocaleString('en-US')} lineitem rows`);
    const queries = await queryOverhead(home, CONFIG_ISSUE3.lineitemRows, CONFIG_ISSUE3.queryRuns);

    log('governance overhead: the same queries ungoverned, as admin, as a masked and filtered principal');
    const governance = await governanceOverhead(home, CONFIG_ISSUE3.queryRuns, CONFIG_ISSUE3.compileRepetitions);

    log('server throughput: cached and uncached query round trips, Iceberg REST table loads');
    const server = await serverThroughput(dir, CONFIG_ISSUE3.serverLevels, CONFIG_ISSUE3.serverRequests, CONFIG_ISSUE3.loadSeconds);

    log('pipelines and data quality: a DQDL ruleset three ways, a partition overwrite direct / as a pipeline run / audited');
    const pipelines = await pipelineQuality(home, CONFIG_ISSUE3.qualityRuns, CONFIG_ISSUE3.pipelineRuns);

    // A failure here (generator, load, a wrong bare-DuckDB answer) is reported in the section
    // rather than losing every other section's numbers.
    const tpch: TpchResult = CONFIG_TPCH.enabled
      ? await tpchBench({ ...CONFIG_TPCH, dir, log }).catch((error: unknown) => ({
          ran: false as const,
          scaleFactor: CONFIG_TPCH.scaleFactor,
          reason: `failed: ${error instanceof Error ? error.message : String(error)}`,
        }))
      : { ran: false, scaleFactor: CONFIG_TPCH.scaleFactor, reason: 'BENCH_TPCH=0' };

    const streamConfig = QUICK ? { events: 50_000, rates: [1_000], seconds: 8 } : { events: 500_000, rates: [1_000, 5_000, 20_000], seconds: 15 };
    const streams: StreamBenchResult =
      process.env['BENCH_STREAM'] === '0'
        ? { ran: false, reason: 'BENCH_STREAM=0' }
        : await (async () => {
            log(`streams: Strata vs Spark Structured Streaming, ${streamConfig.events.toLocaleString('en-US')} events, rates ${streamConfig.rates.join('/')} per s`);
            const missing = sparkLegMissing();
            return streamBench({ home, homeDir: dir, ...streamConfig, spark: missing === undefined, log }).catch((error: unknown) => ({
              ran: false as const,
              reason: `failed: ${error instanceof Error ? error.message : String(error)}`,
            }));
          })();

    const report = renderReport({
      date: new Date(),
      totalMs: now() - started,
      machine,
      loadAtEnd: currentLoad(),
      latency,
      commitsPerWriter: CONFIG.commitsPerWriter,
      concurrency,
      scan,
      ingest,
      queries,
      governance,
      server,
      pipelines,
      tpch,
      streams,
    });
    writeFileSync(OUTPUT, QUICK ? `> **BENCH_QUICK smoke run: sizes shrunk, numbers not meaningful.**\n\n${report}` : report);
    log(`wrote ${OUTPUT}`);
  } finally {
    await home.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
