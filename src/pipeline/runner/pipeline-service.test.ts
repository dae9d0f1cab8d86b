import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StrataError } from '../../core/index.ts';
import { LineageStore, verifySignature } from '../../observe/index.ts';
import { definePipeline } from '../definition/define-pipeline.ts';
import type { PipelineDefinition } from '../definition/pipeline-definition.ts';
import { ManualClock } from '../schedule/clock.ts';
import { pipelineFixture, type PipelineFixture } from './testing/pipeline-fixture.ts';
import { wapBranch } from './write-audit-publish.ts';

const DAY = '2024-03-01';
const injected = (point: string) => new StrataError('STORAGE_ERROR', `injected failure at ${point}`);

/** One SQL step copying a day of `src.events` into `out.<table>`. */
function copyPipeline(name: string, table: string, extra: Partial<Extract<PipelineDefinition['steps'][number], { kind: 'sql' }>> = {}): PipelineDefinition {
  return definePipeline({
    name,
    retries: { maxAttempts: 3, initialDelayMs: 1 },
    steps: [{ id: 'load', kind: 'sql', inputs: ['src.events'], output: `out.${table}`, mode: 'append', sql: "SELECT id, day, amount FROM src.events WHERE day = DATE '{{ ds }}'", ...extra }],
  });
}

