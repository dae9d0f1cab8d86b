import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome } from '../catalog/index.ts';
import { expectedDailyRollups, generateAdTech } from './adtech-data.ts';
import { runAdTechDemo } from './adtech-pipeline.ts';
import { PipelineService } from '../pipeline/index.ts';

const SCALE = 0.25;

test('the main job runs as a pipeline: curated numbers match an independent computation, bad rows are quarantined, a second run changes nothing', async () => {
  const home = await mkdtemp(join(tmpdir(), 'strata-adtech-'));
  try {
    const first = await runAdTechDemo({ home, scale: SCALE, log: () => undefined });
    assert.equal(first.upToDate, false);
    assert.equal(first.answer.length, 5);
    assert.equal(first.runs.length, 7, 'one run per day');
    assert.ok(first.runs.every((r) => r.state === 'succeeded'), JSON.stringify(first.runs));
    assert.deepEqual(first.runs.filter((r) => r.trigger === 'backfill').map((r) => r.date), ['2026-11-06', '2026-11-07']);

    const data = generateAdTech({ scale: SCALE });
    const expected = expectedDailyRollups(data);
    const strata = await openStrataHome(home);
    try {
      const curated = await strata.catalog.loadTable('curated.daily_campaign_stats');
      const actual = (await curated.read())
        .map((r) => ({
          event_date: String(r['event_date']),
          advertiser_id: Number(r['advertiser_id']),
          campaign_id: Number(r['campaign_id']),
          impressions: Number(r['impressions']),
          clicks: Number(r['clicks']),
          ctr: Number(r['ctr']),
          spend: Number(r['spend']),
        }))
        .sort((a, b) => a.event_date.localeCompare(b.event_date) || a.advertiser_id - b.advertiser_id || a.campaign_id - b.campaign_id);
      assert.equal(actual.length, expected.length);
      for (const [i, e] of expected.entries()) {
        const a = actual[i];
        assert.ok(a, `missing rollup ${JSON.stringify(e)}`);
        assert.deepEqual(
          { event_date: a.event_date, advertiser_id: a.advertiser_id, campaign_id: a.campaign_id, impressions: a.impressions, clicks: a.clicks },
          { event_date: e.event_date, advertiser_id: e.advertiser_id, campaign_id: e.campaign_id, impressions: e.impressions, clicks: e.clicks },
        );
        assert.ok(Math.abs(a.spend - e.spend) < 1e-6, `spend ${a.spend} vs ${e.spend}`);
        assert.ok(Math.abs(a.ctr - e.ctr) < 1e-12, `ctr ${a.ctr} vs ${e.ctr}`);
      }

      const quarantine = await (await strata.catalog.loadTable('raw.impressions__quarantine')).read();
      assert.equal(quarantine.length, data.malformed.length, 'every malformed partner line is quarantined, none dropped');
      assert.deepEqual(
        quarantine.map((q) => Number(q['line_number'])).sort((x, y) => x - y),
        data.malformed.map((m) => m.line),
      );

      // The partner's negative-spend rows failed the gate: quarantined with the rule, never on main.
      const dq = await (await strata.catalog.loadTable('processed.impressions__dq_quarantine')).read();
      assert.deepEqual(dq.map((r) => String(r['impression_id'])).sort(), data.partnerNegative.map((i) => i.impression_id).sort());
      assert.ok(dq.every((r) => String(r['_dq_failed_rules']).includes('ColumnValues "cost_micros" >= 0')));
      const processed = await (await strata.catalog.loadTable('processed.impressions')).read();
      assert.equal(processed.filter((r) => Number(r['cost_micros']) < 0).length, 0);

      const snapshotsBefore = await snapshotCounts(strata);
      const second = await runAdTechDemo({ home, scale: SCALE, log: () => undefined });
      assert.equal(second.upToDate, true);
      assert.deepEqual(second.answer, first.answer);
      assert.deepEqual(await snapshotCounts(strata), snapshotsBefore, 'no table got a new snapshot');

      // A late click lands in raw; a backfill of its day rebuilds that day (and only that day).
      const raw = await strata.catalog.loadTable('raw.clicks');
      const late = data.clicks[0];
      assert.ok(late);
      await raw.append({ sql: `SELECT 'late-click' AS click_id, '${late.impression_id}' AS impression_id, TIMESTAMPTZ '${late.ts}' AS ts,
        ${late.advertiser_id}::BIGINT AS advertiser_id, ${late.campaign_id}::BIGINT AS campaign_id, DATE '2026-11-21' AS _ingest_date,
        'manual' AS _source_file, 1::BIGINT AS _source_line` });
      const service = await PipelineService.open({ home: strata });
      try {
        const day = late.ts.slice(0, 10);
        const { runs } = await service.backfill('adtech_daily', { from: day, to: day });
        assert.equal(runs.length, 1);
        assert.deepEqual((await service.runQueued()).map((r) => r.state), ['succeeded']);
      } finally {
        await service.close();
      }
      const rebuilt = await (await strata.catalog.loadTable('curated.daily_campaign_stats')).read();
      const total = rebuilt.reduce((n, r) => n + Number(r['clicks']), 0);
      assert.equal(total, expected.reduce((n, r) => n + r.clicks, 0) + 1);
    } finally {
      await strata.close();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

async function snapshotCounts(strata: Awaited<ReturnType<typeof openStrataHome>>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const ns of await strata.catalog.listNamespaces()) {
    for (const id of await strata.catalog.listTables(ns)) {
      const name = [...id.namespace, id.name].join('.');
      counts[name] = (await strata.catalog.loadTable(name)).snapshots().length;
    }
  }
  return counts;
}
