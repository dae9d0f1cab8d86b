/**
 * TPC-H data from the real generator: `tpchgen-cli` (pip package tpchgen-cli, see
 * requirements-bench.txt), a port of the specification's dbgen that writes Parquet directly.
 * Generated once per scale factor into a cache directory (default bench/out/tpch/sf<SF>, which git
 * ignores; `BENCH_TPCH_DATA` moves it) and reused by later runs.
 *
 * Gotcha: the generator writes into `<dir>.partial` and the directory is renamed into place only
 * when it finished, so an interrupted run never leaves a half-written cache that a later run
 * would trust.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TPCH_TABLES, type TpchTable } from './queries.ts';

const run = promisify(execFile);

/** The generator command: `BENCH_TPCHGEN` or `tpchgen-cli` on PATH. */
const TPCHGEN = process.env['BENCH_TPCHGEN'] ?? 'tpchgen-cli';

export const DEFAULT_TPCH_DATA_ROOT = fileURLToPath(new URL('../out/tpch', import.meta.url));

export interface TpchData {
  readonly scaleFactor: number;
  readonly dir: string;
  /** The generator's `--version` line. */
  readonly generator: string;
  /** How long generating took, or undefined when the cache already held it. */
  readonly generatedMs: number | undefined;
  /** Each table's Parquet file. */
  readonly files: Readonly<Record<TpchTable, string>>;
}

/** The generator's version line, or why it cannot run (to report "not run: …"). */
export async function tpchgenVersion(): Promise<{ version: string } | { missing: string }> {
  try {
    const { stdout } = await run(TPCHGEN, ['--version']);
    return { version: stdout.trim() };
  } catch {
    return { missing: `${TPCHGEN} is not installed (pip install -r requirements-bench.txt)` };
  }
}

/** Generates (or finds in the cache) all eight tables at `scaleFactor` as Parquet. */
export async function tpchData(scaleFactor: number, root = process.env['BENCH_TPCH_DATA'] ?? DEFAULT_TPCH_DATA_ROOT): Promise<TpchData> {
  const found = await tpchgenVersion();
  if ('missing' in found) throw new Error(found.missing);
  const dir = join(root, `sf${scaleFactor}`);
  const files = Object.fromEntries(TPCH_TABLES.map((t) => [t, join(dir, `${t}.parquet`)])) as Record<TpchTable, string>;
  if (Object.values(files).every((f) => existsSync(f))) return { scaleFactor, dir, generator: found.version, generatedMs: undefined, files };

  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const started = performance.now();
  await run(TPCHGEN, ['parquet', '--scale-factor', String(scaleFactor), '--output-dir', partial, '--quiet'], { maxBuffer: 16 * 1024 * 1024 });
  const generatedMs = performance.now() - started;
  for (const table of TPCH_TABLES) {
    if (!existsSync(join(partial, `${table}.parquet`))) throw new Error(`bench: ${TPCHGEN} did not write ${table}.parquet in ${partial}`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return { scaleFactor, dir, generator: found.version, generatedMs, files };
}
