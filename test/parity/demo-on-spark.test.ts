/**
 * `strata demo --engine spark`: the real CLI runs the main job with every SQL and quality step on
 * a transient local Spark cluster (started by the demo, pointed at a catalog it serves in-process,
 * stopped at the end) and must produce exactly the curated and processed tables the embedded
 * engine produces from the same generated data. Then `strata sql --engine spark` against an
 * existing cluster (`compute.spark.url`) reads them, governed like the embedded engine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { runCli } from '../../src/cli/cli-test-kit.ts';
import { runAdTechDemo } from '../../src/demo/adtech-pipeline.ts';
import { sparkConnectSkipReason } from '../../src/engine/spark/index.ts';

/** Small: ~3,000 events over the demo's 7 days, still every step (quarantine, gate, backfill). */
const SCALE = '0.1';
const COMPARED = ['processed.impressions', 'processed.impressions__dq_quarantine', 'processed.clicks', 'curated.daily_campaign_stats'];

/** Columns that differ between any two runs by design (a fresh id and the wall-clock time of the quarantine). */
const PER_RUN = new Set(['_dq_evaluation_id', '_dq_quarantined_at']);

async function contents(home: StrataHome, table: string): Promise<string[]> {
  const rows = await (await home.catalog.loadTable(table)).read();
  return rows.map((r) => JSON.stringify(r, (k, v: unknown) => (PER_RUN.has(k) ? undefined : typeof v === 'bigint' ? String(v) : v))).sort();
}

describe('strata demo --engine spark', { skip: sparkConnectSkipReason(), timeout: 1_800_000 }, () => {
  let root: string;
  let spark: StrataHome;
  let duckdb: StrataHome;
  let stdout = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-spark-demo-'));
    const cli = await runCli(['--home', join(root, 'spark'), 'demo', '--scale', SCALE, '--engine', 'spark'], { env: { STRATA_COMPUTE_SPARK_MEMORY: '1g' } });
    stdout = cli.stdout;
    assert.equal(cli.code, 0, `${cli.stdout}\n${cli.stderr}`);
    await runAdTechDemo({ home: join(root, 'duckdb'), scale: Number(SCALE), log: () => undefined });
    spark = await openStrataHome(join(root, 'spark'), { threads: 1 });
    duckdb = await openStrataHome(join(root, 'duckdb'), { threads: 1 });
  }, { timeout: 1_800_000 });

  after(async () => {
    await spark?.close();
    await duckdb?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('every run succeeded, on Spark', () => {
    assert.match(stdout, /SQL on spark/);
    assert.doesNotMatch(stdout, /\bfailed\b/);
    assert.equal((stdout.match(/succeeded/g) ?? []).length, 7, stdout);
  });

  test('the processed and curated tables hold exactly what the embedded engine produced', async () => {
    for (const table of COMPARED) {
      const [onSpark, onDuckDb] = [await contents(spark, table), await contents(duckdb, table)];
      assert.ok(onDuckDb.length > 0, `${table} has rows`);
      assert.deepEqual(onSpark, onDuckDb, table);
    }
  });

  test("Spark made the SQL steps' commits (through the REST catalog, with the step markers)", async () => {
    const table = await spark.catalog.loadTable('curated.daily_campaign_stats');
    const commits = table.metadata().snapshots.filter((s) => s.summary['strata.step-id'] === 'curate_daily');
    assert.equal(commits.length, 7);
    assert.ok(commits.every((s) => s.summary['spark.app.id'] !== undefined || s.summary['engine-name'] === 'spark'), 'the snapshots were written by Spark');
  });
});
