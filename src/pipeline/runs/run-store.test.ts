import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { SqliteCatalogBackend } from '../../catalog/index.ts';
import { StrataError, type StrataErrorCode } from '../../core/index.ts';
import { LEASE_EXPIRED, PIPELINE_MIGRATION_TABLE, RunPriority, RunStore, type ClaimLimits, type NewRun } from './index.ts';
import { startRaceWorker, type RaceWorker } from '../../catalog/backend/testing/race-worker.ts';

const hasCode = (code: StrataErrorCode) => (error: unknown) => StrataError.is(error, code);
const unlimited: ClaimLimits = { global: 100, perPipeline: () => 100 };
const LEASE = 30_000;
const WORKER = fileURLToPath(new URL('./testing/claim-race-worker.ts', import.meta.url));

function newRun(pipeline: string, date: string, extra: Partial<NewRun> = {}): NewRun {
  return { pipeline, version: 'v1', logicalDate: date, partition: date, trigger: 'schedule', priority: RunPriority.scheduled, steps: ['load', 'check', 'publish'], ...extra };
}

interface Fixture {
  readonly store: RunStore;
  /** A second store on the same file through its own connection, as another process would have. */
  readonly other: RunStore;
  readonly clock: { now: number };
  readonly backend: SqliteCatalogBackend;
}

