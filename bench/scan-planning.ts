/**
 * (c) Scan-planning time for a table of 10,000 real data files.
 *
 * The table is identity-partitioned on an int column `k` and built by APPENDS appends of
 * FILES / APPENDS rows each (`table.append({ sql })`: one DuckDB COPY … PARTITION_BY per append),
 * so every row is its own partition and its own Parquet file. Strata writes one manifest per
 * append, so the table has APPENDS manifests whose partition summaries cover disjoint `k` ranges —
 * what lets a selective predicate skip whole manifests unread. `v = k * 7` is not a partition
 * column: a predicate on it can only prune files by their column bounds, after reading every manifest.
 *
 * Each scan is planned RUNS times (after one warm-up) on the same loaded `Table`, so the timing is
 * manifest list + manifests read and decoded + pruning, not the metadata file load. The same scans
 * are then planned by PyIceberg (`StaticTable.from_metadata(uri).scan(row_filter).plan_files()`)
 * as a reference, when python3 with pyiceberg is available.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StrataHome } from '../src/catalog/index.ts';
import { Expressions, Types, field, type Expression, type ScanStats } from '../src/table/index.ts';
import { createTable } from './bench-tables.ts';
import { summarize, timed, type Summary } from './stats.ts';

export interface PlannedScan {
  readonly name: string;
  readonly predicate: string;
  readonly strata: Summary;
  readonly stats: ScanStats;
  /** PyIceberg's planning time and planned file count for the same scan, when available. */
  readonly pyiceberg?: { readonly ms: Summary; readonly files: number };
}

export interface ScanPlanningResult {
  readonly files: number;
  readonly appends: number;
  readonly runs: number;
  readonly buildMs: number;
  readonly scans: readonly PlannedScan[];
  readonly pyicebergVersion?: string;
  readonly pyicebergError?: string;
}

interface ScanCase {
  readonly name: string;
  readonly predicate: string;
  readonly filter?: Expression;
  /** The same predicate in PyIceberg's row-filter syntax. */
  readonly python: string;
}

const SCANS: readonly ScanCase[] = [
  { name: 'full scan', predicate: '(none)', python: 'True' },
  { name: 'point on partition column', predicate: 'k = 4242', filter: Expressions.equal('k', 4242), python: 'k == 4242' },
  {
    name: 'range on partition column',
    predicate: 'k >= 2000 AND k < 2500',
    filter: Expressions.and(Expressions.greaterThanOrEqual('k', 2000), Expressions.lessThan('k', 2500)),
    python: 'k >= 2000 and k < 2500',
  },
  { name: 'point on non-partition column', predicate: 'v = 29694', filter: Expressions.equal('v', 29694n), python: 'v == 29694' },
];

const PYTHON_SCRIPT = fileURLToPath(new URL('./pyiceberg-plan.py', import.meta.url));

export async function scanPlanning(home: StrataHome, files: number, appends: number, runs: number): Promise<ScanPlanningResult> {
  const handle = await createTable(home, 'catalog', 'wide', [field(1, 'k', Types.int, true), field(2, 'v', Types.long)], [
    { source: 'k', transform: 'identity' },
  ]);
  const { table } = await handle.open();
  const perAppend = Math.ceil(files / appends);
  const build = await timed(async () => {
    for (let a = 0; a < appends; a++) {
      const from = a * perAppend;
      const to = Math.min(files, from + perAppend);
      await table.append({ sql: `SELECT i::INT AS k, (i * 7)::BIGINT AS v FROM range(${from}, ${to}) r(i)` });
    }
  });

  const scans: PlannedScan[] = [];
  for (const scan of SCANS) {
    const options = scan.filter ? { filter: scan.filter } : {};
    let stats = (await table.scan(options).planFiles()).stats; // warm-up
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { value, ms } = await timed(() => table.scan(options).planFiles());
      times.push(ms);
      stats = value.stats;
    }
    scans.push({ name: scan.name, predicate: scan.predicate, strata: summarize(times), stats });
  }
  if (scans[0]?.stats.filesPlanned !== files) throw new Error(`bench: the full scan planned ${scans[0]?.stats.filesPlanned} files, expected ${files}`);

  const location = table.ops.currentLocation();
  const python = location === undefined ? { error: 'table has no metadata location' } : pyicebergPlans(location, runs);
  return {
    files,
    appends,
    runs,
    buildMs: build.ms,
    scans: scans.map((s) => {
      const reference = 'plans' in python ? python.plans[SCANS.find((c) => c.name === s.name)?.name ?? ''] : undefined;
      return reference ? { ...s, pyiceberg: { ms: summarize(reference.ms), files: reference.files } } : s;
    }),
    ...('plans' in python ? { pyicebergVersion: python.version } : { pyicebergError: python.error }),
  };
}

type PythonResult = { version: string; plans: Record<string, { ms: number[]; files: number }> } | { error: string };

function pyicebergPlans(metadataUri: string, runs: number): PythonResult {
  const args = [PYTHON_SCRIPT, metadataUri, String(runs), ...SCANS.map((s) => `${s.name}=${s.python}`)];
  const result = spawnSync('python3', args, { encoding: 'utf8', timeout: 180_000 });
  if (result.error) return { error: result.error.message };
  if (result.status !== 0) return { error: (result.stderr || `python3 exited with ${result.status}`).trim().split('\n').slice(-1)[0] ?? '' };
  try {
    return JSON.parse(result.stdout) as PythonResult;
  } catch {
    return { error: 'unreadable output from pyiceberg-plan.py' };
  }
}
