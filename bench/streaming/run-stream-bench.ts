/** Section (j) alone: `tsx bench/streaming/run-stream-bench.ts` prints its markdown (for trying it out; `npm run bench` runs it with the rest). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome } from '../../src/catalog/index.ts';
import { streamSection } from './report-stream.ts';
import { streamBench } from './stream-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-stream-bench-'));
const home = await openStrataHome(dir);
try {
  const result = await streamBench({
    home,
    homeDir: dir,
    events: Number(process.env['BENCH_STREAM_EVENTS'] ?? 200_000),
    rates: (process.env['BENCH_STREAM_RATES'] ?? '1000,5000').split(',').map(Number),
    seconds: Number(process.env['BENCH_STREAM_SECONDS'] ?? 15),
    spark: process.env['BENCH_STREAM_SPARK'] !== '0',
    log: (line) => console.error(line),
  });
  console.log(streamSection(result).join('\n'));
} finally {
  await home.close();
  rmSync(dir, { recursive: true, force: true });
}
