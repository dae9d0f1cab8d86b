/**
 * `compute: transient`: a pipeline run that needs Spark gets a cluster started for it (with the
 * configured cores and memory, a catalog served in-process for the run and a fresh
 * `strata-compute` token) and, whatever the run's outcome, the cluster is stopped, the catalog
 * endpoint closed and the token revoked.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { loadConfig } from '../../config/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { processAlive } from '../../engine/spark/compute/process-control.ts';
import { sparkConnectSkipReason } from '../../engine/spark/index.ts';
import { openGovernance } from '../../governance/index.ts';
import { PipelineService, definePipeline, type SparkCompute } from '../../pipeline/index.ts';
import { SqlSession } from '../../sql/index.ts';
import { COMPUTE_PRINCIPAL } from './compute-catalog-token.ts';
import { sparkCompute } from './spark-compute.ts';

describe('transient Spark clusters for pipeline runs', { skip: sparkConnectSkipReason(), timeout: 900_000 }, () => {
  let dir: string;
  let home: StrataHome;
  let service: PipelineService;
  /** Each run's cluster process; checked to be gone once the run ended. */
  const clusters: { pid: number | undefined; mode: string }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-transient-'));
    home = await openStrataHome(dir, { threads: 1 });
    const engine = DuckDbEngine.create(home.runtime, { poolSize: 1 });
    const session = await SqlSession.open({ catalog: home.catalog, engine });
    await session.execute('CREATE DATABASE raw');
    await session.execute("CREATE TABLE raw.events AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, kind)");
    await session.close();
    await engine.close();
    const config = { ...loadConfig(dir).values, 'compute.spark.cores': 1, 'compute.spark.memory': '768m' };
    const compute = sparkCompute({ strata: home, config });
    const recording: SparkCompute = {
      acquire: async (mode) => {
        const leased = await compute.acquire(mode);
        clusters.push({ pid: leased.pid, mode });
        return leased;
      },
    };
    service = await PipelineService.open({ home, spark: recording });
    const pipeline = (name: string, sql: string) =>
      definePipeline({
        name,
        engine: 'spark',
        compute: 'transient',
        retries: { maxAttempts: 1 },
        steps: [{ id: 'copy', kind: 'sql', inputs: ['raw.events'], output: `out.${name}`, mode: 'append', sql }],
      });
    await service.register(pipeline('works', 'SELECT id, kind FROM raw.events'));
    await service.register(pipeline('breaks', 'SELECT id, knd FROM raw.events'));
  }, { timeout: 300_000 });

  after(async () => {
    await service?.close();
    await home?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function activeComputeTokens(): Promise<number> {
    const governance = await openGovernance(home.catalog);
    try {
      return (await governance.identity.listTokens(COMPUTE_PRINCIPAL)).filter((t) => t.revokedAt === undefined).length;
    } finally {
      await governance.close();
    }
  }

  test('a run that succeeds ran on its own cluster, which is gone afterwards with its token', async () => {
    const run = await service.trigger('works', { logicalDate: '2024-03-01' });
    const [finished] = await service.runQueued({ runId: run.runId });
    assert.equal(finished?.state, 'succeeded', JSON.stringify(await service.store.steps(run.runId)));
    const table = await home.catalog.loadTable('out.works');
    assert.equal((await table.scan().toRows()).length, 2);
    assert.equal(clusters.length, 1);
    assert.equal(clusters[0]?.mode, 'transient');
    assert.ok(clusters[0]?.pid !== undefined, 'a cluster was started for the run');
    assert.equal(processAlive(clusters[0].pid), false, 'the cluster was stopped');
    assert.equal(await activeComputeTokens(), 0, 'the run’s catalog token was revoked');
  });

  test('a run that fails stops its cluster all the same', async () => {
    const run = await service.trigger('breaks', { logicalDate: '2024-03-01' });
    const [finished] = await service.runQueued({ runId: run.runId });
    assert.equal(finished?.state, 'failed');
    const [step] = await service.store.steps(run.runId);
    assert.equal(step?.error?.code, 'SQL_ERROR');
    assert.equal(clusters.length, 2);
    assert.ok(clusters[1]?.pid !== undefined && clusters[1].pid !== clusters[0]?.pid, 'a new cluster was started for the run');
    assert.equal(processAlive(clusters[1].pid), false, 'the cluster was stopped');
    assert.equal(await activeComputeTokens(), 0);
  });
});
