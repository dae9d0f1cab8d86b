/**
 * The TPC-H bench alone: `npx tsx bench/tpch/run-tpch.ts` runs it with the tpch-config.ts knobs
 * (e.g. `BENCH_TPCH_SF=0.1`) and prints its BENCHMARKS.md section; it does not touch
 * BENCHMARKS.md (`npm run bench` writes that, with every section).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { now } from '../stats.ts';
import { tpchHeadline, tpchSection } from './report-tpch.ts';
import { tpchBench } from './tpch-bench.ts';
import { tpchConfig } from './tpch-config.ts';

async function main(): Promise<void> {
  const started = now();
  const config = tpchConfig(process.env['BENCH_QUICK'] === '1');
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-tpch-'));
  try {
    const result = await tpchBench({
      ...config,
      dir,
      log: (message) => console.error(`[tpch ${((now() - started) / 1000).toFixed(1)}s] ${message}`),
    });
    console.log([...tpchHeadline(result), '', ...tpchSection(result)].join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
