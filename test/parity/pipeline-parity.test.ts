/**
 * The pipeline suite, written once and run with every SQL step on each engine: the same pipeline
 * (overwrite-partitions, append, merge, a write-audit-publish gate that quarantines, a standalone
 * quality step), the same dates, a rerun — and the same tables at the end. On Spark the steps'
 * commits are Spark's, through the REST catalog, carrying the exactly-once markers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { MARKER, PipelineService, definePipeline, type SparkCompute } from '../../src/pipeline/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { DuckDbEngine } from '../../src/engine/index.ts';
import { ENGINES, shutdownEngines, type EngineUnderTest } from '../../src/sql/testing/engines-under-test.ts';

after(() => shutdownEngines());

function ordersPipeline(engine: 'duckdb' | 'spark') {
  return definePipeline({
    name: 'orders_daily',
    engine,
    retries: { maxAttempts: 1 },
    steps: [
      {
        id: 'daily',
        kind: 'sql',
        inputs: ['raw.orders'],
        output: 'curated.daily_orders',
        mode: 'overwrite-partitions',
        partitionBy: ['day'],
        sql: `SELECT id, region, amount, CAST(ts AS DATE) AS day FROM raw.orders WHERE CAST(ts AS DATE) = DATE '{{ ds }}'`,
        audit: { action: 'quarantine', where: "day = DATE '{{ ds }}'", rules: 'Rules = [ IsComplete "id", ColumnValues "amount" >= 0 ]' },
      },
      {
        id: 'totals',
        kind: 'sql',
        dependsOn: ['daily'],
        inputs: ['curated.daily_orders'],
        output: 'curated.region_totals',
        mode: 'merge',
        mergeKeys: ['region', 'day'],
        sql: `SELECT region, day, count(*) AS orders, sum(amount) AS amount FROM curated.daily_orders WHERE day = DATE '{{ ds }}' GROUP BY region, day`,
      },
      {
        id: 'log',
        kind: 'sql',
        dependsOn: ['totals'],
        inputs: ['curated.region_totals'],
        output: 'curated.run_log',
        mode: 'append',
        sql: `SELECT DATE '{{ ds }}' AS day, count(*) AS regions FROM curated.region_totals WHERE day = DATE '{{ ds }}'`,
      },
      { id: 'check', kind: 'quality', dependsOn: ['totals'], table: 'curated.region_totals', rules: 'Rules = [ RowCount > 0, IsComplete "region" ]', action: 'fail' },
    ],
  });
}

async function tableRows(home: StrataHome, sql: string): Promise<unknown[][]> {
  const engine = DuckDbEngine.create(home.runtime, { poolSize: 1 });
  const session = await SqlSession.open({ catalog: home.catalog, engine });
  try {
    const result = await session.execute(sql);
    const out: unknown[][] = [];
    if (result.kind === 'rows') for await (const batch of result.rows) out.push(...batch);
    return out;
  } finally {
    await session.close();
    await engine.close();
  }
}

const results = new Map<string, { daily: unknown[][]; totals: unknown[][]; log: unknown[][]; quarantined: unknown[][] }>();

function computeFor(candidate: EngineUnderTest, home: StrataHome): SparkCompute | undefined {
  if (candidate.name !== 'spark') return undefined;
  return {
    acquire: async () => {
      const opened = await candidate.open(home);
      return { engine: opened.engine, release: () => opened.close() };
    },
  };
}

for (const candidate of ENGINES) {
  describe(`pipelines on ${candidate.name}`, { skip: candidate.skip, timeout: 900_000 }, () => {
    let dir: string;
    let home: StrataHome;
    let service: PipelineService;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `strata-pipeline-parity-${candidate.name}-`));
      home = await openStrataHome(dir, { threads: 1 });
      const engine = DuckDbEngine.create(home.runtime, { poolSize: 1 });
      const session = await SqlSession.open({ catalog: home.catalog, engine });
      await session.execute('CREATE DATABASE raw');
      await session.execute('CREATE TABLE raw.orders (id BIGINT, region VARCHAR, amount DECIMAL(10,2), ts TIMESTAMPTZ)');
      await session.execute(`INSERT INTO raw.orders VALUES
        (1, 'eu', 10.00, TIMESTAMPTZ '2024-03-01 08:00:00+00'), (2, 'us', 20.00, TIMESTAMPTZ '2024-03-01 09:00:00+00'),
        (3, 'eu', -5.00, TIMESTAMPTZ '2024-03-01 10:00:00+00'), (4, 'eu', 7.50, TIMESTAMPTZ '2024-03-02 08:00:00+00'),
        (NULL, 'us', 1.00, TIMESTAMPTZ '2024-03-02 09:00:00+00'), (6, 'us', 3.25, TIMESTAMPTZ '2024-03-02 10:00:00+00')`);
      await session.close();
      await engine.close();
      const spark = computeFor(candidate, home);
      service = await PipelineService.open({ home, ...(spark ? { spark } : {}) });
      await service.register(ordersPipeline(candidate.name));
    }, { timeout: 300_000 });

    after(async () => {
      await service?.close();
      await home?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('two days and a rerun of the first: every step succeeds and the rerun converges', async () => {
      for (const ds of ['2024-03-01', '2024-03-02', '2024-03-01']) {
        const run = await service.trigger('orders_daily', { logicalDate: ds });
        const [finished] = await service.runQueued({ runId: run.runId });
        assert.equal(finished?.state, 'succeeded', `${ds}: ${JSON.stringify(await service.store.steps(run.runId))}`);
      }
      const daily = await tableRows(home, 'SELECT id, region, amount, day FROM curated.daily_orders ORDER BY id');
      assert.deepEqual(daily, [
        [1n, 'eu', '10.00', '2024-03-01'],
        [2n, 'us', '20.00', '2024-03-01'],
        [4n, 'eu', '7.50', '2024-03-02'],
        [6n, 'us', '3.25', '2024-03-02'],
      ]);
      const quarantined = await tableRows(home, 'SELECT id, amount FROM curated.daily_orders__dq_quarantine ORDER BY id NULLS LAST');
      assert.deepEqual(quarantined.map((r) => r[0]), [3n, 3n, null], 'the negative amount (twice: the first day ran twice) and the NULL id were quarantined');
      const totals = await tableRows(home, 'SELECT region, day, orders, amount FROM curated.region_totals ORDER BY day, region');
      assert.deepEqual(totals, [
        ['eu', '2024-03-01', 1n, '10.00'],
        ['us', '2024-03-01', 1n, '20.00'],
        ['eu', '2024-03-02', 1n, '7.50'],
        ['us', '2024-03-02', 1n, '3.25'],
      ]);
      const log = await tableRows(home, 'SELECT day, regions FROM curated.run_log ORDER BY day');
      assert.deepEqual(log, [
        ['2024-03-01', 2n],
        ['2024-03-01', 2n],
        ['2024-03-02', 2n],
      ]);
      results.set(candidate.name, { daily, totals, log, quarantined });
    });

    test('every step commit carries its run and step in the snapshot summary (the exactly-once markers)', async () => {
      const table = await home.catalog.loadTable('curated.run_log');
      const marked = table.metadata().snapshots.filter((s) => s.summary[MARKER.stepId] === 'log');
      assert.equal(marked.length, 3);
      assert.equal(new Set(marked.map((s) => s.summary[MARKER.runId])).size, 3);
    });

    test('both engines produced the same tables', { skip: candidate.name !== 'spark' }, () => {
      const duckdb = results.get('duckdb');
      const spark = results.get('spark');
      if (!duckdb || !spark) assert.fail('both engines must have run');
      assert.deepEqual(spark, duckdb);
    });
  });
}