describe('pipeline runner', () => {
  let fx: PipelineFixture;
  before(async () => {
    fx = await pipelineFixture();
  });
  after(async () => {
    await fx.close();
  });

  test('a step that fails twice then succeeds produces exactly one output (the second attempt had committed)', async () => {
    const service = await fx.service({
      random: () => 0,
      fault: (point, _step, attempt) => {
        if (attempt === 1 && point === 'before-write') throw injected(point);
        if (attempt === 2 && point === 'after-write') throw injected(point); // committed, then crashed
      },
    });
    await service.register(copyPipeline('twice', 'twice'));
    const run = await service.trigger('twice', { logicalDate: DAY });
    const [finished] = await service.runQueued({ runId: run.runId });
    assert.equal(finished?.state, 'succeeded');
    const [step] = await service.store.steps(run.runId);
    assert.equal(step?.attempts, 3);
    assert.deepEqual((await service.store.attempts(run.runId, 'load')).map((a) => a.state), ['failed', 'failed', 'succeeded']);
    assert.match(step?.output ?? '', /adopted commit/);
    assert.deepEqual((await fx.rows('out.twice')).map((r) => Number(r['id'])), [1, 2, 3], 'the day once, not twice');
    assert.equal(await fx.commitsOf('out.twice', run.runId, 'load'), 1);
  });

  test('a failure before the commit is retried and writes once; a non-retryable error fails at once', async () => {
    const service = await fx.service({ random: () => 0, fault: (point, _step, attempt) => (attempt === 1 && point === 'before-write' ? Promise.reject(injected(point)) : undefined) });
    await service.register(copyPipeline('before', 'before'));
    const ok = await service.trigger('before', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: ok.runId }))[0]?.state, 'succeeded');
    assert.equal((await fx.rows('out.before')).length, 3);

    await service.register(copyPipeline('broken', 'broken', { sql: 'SELECT no_such_column FROM src.events' }));
    const bad = await service.trigger('broken', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: bad.runId }))[0]?.state, 'failed');
    const [step] = await service.store.steps(bad.runId);
    assert.equal(step?.attempts, 1, 'a SQL error is not retried');
    assert.equal(step?.state, 'failed');
  });

  test('retries back off exponentially with full jitter on a controllable clock', async () => {
    const clock = new ManualClock(Date.parse('2024-03-02T00:00:00Z'));
    const service = await fx.service({ clock, random: () => 1 });
    const attempts: number[] = [];
    await service.register(
      definePipeline({
        name: 'flaky',
        retries: { maxAttempts: 4, initialDelayMs: 1_000, multiplier: 2 },
        steps: [
          {
            id: 'call',
            kind: 'function',
            run: (ctx) => {
              attempts.push(ctx.attempt);
              if (ctx.attempt < 3) throw new StrataError('STORAGE_ERROR', 'the API is down');
            },
          },
        ],
      }),
    );
    const run = await service.trigger('flaky', { logicalDate: DAY });
    const done = service.runQueued({ runId: run.runId });
    const start = clock.now();
    await clock.waitForSleepers(1);
    assert.deepEqual(clock.pendingSleeps(), [start + 1_000], 'after attempt 1: up to 1 s (random = 1 takes the ceiling)');
    await clock.advance(1_000);
    await clock.waitForSleepers(1);
    assert.deepEqual(clock.pendingSleeps(), [start + 1_000 + 2_000], 'after attempt 2: up to 2 s');
    await clock.advance(2_000);
    assert.equal((await done)[0]?.state, 'succeeded');
    assert.deepEqual(attempts, [1, 2, 3]);
  });

  test('a step timeout fails the attempt with STEP_TIMEOUT', async () => {
    const service = await fx.service();
    await service.register(
      definePipeline({
        name: 'slow',
        retries: { maxAttempts: 1 },
        steps: [{ id: 'wait', kind: 'function', timeoutMs: 50, run: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) }],
      }),
    );
    const run = await service.trigger('slow', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: run.runId }))[0]?.state, 'failed');
    assert.equal((await service.store.steps(run.runId))[0]?.error?.code, 'STEP_TIMEOUT');
  });

  test('a step on spark, with no Spark configured, fails clearly (ENGINE_UNAVAILABLE) instead of running elsewhere', async () => {
    const service = await fx.service();
    await service.register(copyPipeline('on_spark', 'on_spark', { engine: 'spark' }));
    const run = await service.trigger('on_spark', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: run.runId }))[0]?.state, 'failed');
    const [step] = await service.store.steps(run.runId);
    assert.equal(step?.error?.code, 'ENGINE_UNAVAILABLE');
    assert.match(step?.error?.message ?? '', /strata compute up/);
    assert.equal(step?.attempts, 1);
    assert.equal(await fx.home.catalog.tableExists('out.on_spark'), false);
  });

  test('a missing input fails the run before any step runs; a cancelled queued run never starts', async () => {
    const service = await fx.service();
    await service.register(
      definePipeline({
        name: 'orphan',
        steps: [
          { id: 'ok', kind: 'sql', inputs: ['src.events'], output: 'out.orphan_ok', mode: 'append', sql: 'SELECT id FROM src.events' },
          { id: 'reads_nothing', kind: 'sql', inputs: ['src.nowhere'], output: 'out.orphan', mode: 'append', sql: 'SELECT * FROM src.nowhere' },
        ],
      }),
    );
    const run = await service.trigger('orphan', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: run.runId }))[0]?.state, 'failed');
    const failed = await service.store.getRun(run.runId);
    assert.equal(failed.error?.code, 'PIPELINE_INVALID');
    assert.match(failed.error?.message ?? '', /missing input src\.nowhere \(read by reads_nothing\)/);
    assert.equal(await fx.home.catalog.tableExists('out.orphan_ok'), false, 'no step ran');

    await service.register(copyPipeline('cancelled', 'cancelled'));
    const queued = await service.trigger('cancelled', { logicalDate: DAY });
    assert.equal((await service.cancel(queued.runId)).state, 'cancelled');
    assert.deepEqual(await service.runQueued({ runId: queued.runId }), []);
    assert.equal(await fx.home.catalog.tableExists('out.cancelled'), false);

    // Cancelled while running: the step in flight finishes, the next one never starts.
    const ran: string[] = [];
    await service.register(
      definePipeline({
        name: 'stop_midway',
        steps: [
          { id: 'first', kind: 'function', run: async (ctx) => { ran.push('first'); await service.cancel(ctx.runId); } },
          { id: 'second', kind: 'function', dependsOn: ['first'], run: () => { ran.push('second'); } },
        ],
      }),
    );
    const midway = await service.trigger('stop_midway', { logicalDate: DAY });
    assert.deepEqual((await service.runQueued({ runId: midway.runId })).map((r) => r.state), ['cancelled']);
    assert.deepEqual(ran, ['first']);
    const after = await service.store.getRun(midway.runId);
    assert.equal(after.state, 'cancelled');
    assert.equal(after.leaseOwner, undefined, 'the lease is released');
  });

  test('close() stops claiming new runs but lets the run in progress finish', async () => {
    const service = await fx.service();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    await service.register(definePipeline({ name: 'slow_close', steps: [{ id: 'wait', kind: 'function', run: async () => { started(); await gate; } }] }));
    const first = await service.trigger('slow_close', { logicalDate: '2024-03-01' });
    const second = await service.trigger('slow_close', { logicalDate: '2024-03-02' });
    const work = service.runQueued();
    await running;
    const closing = service.close();
    setTimeout(release, 20);
    await closing;
    assert.deepEqual((await work).map((f) => [f.run.runId, f.state]), [[first.runId, 'succeeded']]);
    assert.equal((await service.store.getRun(second.runId)).state, 'queued', 'the next run stays queued for another process');
  });

  test('the scheduler creates one run per due tick, in the schedule’s time zone, and never twice', async () => {
    const clock = new ManualClock(Date.parse('2024-03-02T03:00:00Z'));
    const service = await fx.service({ clock });
    const steps = [{ id: 'noop', kind: 'function' as const, run: () => undefined }];
    await service.register(definePipeline({ name: 'nightly', schedule: { cron: '0 2 * * *', timezone: 'UTC', catchup: true }, steps }));
    // 01:00 in Tokyo is 16:00 UTC the day before: at 2024-03-01T16:30Z the 2024-03-02 01:00 JST tick is due, processing 2024-03-01 (JST).
    await service.register(definePipeline({ name: 'tokyo', schedule: { cron: '0 1 * * *', timezone: 'Asia/Tokyo' }, steps }));
    const first = await service.schedule(['nightly']);
    assert.deepEqual(first.map((r) => [r.logicalDate, r.trigger]), [['2024-03-01', 'schedule']], 'the latest tick only on first start');
    assert.deepEqual(await service.schedule(['nightly']), [], 'the same tick is not scheduled twice');
    await clock.advance(3 * 86_400_000);
    assert.deepEqual((await service.schedule(['nightly'])).map((r) => r.logicalDate), ['2024-03-02', '2024-03-03', '2024-03-04'], 'catch-up: one run per missed tick');
    await clock.set(Date.parse('2024-03-05T16:30:00Z'));
    assert.deepEqual((await service.schedule(['tokyo'])).map((r) => r.logicalDate), ['2024-03-05']);
    await service.runQueued();
  });

  test('redrive reruns only the failed and not-yet-run steps, pinned to the version that ran or the latest', async () => {
    const service = await fx.service();
    let broken = true;
    const definition = (label: string) =>
      definePipeline({
        name: 'redrive_me',
        description: label,
        retries: { maxAttempts: 1 },
        steps: [
          { id: 'load', kind: 'sql', inputs: ['src.events'], output: 'out.redrive_load', mode: 'overwrite-partitions', sql: "SELECT id, day, amount FROM src.events WHERE day = DATE '{{ ds }}'" },
          { id: 'side', kind: 'sql', inputs: ['src.events'], output: 'out.redrive_side', mode: 'append', sql: 'SELECT id FROM src.events WHERE id = 1' },
          { id: 'enrich', kind: 'function', dependsOn: ['load'], run: () => { if (broken) throw new StrataError('INVALID_ARGUMENT', 'bad config'); } },
          { id: 'final', kind: 'sql', dependsOn: ['enrich'], inputs: ['out.redrive_load'], output: 'out.redrive_final', mode: 'append', sql: 'SELECT count(*) AS n FROM out.redrive_load' },
        ],
      });
    const v1 = await service.register(definition('v1'));
    const run = await service.trigger('redrive_me', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: run.runId }))[0]?.state, 'failed');
    const states = async () => Object.fromEntries((await service.store.steps(run.runId)).map((s) => [s.stepId, `${s.state}/${s.attempts}`]));
    assert.deepEqual(await states(), { load: 'succeeded/1', side: 'succeeded/1', enrich: 'failed/1', final: 'upstream_failed/0' });
    const loadSnapshots = (await (await fx.home.catalog.loadTable('out.redrive_load')).refresh()).snapshots.length;

    broken = false;
    const pinned = await service.redrive(run.runId);
    assert.equal(pinned.version, v1.version);
    assert.equal((await service.runQueued({ runId: run.runId }))[0]?.state, 'succeeded');
    assert.deepEqual(await states(), { load: 'succeeded/1', side: 'succeeded/1', enrich: 'succeeded/2', final: 'succeeded/1' });
    assert.equal((await (await fx.home.catalog.loadTable('out.redrive_load')).refresh()).snapshots.length, loadSnapshots, 'the successful step did not run again');
    assert.equal((await fx.rows('out.redrive_side')).length, 1);

    // A second failure, redriven with the latest version.
    broken = true;
    const again = await service.trigger('redrive_me', { logicalDate: '2024-03-02' });
    await service.runQueued({ runId: again.runId });
    broken = false;
    const v2 = await service.register(definition('v2'));
    assert.equal((await service.redrive(again.runId, { version: 'latest' })).version, v2.version);
    assert.equal((await service.runQueued({ runId: again.runId }))[0]?.state, 'succeeded');
    await assert.rejects(service.redrive(again.runId), (e) => StrataError.is(e, 'INVALID_ARGUMENT'), 'a succeeded run has nothing to redrive');
  });

  test('write-audit-publish: unvalidated rows never reach main; fail keeps the branch, quarantine publishes the rest', async () => {
    const seenOnMain: number[][] = [];
    const service = await fx.service({
      fault: async (point) => {
        if (point === 'after-write') seenOnMain.push((await fx.rows('out.audited').catch(() => [])).map((r) => Number(r['id'])));
      },
    });
    const rules = 'Rules = [ ColumnValues "amount" >= 0, RowCount > 0 ]';
    await service.register(copyPipeline('audited', 'audited', { mode: 'overwrite-partitions', partitionBy: ['day'], audit: { rules, action: 'fail' } }));
    const good = await service.trigger('audited', { logicalDate: '2024-03-01' });
    assert.equal((await service.runQueued({ runId: good.runId }))[0]?.state, 'succeeded');
    assert.deepEqual(seenOnMain, [[]], 'while the gate ran, main did not have the new rows');
    assert.deepEqual((await fx.rows('out.audited')).map((r) => Number(r['id'])), [1, 2, 3]);

    const bad = await service.trigger('audited', { logicalDate: '2024-03-02' }); // has amount -5
    assert.equal((await service.runQueued({ runId: bad.runId }))[0]?.state, 'failed');
    const [step] = await service.store.steps(bad.runId);
    assert.equal(step?.error?.code, 'QUALITY_CHECK_FAILED');
    assert.equal(step?.attempts, 1, 'a failed gate is not retried');
    assert.deepEqual((await fx.rows('out.audited')).map((r) => Number(r['id'])), [1, 2, 3], 'main is unchanged');
    assert.deepEqual((await fx.rows('out.audited', wapBranch(bad.runId, 'load'))).map((r) => Number(r['id'])), [1, 2, 3, 11, 12, 13], 'the rejected data waits on its branch');

    await service.register(copyPipeline('quarantined', 'quarantined', { mode: 'overwrite-partitions', partitionBy: ['day'], audit: { rules, action: 'quarantine' } }));
    const q = await service.trigger('quarantined', { logicalDate: '2024-03-02' });
    assert.equal((await service.runQueued({ runId: q.runId }))[0]?.state, 'succeeded', JSON.stringify(await service.store.steps(q.runId)));
    assert.deepEqual((await fx.rows('out.quarantined')).map((r) => Number(r['id'])), [11, 13], 'the rest publishes');
    const held = await fx.rows('out.quarantined__dq_quarantine');
    assert.deepEqual(held.map((r) => Number(r['id'])), [12]);
    assert.match(String(held[0]?.['_dq_failed_rules']), /ColumnValues "amount" >= 0/);
  });

  test('a publish step publishes staged tables together, only after their checks pass', async () => {
    const service = await fx.service();
    const pipeline = (action: 'fail' | 'warn', minimum: number) =>
      definePipeline({
        name: `staged_${action}`,
        retries: { maxAttempts: 1 },
        steps: [
          { id: 'a', kind: 'sql', inputs: ['src.events'], output: `out.staged_${action}_a`, mode: 'append', sql: "SELECT id FROM src.events WHERE day = DATE '{{ ds }}'" },
          { id: 'b', kind: 'sql', inputs: ['src.events'], output: `out.staged_${action}_b`, mode: 'append', sql: "SELECT id, amount FROM src.events WHERE day = DATE '{{ ds }}'" },
          { id: 'check', kind: 'quality', table: `out.staged_${action}_b`, action: 'fail', rules: `Rules = [ RowCount >= ${minimum} ]` },
          { id: 'publish', kind: 'publish', dependsOn: ['check'], tables: [`out.staged_${action}_a`, `out.staged_${action}_b`] },
        ],
      });
    await service.register(pipeline('fail', 100));
    const blocked = await service.trigger('staged_fail', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: blocked.runId }))[0]?.state, 'failed');
    assert.deepEqual(Object.fromEntries((await service.store.steps(blocked.runId)).map((s) => [s.stepId, s.state])), { a: 'succeeded', b: 'succeeded', check: 'failed', publish: 'upstream_failed' });
    assert.deepEqual(await fx.rows('out.staged_fail_a'), [], 'nothing reached main');
    assert.deepEqual(await fx.rows('out.staged_fail_b'), []);

    await service.register(pipeline('warn', 1));
    const ok = await service.trigger('staged_warn', { logicalDate: DAY });
    assert.equal((await service.runQueued({ runId: ok.runId }))[0]?.state, 'succeeded');
    assert.equal((await fx.rows('out.staged_warn_a')).length, 3);
    assert.equal((await fx.rows('out.staged_warn_b')).length, 3);
  });

  test('merge-by-key replaces matching rows and inserts new ones', async () => {
    const service = await fx.service();
    await service.register(
      definePipeline({
        name: 'merger',
        steps: [{ id: 'm', kind: 'sql', inputs: ['src.events'], output: 'out.merged', mode: 'merge', mergeKeys: ['id'], sql: "SELECT id % 10 AS id, amount FROM src.events WHERE day = DATE '{{ ds }}'" }],
      }),
    );
    for (const date of ['2024-03-01', '2024-03-03']) {
      const run = await service.trigger('merger', { logicalDate: date });
      assert.equal((await service.runQueued({ runId: run.runId }))[0]?.state, 'succeeded');
    }
    assert.deepEqual((await fx.rows('out.merged')).map((r) => [Number(r['id']), Number(r['amount'])]), [[1, 21], [2, 22], [3, 23]], 'keys 1-3 replaced by the later day');
  });

  test('backfills queue behind fresh runs; --only-failed picks the failed dates; lineage and signed webhooks are recorded', async () => {
    const deliveries: { body: string; headers: IncomingMessage['headers'] }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        deliveries.push({ body, headers: req.headers });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const service = await fx.service({ globalConcurrency: 1 });
      await service.register(
        definePipeline({
          name: 'daily',
          retries: { maxAttempts: 1 },
          notifications: [{ url, secret: 'shh', events: ['run.failed'] }],
          steps: [
            { id: 'load', kind: 'sql', inputs: ['src.events'], output: 'out.daily', mode: 'overwrite-partitions', partitionBy: ['day'], sql: "SELECT id, day, amount FROM src.events WHERE day = DATE '{{ ds }}'" },
            { id: 'check', kind: 'quality', table: 'out.daily', action: 'fail', rules: `Rules = [ ColumnValues "amount" >= 0 where "day = DATE '{{ ds }}'" ]` },
          ],
        }),
      );
      const { runs } = await service.backfill('daily', { from: '2024-03-01', to: '2024-03-03', concurrency: 2 });
      assert.equal(runs.length, 3);
      const fresh = await service.trigger('daily', { logicalDate: '2024-03-04' });
      const finished = await service.runQueued();
      assert.equal(finished[0]?.run.runId, fresh.runId, 'the fresh run goes first');
      assert.deepEqual(finished.map((f) => [f.run.partition, f.state]).slice(1), [['2024-03-01', 'succeeded'], ['2024-03-02', 'failed'], ['2024-03-03', 'succeeded']]);

      const retry = await service.backfill('daily', { from: '2024-03-01', to: '2024-03-03', onlyFailed: true });
      assert.deepEqual(retry.runs.map((r) => r.partition), ['2024-03-02']);
      await service.runQueued();

      const failures = deliveries.map((d) => ({ ...d, json: JSON.parse(d.body) as { type: string; payload: { partition: string } } }));
      assert.deepEqual(failures.map((d) => [d.json.type, d.json.payload.partition]), [['run.failed', '2024-03-02'], ['run.failed', '2024-03-02']]);
      for (const d of failures) {
        assert.ok(verifySignature('shh', String(d.headers['x-strata-timestamp']), d.body, String(d.headers['x-strata-signature'])));
      }

      const lineage = await (await LineageStore.open(fx.home.catalog)).list({ runId: fresh.runId });
      assert.deepEqual(lineage.map((e) => e.eventType), ['START', 'COMPLETE']);
      const steps = await (await LineageStore.open(fx.home.catalog)).list({ jobName: 'daily.load' });
      const loadEvent = steps.find((e) => e.eventType === 'COMPLETE' && e.run.facets['parent'] !== undefined);
      assert.ok(loadEvent);
      assert.equal(loadEvent.inputs[0]?.name, 'src.events');
      assert.ok(loadEvent.inputs[0]?.facets['version'], 'inputs carry the snapshot read');
      assert.equal(loadEvent.outputs[0]?.name, 'out.daily');
    } finally {
      server.close();
    }
  });
});