describe('RunStore', () => {
  let dir: string;
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-runs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function withStores(fn: (f: Fixture) => Promise<void>): Promise<void> {
    const path = join(dir, `case-${++n}`, 'catalog.db');
    const clock = { now: 1_700_000_000_000 };
    const backend = await SqliteCatalogBackend.open(path);
    const second = await SqliteCatalogBackend.open(path);
    try {
      const store = await RunStore.open(backend.connection, { clock: () => clock.now });
      const other = await RunStore.open(second.connection, { clock: () => clock.now });
      await fn({ store, other, clock, backend });
    } finally {
      await second.close();
      await backend.close();
    }
  }

  /** Creates runs one millisecond apart so creation order is unambiguous. */
  async function createRuns(f: Fixture, runs: NewRun[]): Promise<string[]> {
    const ids: string[] = [];
    for (const run of runs) {
      f.clock.now += 1;
      ids.push((await f.store.createRun(run)).runId);
    }
    return ids;
  }

  test('records its migration in its own bookkeeping table and reopens cleanly', () =>
    withStores(async (f) => {
      const rows = await sql<{ name: string }>`select name from ${sql.table(PIPELINE_MIGRATION_TABLE)}`.execute(f.backend.connection.db);
      assert.deepEqual(rows.rows.map((r) => r.name), ['0001_pipeline_runs']);
      await RunStore.open(f.backend.connection);
    }));

  test('saves pipeline versions idempotently and lists the latest per pipeline', () =>
    withStores(async (f) => {
      const first = await f.store.saveVersion('sales', '{"a":1}', 'aaaa', 'pipelines/sales.yaml');
      assert.equal(first.source, 'pipelines/sales.yaml');
      const again = await f.store.saveVersion('sales', '{"a":1}', 'aaaa');
      assert.deepEqual(again, first);
      await f.store.saveVersion('sales', '{"a":2}', 'bbbb'); // same millisecond: still strictly later
      await f.store.saveVersion('orders', '{"o":1}', 'cccc');
      assert.equal((await f.store.latestVersion('sales'))?.version, 'bbbb');
      assert.equal(await f.store.latestVersion('nothing'), undefined);
      assert.deepEqual((await f.store.listPipelines()).map((v) => [v.pipeline, v.version]), [
        ['orders', 'cccc'],
        ['sales', 'bbbb'],
      ]);
      assert.equal((await f.store.version('sales', 'aaaa')).definition, '{"a":1}');
      await assert.rejects(f.store.version('sales', 'zzzz'), hasCode('PIPELINE_NOT_FOUND'));
      await assert.rejects(f.store.saveVersion('sales', '{"other":1}', 'aaaa'), hasCode('INVALID_ARGUMENT'));
      // Registering an older definition again makes it the latest (A → B → A).
      await f.store.saveVersion('sales', '{"a":1}', 'aaaa');
      assert.equal((await f.store.latestVersion('sales'))?.version, 'aaaa');
    }));

  test('releaseLeases re-queues at once the runs of owners that are gone, and frees their steps', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'gone' }), newRun('sales', '2024-05-02', { runId: 'alive' })]);
      await f.store.claimRun('host:1:dead', LEASE, unlimited, { runId: 'gone' });
      await f.store.claimRun('host:2:live', LEASE, unlimited, { runId: 'alive' });
      assert.equal(await f.store.claimStep('gone', 'load', 'host:1:dead', LEASE), 1);
      const released = await f.other.releaseLeases((owner) => owner === 'host:1:dead');
      assert.deepEqual(released.runs.map((r) => r.runId), ['gone'], 'the live owner keeps its run');
      assert.equal((await f.store.getRun('alive')).state, 'running');
      await f.other.claimRun('host:3:new', LEASE, unlimited, { runId: 'gone' });
      assert.equal(await f.other.claimStep('gone', 'load', 'host:3:new', LEASE), 2, 'the step is taken over without waiting for its lease');
      await f.other.releaseRun('gone', 'host:3:new');
      assert.equal((await f.store.getRun('gone')).state, 'queued');
    }));

  test('creates runs with pending steps and lists, filters and gets them', () =>
    withStores(async (f) => {
      const [a, b, c] = await createRuns(f, [
        newRun('sales', '2024-05-01', { runId: 'r-a' }),
        newRun('sales', '2024-05-02', { runId: 'r-b' }),
        newRun('orders', '2024-05-01', { runId: 'r-c', trigger: 'manual' }),
      ]);
      const run = await f.store.getRun('r-a');
      assert.equal(run.state, 'queued');
      assert.equal(run.redrives, 0);
      assert.equal(run.startedAt, undefined);
      assert.equal(run.leaseOwner, undefined);
      assert.deepEqual((await f.store.steps('r-a')).map((s) => [s.stepId, s.state, s.attempts]), [
        ['load', 'pending', 0],
        ['check', 'pending', 0],
        ['publish', 'pending', 0],
      ]);
      assert.deepEqual((await f.store.listRuns()).map((r) => r.runId), [c, b, a]);
      assert.deepEqual((await f.store.listRuns({ pipeline: 'sales' })).map((r) => r.runId), [b, a]);
      assert.deepEqual((await f.store.listRuns({ partition: '2024-05-01' })).map((r) => r.runId), [c, a]);
      assert.deepEqual((await f.store.listRuns({ limit: 1 })).map((r) => r.runId), [c]);
      assert.deepEqual((await f.store.listRuns({ state: 'running' })).map((r) => r.runId), []);
      await assert.rejects(f.store.getRun('nope'), hasCode('RUN_NOT_FOUND'));
      await assert.rejects(f.store.steps('nope'), hasCode('RUN_NOT_FOUND'));
      await assert.rejects(f.store.createRun(newRun('sales', '2024-05-03', { runId: 'r-a' })), hasCode('ALREADY_EXISTS'));
      await assert.rejects(f.store.createRun(newRun('sales', '2024/05/03')), hasCode('INVALID_ARGUMENT'));
      await assert.rejects(f.store.createRun(newRun('sales', '2024-05-03', { steps: ['x', 'x'] })), hasCode('INVALID_ARGUMENT'));
      // The refused duplicate did not touch the existing run's steps.
      assert.equal((await f.store.steps('r-a')).length, 3);
    }));

  test('claims scheduled runs (priority 0) before older backfill runs (priority 10), oldest first', () =>
    withStores(async (f) => {
      await createRuns(f, [
        newRun('sales', '2024-04-01', { runId: 'backfill-1', trigger: 'backfill', priority: RunPriority.backfill }),
        newRun('sales', '2024-05-01', { runId: 'scheduled-1' }),
        newRun('sales', '2024-05-02', { runId: 'scheduled-2' }),
      ]);
      f.clock.now += 10;
      const first = await f.store.claimRun('w1', LEASE, unlimited);
      assert.equal(first?.runId, 'scheduled-1');
      assert.equal(first.state, 'running');
      assert.equal(first.leaseOwner, 'w1');
      assert.equal(first.leaseExpiresAt, f.clock.now + LEASE);
      assert.equal(first.startedAt, f.clock.now);
      assert.equal((await f.store.claimRun('w1', LEASE, unlimited))?.runId, 'scheduled-2');
      assert.equal((await f.store.claimRun('w1', LEASE, unlimited))?.runId, 'backfill-1');
      assert.equal(await f.store.claimRun('w1', LEASE, unlimited), undefined);
    }));

  test('respects the global, per-pipeline and per-backfill limits', () =>
    withStores(async (f) => {
      await f.store.createBackfill({ backfillId: 'bf', pipeline: 'hist', from: '2024-01-01', to: '2024-01-03', concurrency: 1, onlyFailed: false });
      await createRuns(f, [
        newRun('sales', '2024-05-01', { runId: 's1' }),
        newRun('sales', '2024-05-02', { runId: 's2' }),
        newRun('orders', '2024-05-01', { runId: 'o1' }),
        newRun('hist', '2024-01-01', { runId: 'h1', backfillId: 'bf', trigger: 'backfill', priority: 10 }),
        newRun('hist', '2024-01-02', { runId: 'h2', backfillId: 'bf', trigger: 'backfill', priority: 10 }),
        newRun('hist', '2024-01-03', { runId: 'h3', backfillId: 'bf', trigger: 'backfill', priority: 10 }),
      ]);
      const perPipelineOne: ClaimLimits = { global: 100, perPipeline: () => 1 };
      // Per pipeline: sales runs one at a time, so s2 is skipped for o1 and then h1.
      const order: string[] = [];
      for (;;) {
        const run = await f.store.claimRun('w', LEASE, perPipelineOne);
        if (run === undefined) break;
        order.push(run.runId);
      }
      assert.deepEqual(order, ['s1', 'o1', 'h1']);
      // The per-backfill limit (its own concurrency, 1) holds even when the pipeline allows more.
      assert.equal(await f.store.claimRun('w', LEASE, unlimited, {}).then((r) => r?.runId), 's2');
      assert.equal(await f.store.claimRun('w', LEASE, unlimited), undefined);
      // An explicit backfill limit overrides the stored one.
      assert.equal((await f.store.claimRun('w', LEASE, unlimited, { backfillConcurrency: () => 2 }))?.runId, 'h2');
      assert.equal(await f.store.claimRun('w', LEASE, unlimited, { backfillConcurrency: () => 2 }), undefined);
      // Global: 5 running already.
      assert.equal(await f.store.claimRun('w', LEASE, { global: 5, perPipeline: () => 100 }, { backfillConcurrency: () => 3 }), undefined);
      assert.equal((await f.store.claimRun('w', LEASE, { global: 6, perPipeline: () => 100 }, { backfillConcurrency: () => 3 }))?.runId, 'h3');
    }));

  test('claims only the requested run when given a run id', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'old' }), newRun('sales', '2024-05-02', { runId: 'mine' })]);
      assert.equal((await f.store.claimRun('w', LEASE, unlimited, { runId: 'mine' }))?.runId, 'mine');
      assert.equal(await f.store.claimRun('w', LEASE, unlimited, { runId: 'mine' }), undefined);
      assert.equal((await f.store.getRun('old')).state, 'queued');
    }));

  test('concurrent claimers on two connections never get the same run, and never exceed the limit', () =>
    withStores(async (f) => {
      const runs = Array.from({ length: 30 }, (_, i) => newRun(`p${i % 10}`, `2024-05-${String((i % 28) + 1).padStart(2, '0')}`, { runId: `run-${i}` }));
      await createRuns(f, runs);
      const limits: ClaimLimits = { global: 25, perPipeline: () => 3 };
      const claims = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? f.store : f.other).claimRun(`worker-${i}`, LEASE, limits)),
      );
      const claimed = claims.flatMap((run) => (run === undefined ? [] : [run.runId]));
      assert.equal(claimed.length, 25);
      assert.equal(new Set(claimed).size, 25, 'a run was claimed twice');
      assert.equal((await f.store.listRuns({ state: 'running' })).length, 25);
      const perPipeline = new Map<string, number>();
      for (const run of await f.store.listRuns({ state: 'running' })) perPipeline.set(run.pipeline, (perPipeline.get(run.pipeline) ?? 0) + 1);
      assert.ok([...perPipeline.values()].every((count) => count <= 3));
    }));

  test('concurrent step claimers: exactly one wins each attempt', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r' })]);
      await f.store.claimRun('runner', LEASE, unlimited);
      const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? f.store : f.other).claimStep('r', 'load', `w${i}`, LEASE)));
      assert.deepEqual(attempts.filter((a) => a !== undefined), [1]);
      const step = (await f.store.steps('r'))[0];
      assert.equal(step?.state, 'running');
      assert.equal(step.attempts, 1);
      assert.equal((await f.store.attempts('r')).length, 1);
    }));

  test('a dead process: its run is re-queued and its step taken over after the lease expires', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r' })]);
      const claimed = await f.store.claimRun('dead', 1_000, unlimited);
      const startedAt = claimed?.startedAt;
      assert.equal(await f.store.claimStep('r', 'load', 'dead', 1_000), 1);
      // While the lease lives nobody else gets the step and nothing is recovered.
      assert.equal(await f.other.claimStep('r', 'load', 'alive', 1_000), undefined);
      assert.deepEqual((await f.store.recoverExpired()).runs, []);
      f.clock.now += 1_000;
      const recovered = await f.other.recoverExpired();
      assert.deepEqual(recovered.runs.map((r) => [r.runId, r.state, r.leaseOwner]), [['r', 'queued', undefined]]);
      assert.equal((await f.store.getRun('r')).startedAt, startedAt);
      assert.equal((await f.store.steps('r'))[0]?.state, 'running', 'the step stays running until taken over');
      // A re-queued run's steps cannot be claimed until the run is claimed again.
      assert.equal(await f.other.claimStep('r', 'load', 'alive', 1_000), undefined);
      f.clock.now += 5;
      const reclaimed = await f.other.claimRun('alive', LEASE, unlimited);
      assert.equal(reclaimed?.startedAt, startedAt, 'startedAt is the first start');
      assert.equal(await f.other.claimStep('r', 'load', 'alive', LEASE), 2);
      assert.deepEqual((await f.store.attempts('r', 'load')).map((a) => [a.attempt, a.state, a.error?.code]), [
        [1, 'failed', LEASE_EXPIRED],
        [2, 'running', undefined],
      ]);
      // The dead process, if it wakes up, is refused everywhere.
      assert.equal(await f.store.renewRunLease('r', 'dead', LEASE), false);
      assert.equal(await f.store.renewStepLease('r', 'load', 'dead', LEASE), false);
      await assert.rejects(f.store.finishStepAttempt('r', 'load', 'dead', { state: 'succeeded' }), hasCode('RUN_IN_PROGRESS'));
      await assert.rejects(f.store.finishRun('r', 'dead', 'succeeded'), hasCode('RUN_IN_PROGRESS'));
      // The new holder renews and finishes.
      assert.equal(await f.other.renewStepLease('r', 'load', 'alive', LEASE), true);
      assert.equal(await f.other.renewRunLease('r', 'alive', LEASE), true);
      const done = await f.other.finishStepAttempt('r', 'load', 'alive', { state: 'succeeded', output: '{"snapshot":"1"}' });
      assert.equal(done.state, 'succeeded');
      assert.equal(done.output, '{"snapshot":"1"}');
      assert.equal(done.leaseOwner, undefined);
      assert.equal((await f.store.attempts('r', 'load'))[1]?.state, 'succeeded');
      assert.equal(await f.other.claimStep('r', 'load', 'alive', LEASE), undefined, 'a finished step is not claimed again');
    }));

  test('a renewed lease is not taken over', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r' })]);
      await f.store.claimRun('a', 1_000, unlimited);
      await f.store.claimStep('r', 'load', 'a', 1_000);
      f.clock.now += 900;
      assert.equal(await f.store.renewRunLease('r', 'a', 1_000), true);
      assert.equal(await f.store.renewStepLease('r', 'load', 'a', 1_000), true);
      f.clock.now += 900;
      assert.deepEqual((await f.store.recoverExpired()).runs, []);
      assert.equal(await f.other.claimStep('r', 'load', 'b', 1_000), undefined);
    }));

  test('a retrying step waits for its next attempt time', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r' })]);
      await f.store.claimRun('w', LEASE, unlimited);
      assert.equal(await f.store.claimStep('r', 'load', 'w', LEASE), 1);
      const error = { code: 'STORAGE_ERROR', message: 'throttled' };
      const retrying = await f.store.finishStepAttempt('r', 'load', 'w', { state: 'retrying', error, nextAttemptAt: f.clock.now + 5_000 });
      assert.equal(retrying.state, 'retrying');
      assert.equal(retrying.nextAttemptAt, f.clock.now + 5_000);
      assert.deepEqual(retrying.error, error);
      assert.equal(await f.store.claimStep('r', 'load', 'w', LEASE), undefined);
      f.clock.now += 5_000;
      assert.equal(await f.store.claimStep('r', 'load', 'w', LEASE), 2);
      await f.store.finishStepAttempt('r', 'load', 'w', { state: 'failed', error });
      assert.deepEqual((await f.store.attempts('r')).map((a) => [a.attempt, a.state]), [
        [1, 'failed'],
        [2, 'failed'],
      ]);
      assert.equal(await f.store.claimStep('r', 'load', 'w', LEASE), undefined, 'a failed step is not claimed again');
      await assert.rejects(f.store.claimStep('r', 'nope', 'w', LEASE), hasCode('RUN_NOT_FOUND'));
    }));

  test('finishing a run is refused to anyone but its lease owner', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r' })]);
      await f.store.claimRun('owner', LEASE, unlimited);
      await assert.rejects(f.other.finishRun('r', 'intruder', 'failed'), hasCode('RUN_IN_PROGRESS'));
      assert.equal(await f.other.renewRunLease('r', 'intruder', LEASE), false);
      assert.equal((await f.store.getRun('r')).state, 'running');
      await f.store.finishRun('r', 'owner', 'failed', { code: 'STEP_FAILED', message: 'load failed' });
      const run = await f.store.getRun('r');
      assert.equal(run.state, 'failed');
      assert.deepEqual(run.error, { code: 'STEP_FAILED', message: 'load failed' });
      assert.equal(run.leaseOwner, undefined);
      assert.equal(run.finishedAt, f.clock.now);
      await assert.rejects(f.store.finishRun('r', 'owner', 'succeeded'), hasCode('RUN_IN_PROGRESS'));
      await assert.rejects(f.store.finishRun('nope', 'owner', 'succeeded'), hasCode('RUN_NOT_FOUND'));
    }));

  test('redrive resets only failed and not-run steps and re-queues the run', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r', trigger: 'manual', steps: ['a', 'b', 'c', 'd', 'e'] })]);
      const started = (await f.store.claimRun('w', LEASE, unlimited))?.startedAt;
      await f.store.claimStep('r', 'a', 'w', LEASE);
      await f.store.finishStepAttempt('r', 'a', 'w', { state: 'succeeded', output: '{"kept":true}' });
      await f.store.claimStep('r', 'd', 'w', LEASE);
      await f.store.finishStepAttempt('r', 'd', 'w', { state: 'skipped' });
      await f.store.claimStep('r', 'b', 'w', LEASE);
      await f.store.finishStepAttempt('r', 'b', 'w', { state: 'failed', error: { code: 'SQL_ERROR', message: 'boom' } });
      assert.equal(await f.store.markSteps('r', ['c'], 'upstream_failed'), 1);
      await f.store.finishRun('r', 'w', 'failed', { code: 'STEP_FAILED', message: 'b failed' });
      // e never ran: pending.

      await assert.rejects(f.store.redrive('nope', 'v2'), hasCode('RUN_NOT_FOUND'));
      f.clock.now += 100;
      const redriven = await f.store.redrive('r', 'v2');
      assert.equal(redriven.state, 'queued');
      assert.equal(redriven.version, 'v2');
      assert.equal(redriven.trigger, 'manual');
      assert.equal(redriven.redrives, 1);
      assert.equal(redriven.error, undefined);
      assert.equal(redriven.finishedAt, undefined);
      assert.equal(redriven.startedAt, started);
      assert.deepEqual((await f.store.steps('r')).map((s) => [s.stepId, s.state, s.attempts, s.error?.code]), [
        ['a', 'succeeded', 1, undefined],
        ['b', 'pending', 1, undefined],
        ['c', 'pending', 0, undefined],
        ['d', 'skipped', 1, undefined],
        ['e', 'pending', 0, undefined],
      ]);
      assert.equal((await f.store.steps('r'))[0]?.output, '{"kept":true}');
      await assert.rejects(f.store.redrive('r', 'v2'), hasCode('RUN_IN_PROGRESS'));
      await f.store.claimRun('w', LEASE, unlimited);
      await assert.rejects(f.store.redrive('r', 'v2'), hasCode('RUN_IN_PROGRESS'));
      assert.equal(await f.store.claimStep('r', 'b', 'w', LEASE), 2, 'attempt numbers continue');
      await f.store.finishStepAttempt('r', 'b', 'w', { state: 'succeeded' });
      await f.store.finishRun('r', 'w', 'succeeded');
      await assert.rejects(f.store.redrive('r', 'v3'), hasCode('INVALID_ARGUMENT'));
    }));

  test('redrive of a cancelled run takes back a step abandoned without a live lease', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r' })]);
      await f.store.claimRun('w', 1_000, unlimited);
      await f.store.claimStep('r', 'load', 'w', 1_000);
      await f.store.cancelRun('r');
      await assert.rejects(f.store.redrive('r', 'v1'), hasCode('RUN_IN_PROGRESS'));
      // ...because the old runner still holds the run; once its lease is gone the step is reset.
      f.clock.now += 1_000;
      await f.store.finishRun('r', 'w', 'cancelled');
      const redriven = await f.store.redrive('r', 'v1');
      assert.equal(redriven.state, 'queued');
      assert.deepEqual((await f.store.steps('r')).map((s) => s.state), ['pending', 'pending', 'pending']);
    }));

  test('cancel: queued at once; running becomes cancelled, steps stop being claimable, and the state sticks', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'q' }), newRun('sales', '2024-05-02', { runId: 'r' })]);
      const queued = await f.store.cancelRun('q');
      assert.equal(queued.state, 'cancelled');
      assert.equal((await f.store.claimRun('w', LEASE, unlimited))?.runId, 'r');
      assert.equal(await f.store.claimStep('r', 'load', 'w', LEASE), 1);
      const cancelled = await f.other.cancelRun('r');
      assert.equal(cancelled.state, 'cancelled');
      assert.equal(cancelled.leaseOwner, 'w', 'the runner still holds it until it stops');
      assert.equal((await f.store.getRun('r')).state, 'cancelled');
      assert.equal(await f.store.renewRunLease('r', 'w', LEASE), false);
      // The step in hand can finish; the next one cannot start.
      await f.store.finishStepAttempt('r', 'load', 'w', { state: 'succeeded' });
      assert.equal(await f.store.claimStep('r', 'check', 'w', LEASE), undefined);
      await f.store.finishRun('r', 'w', 'succeeded');
      const finished = await f.store.getRun('r');
      assert.equal(finished.state, 'cancelled');
      assert.equal(finished.leaseOwner, undefined);
      assert.equal((await f.store.cancelRun('r')).state, 'cancelled');
      await createRuns(f, [newRun('sales', '2024-05-03', { runId: 's' })]);
      await f.store.claimRun('w', LEASE, unlimited);
      await f.store.finishRun('s', 'w', 'succeeded');
      await assert.rejects(f.store.cancelRun('s'), hasCode('INVALID_ARGUMENT'));
      await assert.rejects(f.store.cancelRun('nope'), hasCode('RUN_NOT_FOUND'));
    }));

  test('markSteps leaves steps held by a live lease alone; setStepOutput writes output', () =>
    withStores(async (f) => {
      await createRuns(f, [newRun('sales', '2024-05-01', { runId: 'r' })]);
      await f.store.claimRun('w', LEASE, unlimited);
      await f.store.claimStep('r', 'load', 'w', LEASE);
      assert.equal(await f.store.markSteps('r', ['load', 'check', 'publish'], 'upstream_failed'), 2);
      assert.deepEqual((await f.store.steps('r')).map((s) => s.state), ['running', 'upstream_failed', 'upstream_failed']);
      assert.equal(await f.store.markSteps('r', ['check'], 'pending'), 1);
      assert.equal((await f.store.steps('r'))[1]?.state, 'pending');
      await f.store.setStepOutput('r', 'load', '{"branch":"audit"}');
      assert.equal((await f.store.steps('r'))[0]?.output, '{"branch":"audit"}');
      await assert.rejects(f.store.setStepOutput('r', 'nope', '{}'), hasCode('RUN_NOT_FOUND'));
    }));

  test('latestRunsByPartition returns the newest run of each partition in the range', () =>
    withStores(async (f) => {
      await createRuns(f, [
        newRun('sales', '2024-05-01', { runId: 'old-1' }),
        newRun('sales', '2024-05-01', { runId: 'new-1' }),
        newRun('sales', '2024-05-02', { runId: 'only-2' }),
        newRun('sales', '2024-05-09', { runId: 'outside' }),
        newRun('orders', '2024-05-01', { runId: 'other-pipeline' }),
      ]);
      assert.deepEqual((await f.store.latestRunsByPartition('sales', '2024-05-01', '2024-05-03')).map((r) => r.runId), ['new-1', 'only-2']);
    }));

  test('backfills are created, listed and looked up', () =>
    withStores(async (f) => {
      const created = await f.store.createBackfill({ backfillId: 'b1', pipeline: 'sales', from: '2024-01-01', to: '2024-01-31', concurrency: 2, onlyFailed: true });
      assert.equal(created.createdAt, f.clock.now);
      f.clock.now += 1;
      await f.store.createBackfill({ backfillId: 'b2', pipeline: 'orders', from: '2024-01-01', to: '2024-01-01', concurrency: 1, onlyFailed: false });
      assert.deepEqual(await f.store.getBackfill('b1'), created);
      assert.deepEqual((await f.store.listBackfills()).map((b) => b.backfillId), ['b2', 'b1']);
      assert.deepEqual((await f.store.listBackfills('sales')).map((b) => b.backfillId), ['b1']);
      await assert.rejects(f.store.getBackfill('nope'), hasCode('PIPELINE_NOT_FOUND'));
      await assert.rejects(f.store.createBackfill({ ...created, pipeline: 'x' }), hasCode('ALREADY_EXISTS'));
      await assert.rejects(f.store.createBackfill({ backfillId: 'b3', pipeline: 'x', from: '2024-02-01', to: '2024-01-01', concurrency: 1, onlyFailed: false }), hasCode('INVALID_ARGUMENT'));
      await assert.rejects(f.store.createBackfill({ backfillId: 'b3', pipeline: 'x', from: '2024-01-01', to: '2024-01-02', concurrency: 0, onlyFailed: false }), hasCode('INVALID_ARGUMENT'));
    }));

  test('ticks advance by compare-and-set: exactly one of many schedulers wins', () =>
    withStores(async (f) => {
      assert.equal(await f.store.lastTick('sales'), undefined);
      const firsts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? f.store : f.other).advanceTick('sales', undefined, 1000)));
      assert.equal(firsts.filter(Boolean).length, 1);
      assert.equal(await f.store.lastTick('sales'), 1000);
      const seconds = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? f.store : f.other).advanceTick('sales', 1000, 2000)));
      assert.equal(seconds.filter(Boolean).length, 1);
      assert.equal(await f.store.advanceTick('sales', 1000, 3000), false, 'a stale expectation loses');
      assert.equal(await f.other.lastTick('sales'), 2000);
      assert.equal(await f.store.lastTick('orders'), undefined);
    }));

  test('claimers in separate processes never double-claim runs or steps', () =>
    withStores(async (f) => {
      const path = f.backend.path;
      await createRuns(f, Array.from({ length: 40 }, (_, i) => newRun(`p${i % 4}`, '2024-05-01', { runId: `run-${i}`, steps: ['only'] })));
      const steps = Array.from({ length: 20 }, (_, i) => `s${i}`);
      await f.store.createRun(newRun('setup', '2024-05-01', { runId: 'step-race', steps, priority: -1 }));
      assert.equal((await f.store.claimRun('setup', 600_000, unlimited, { runId: 'step-race' }))?.runId, 'step-race');
      const workers = ['a', 'b', 'c'].map((owner) => startWorker([path, owner, String(steps.length)]));
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      const results = await Promise.all(workers.map((w) => w.result));
      const runs = results.flatMap((r) => r.runs);
      assert.equal(runs.length, 40);
      assert.equal(new Set(runs).size, 40, 'a run was claimed by two processes');
      const claimedSteps = results.flatMap((r) => r.steps);
      assert.deepEqual([...claimedSteps].sort(), [...steps].sort(), 'every step claimed exactly once');
    }));

  test('rejects bad leases and owners with INVALID_ARGUMENT', () =>
    withStores(async (f) => {
      await assert.rejects(f.store.claimRun('w', 0, unlimited), hasCode('INVALID_ARGUMENT'));
      await assert.rejects(f.store.claimRun('', LEASE, unlimited), hasCode('INVALID_ARGUMENT'));
      await assert.rejects(f.store.claimStep('r', 's', 'w', -1), hasCode('INVALID_ARGUMENT'));
    }));
});

interface WorkerOutput {
  readonly runs: string[];
  readonly steps: string[];
}

function startWorker(args: string[]): RaceWorker<WorkerOutput> {
  return startRaceWorker<WorkerOutput>(WORKER, args);
}
