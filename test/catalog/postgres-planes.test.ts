/**
 * The other planes keep their tables in the catalog database through the catalog's connection;
 * this proves their migrations and the pipeline plane's run claiming work on Postgres too. A
 * cross-plane suite (it checks the Postgres dialect against every migration set riding on it).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { GOVERNANCE_MIGRATION_TABLE, migrateGovernance } from '../../src/governance/index.ts';
import { PIPELINE_MIGRATION_TABLE, RunPriority, RunStore, migratePipelines, type ClaimLimits, type NewRun } from '../../src/pipeline/index.ts';
import { SERVER_MIGRATION_TABLE, migrateServer } from '../../src/server/query/index.ts';
import { MIGRATION_TABLE } from '../../src/catalog/backend/migrations.ts';
import { PostgresCatalogBackend } from '../../src/catalog/backend/postgres-catalog-backend.ts';
import { postgresForTests } from '../../src/catalog/backend/testing/postgres-server.ts';

const postgres = await postgresForTests();
after(() => postgres.server?.stop());

const LEASE = 30_000;

function newRun(pipeline: string, date: string, runId: string): NewRun {
  return { pipeline, version: 'v1', logicalDate: date, partition: date, trigger: 'schedule', priority: RunPriority.scheduled, steps: ['load'], runId };
}

describe('other planes on a Postgres catalog', { skip: postgres.skip }, () => {
  const server = postgres.server!;

  test('governance, server and pipeline migrations run, each in its own bookkeeping table, and rerun as no-ops', async () => {
    // The smallest pool: concurrent migration runs must not starve the lock holder of a connection.
    const catalog = await PostgresCatalogBackend.open(await server.createDatabase('planes'), { maxConnections: 2 });
    try {
      const { db, dialect } = catalog.connection;
      // Concurrently, as separate services starting at once would.
      await Promise.all([migrateGovernance(db, dialect), migrateServer(db, dialect), migratePipelines(db, dialect)]);
      await Promise.all([migrateGovernance(db, dialect), migrateServer(db, dialect), migratePipelines(db, dialect)]);
      const tables = new Set((await db.introspection.getTables()).map((t) => t.name));
      for (const name of [MIGRATION_TABLE, GOVERNANCE_MIGRATION_TABLE, SERVER_MIGRATION_TABLE, PIPELINE_MIGRATION_TABLE]) {
        assert.ok(tables.has(name), `${name} missing`);
        const { rows } = await sql<{ name: string }>`select name from ${sql.table(name)}`.execute(db);
        assert.ok(rows.length > 0, `${name} records no migration`);
      }
      for (const name of ['strata_principal', 'strata_api_token', 'strata_pipeline_run', 'strata_pipeline_step_run']) {
        assert.ok(tables.has(name), `${name} missing`);
      }
    } finally {
      await catalog.close();
    }
  });

  test('RunStore.claimRun on two pools never double-claims and never exceeds the limits', async () => {
    const url = await server.createDatabase('claims');
    const first = await PostgresCatalogBackend.open(url);
    const second = await PostgresCatalogBackend.open(url);
    try {
      let now = 1_700_000_000_000;
      const clock = () => now;
      const store = await RunStore.open(first.connection, { clock });
      const other = await RunStore.open(second.connection, { clock });
      for (let i = 0; i < 30; i++) {
        now += 1;
        await store.createRun(newRun(`p${i % 10}`, `2024-05-${String((i % 28) + 1).padStart(2, '0')}`, `run-${i}`));
      }
      const limits: ClaimLimits = { global: 25, perPipeline: () => 3 };
      const claims = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? store : other).claimRun(`worker-${i}`, LEASE, limits)),
      );
      const claimed = claims.flatMap((run) => (run === undefined ? [] : [run.runId]));
      assert.equal(new Set(claimed).size, claimed.length, 'a run was claimed twice');
      assert.equal(claimed.length, 25);
      const running = await store.listRuns({ state: 'running' });
      assert.equal(running.length, 25);
      const perPipeline = new Map<string, number>();
      for (const run of running) perPipeline.set(run.pipeline, (perPipeline.get(run.pipeline) ?? 0) + 1);
      assert.ok([...perPipeline.values()].every((count) => count <= 3), JSON.stringify([...perPipeline]));
      assert.equal(typeof running[0]!.startedAt, 'number');

      // With no limits every remaining run is claimed exactly once.
      const rest = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? other : store).claimRun(`late-${i}`, LEASE, { global: 100, perPipeline: () => 100 })));
      const restClaimed = rest.flatMap((run) => (run === undefined ? [] : [run.runId]));
      assert.equal(restClaimed.length, 5);
      assert.equal(new Set([...claimed, ...restClaimed]).size, 30);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
