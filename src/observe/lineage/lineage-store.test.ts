import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { SqlSession } from '../../sql/index.ts';
import { LINEAGE_TABLE_ID, LineageStore } from './lineage-store.ts';
import { runEvent, type RunEvent } from './openlineage-event.ts';

const PIPELINE_RUN = '11111111-2222-4333-8444-555555555555';
const STEP_RUN = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const OTHER_RUN = 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff';
const SNAPSHOT = 9_007_199_254_740_993n;

describe('LineageStore on system.lineage_events', () => {
  let dir: string;
  let home: StrataHome;
  let store: LineageStore;
  const ns = 'strata://test-lake';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-lineage-'));
    home = await openStrataHome(dir, { threads: 1 });
    store = await LineageStore.open(home.catalog);
  });
  after(async () => {
    await home.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = (iso: string) => new Date(iso);
  const pipelineStart = () => runEvent({ eventType: 'START', eventTime: at('2026-03-01T02:00:00Z'), runId: PIPELINE_RUN, job: { namespace: 'strata://pipelines', name: 'daily_sales' } });
  const stepStart = () =>
    runEvent({
      eventType: 'START',
      eventTime: at('2026-03-01T02:00:01Z'),
      runId: STEP_RUN,
      job: { namespace: 'strata://pipelines', name: 'daily_sales.aggregate' },
      parent: { runId: PIPELINE_RUN, namespace: 'strata://pipelines', name: 'daily_sales' },
      inputs: [{ namespace: ns, name: 'sales.orders', snapshotId: SNAPSHOT }],
    });
  const stepComplete = () =>
    runEvent({
      eventType: 'COMPLETE',
      eventTime: at('2026-03-01T02:00:05Z'),
      runId: STEP_RUN,
      job: { namespace: 'strata://pipelines', name: 'daily_sales.aggregate' },
      parent: { runId: PIPELINE_RUN, namespace: 'strata://pipelines', name: 'daily_sales' },
      inputs: [{ namespace: ns, name: 'sales.orders', snapshotId: SNAPSHOT }, { namespace: ns, name: 'sales.customers', snapshotId: 42n }],
      outputs: [{ namespace: ns, name: 'sales.daily', snapshotId: 7138412931840938134n, rowCount: 31 }],
    });
  const pipelineComplete = () => runEvent({ eventType: 'COMPLETE', eventTime: at('2026-03-01T02:00:05Z'), runId: PIPELINE_RUN, job: { namespace: 'strata://pipelines', name: 'daily_sales' } });
  const otherFail = () =>
    runEvent({ eventType: 'FAIL', eventTime: at('2026-03-03T09:30:00Z'), runId: OTHER_RUN, job: { namespace: 'strata://pipelines', name: 'hourly' }, error: { message: 'boom', code: 'STEP_FAILED' } });

  test('records a batch in one commit in the system zone and reads it back whole', async () => {
    const table = await home.catalog.loadTable(LINEAGE_TABLE_ID);
    assert.match(table.metadata().location, /\/system\//);
    assert.equal(table.currentSnapshot(), undefined);
    assert.deepEqual(await store.list(), [], 'an empty table lists nothing');

    const written: RunEvent[] = [stepComplete(), pipelineStart(), stepStart(), pipelineComplete()];
    await store.record(written);
    await store.record([]);
    await table.refresh();
    assert.equal(table.snapshots().length, 1, 'four events, one commit; an empty batch commits nothing');

    const listed = await store.list();
    assert.deepEqual(listed, [pipelineStart(), stepStart(), pipelineComplete(), stepComplete()], 'oldest first; START sorts before COMPLETE at the same time');
    const complete = listed.find((e) => e.run.runId === STEP_RUN && e.eventType === 'COMPLETE');
    assert.equal(complete?.outputs[0]?.facets['version']?.['datasetVersion'], '7138412931840938134', 'int64 kept exactly through the table');
  });

  test('filters by run, job, time, and keeps the latest N', async () => {
    await store.record([otherFail()]);
    assert.deepEqual((await store.list({ runId: STEP_RUN })).map((e) => e.eventType), ['START', 'COMPLETE']);
    assert.deepEqual((await store.list({ runId: STEP_RUN.toUpperCase() })).length, 2, 'run ids match case-insensitively');
    assert.deepEqual((await store.list({ jobName: 'daily_sales' })).map((e) => `${e.job.name}:${e.eventType}`), ['daily_sales:START', 'daily_sales:COMPLETE']);
    assert.deepEqual((await store.list({ since: at('2026-03-02T00:00:00Z') })).map((e) => e.run.runId), [OTHER_RUN]);
    assert.deepEqual((await store.list({ since: at('2026-03-01T02:00:05Z') })).length, 3, 'since is inclusive');
    assert.deepEqual((await store.list({ limit: 2 })).map((e) => e.eventType), ['COMPLETE', 'FAIL'], 'the two most recent, oldest first');
    assert.deepEqual(await store.list({ jobName: 'nope' }), []);
    await assert.rejects(store.list({ limit: 0 }), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });

  test('exports NDJSON, one parseable event per line', async () => {
    const ndjson = await store.exportJson({ runId: STEP_RUN });
    assert.ok(ndjson.endsWith('\n'));
    const lines = ndjson.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    const events = lines.map((l) => JSON.parse(l) as RunEvent);
    assert.deepEqual(events, [stepStart(), stepComplete()]);
    assert.ok(lines[1]?.includes('"datasetVersion":"9007199254740993"'));
    assert.equal(await store.exportJson({ jobName: 'nope' }), '');
  });

  test('is an ordinary table: SQL sees the columns, inputs as db.table@snapshot', async () => {
    const engine = DuckDbEngine.create(home.runtime, { poolSize: 1 });
    const session = await SqlSession.open({ catalog: home.catalog, engine });
    try {
      const result = await session.execute(
        `SELECT event_type, parent_run_id, job_namespace, inputs, outputs FROM ${LINEAGE_TABLE_ID} WHERE run_id = '${STEP_RUN}' AND event_type = 'COMPLETE'`,
      );
      assert.equal(result.kind, 'rows');
      const rows: unknown[][] = [];
      if (result.kind === 'rows') for await (const batch of result.rows) rows.push(...batch);
      assert.deepEqual(rows, [['COMPLETE', PIPELINE_RUN, 'strata://pipelines', `sales.orders@${SNAPSHOT},sales.customers@42`, 'sales.daily@7138412931840938134']]);
      const failures = await session.execute(
        `SELECT job_name, json_extract_string(event, '$.run.facets.errorMessage.message') FROM ${LINEAGE_TABLE_ID} WHERE event_type = 'FAIL' AND outputs NOT LIKE '%sales.daily@%'`,
      );
      const failed: unknown[][] = [];
      if (failures.kind === 'rows') for await (const batch of failures.rows) failed.push(...batch);
      assert.deepEqual(failed, [['hourly', 'boom']], 'the full event is queryable as JSON');
    } finally {
      await session.close();
      await engine.close();
    }
  });

  test('a second store on the same catalog sees the same table', async () => {
    const again = await LineageStore.open(home.catalog);
    assert.equal((await again.list()).length, 5);
  });

  test('refuses an event whose run id is not a UUID, writing nothing', async () => {
    const bad = { ...otherFail(), run: { runId: 'not-a-uuid', facets: {} } };
    await assert.rejects(store.record([otherFail(), bad]), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
    assert.equal((await store.list()).length, 5);
  });
});
