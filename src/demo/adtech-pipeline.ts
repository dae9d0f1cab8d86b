/**
 * The main job (`strata demo`): an ad-tech pipeline on embedded defaults, end to end, run by
 * Strata's pipeline service (adtech-daily-pipeline.ts defines the DAG).
 *
 *   generate  deterministic impressions (NDJSON), clicks (CSV) and a partner batch with malformed
 *             lines (ingest quarantines them) and negative spend (the quality gate quarantines it)
 *   daily     one pipeline run per day of data: ingest → process (write-audit-publish behind a DQDL
 *             gate) → curate → check
 *   backfill  the last two days, as if the scheduler had been down: a backfill with concurrency 2
 *   answer    a sample question over the curated table, and what was quarantined and why
 *
 * Running it again changes nothing: every day already has a successful run, so no run starts and
 * no table gets a new snapshot. A day is rebuilt by a backfill (`strata pipeline backfill
 * adtech_daily --from … --to …`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStrataHome, type StrataHome, type StrataHomeOptions } from '../catalog/index.ts';
import { PipelineService, rowsOf, type FinishedRun, type LeasedEngine, type SparkCompute } from '../pipeline/index.ts';
import { SqlSession } from '../sql/index.ts';
import { DuckDbEngine } from '../engine/index.ts';
import { generateAdTech, writeAdTech } from './adtech-data.ts';
import { ADTECH_PIPELINE, adTechDailyPipeline } from './adtech-daily-pipeline.ts';

export interface AdTechDemoOptions {
  readonly home: string;
  /** The catalog database and the lake (`strata demo` passes the config's `catalog.url` and `lake.*`); absent: embedded defaults. */
  readonly homeOptions?: StrataHomeOptions;
  readonly scale?: number;
  readonly log?: (line: string) => void;
  /**
   * Run every SQL and quality step on Spark: the demo takes one engine from here for all its runs
   * (`strata demo --engine spark` starts a transient cluster) and gives it back at the end.
   */
  readonly spark?: (strata: StrataHome) => SparkCompute;
}

export interface DemoRun {
  readonly date: string;
  readonly runId: string;
  readonly trigger: string;
  readonly state: string;
}

export interface AdTechDemoReport {
  readonly runs: readonly DemoRun[];
  readonly upToDate: boolean;
  readonly answer: readonly Record<string, unknown>[];
}

const IMPRESSION_SCHEMA = {
  impression_id: 'string not null',
  ts: 'timestamptz not null',
  advertiser_id: 'long not null',
  campaign_id: 'long not null',
  partner: 'string',
  country: 'string',
  device: 'string',
  cost_micros: 'long not null',
};

const CLICK_SCHEMA = {
  click_id: 'string not null',
  impression_id: 'string not null',
  ts: 'timestamptz not null',
  advertiser_id: 'long not null',
  campaign_id: 'long not null',
};

/** Days run by the backfill instead of daily runs: the last ones, as if the scheduler had been down. */
const BACKFILL_DAYS = 2;

/** The sample question the demo answers from the curated table; the volume bar grows with the scale. */
export function sampleQuestion(scale: number): { readonly text: string; readonly sql: string } {
  const minImpressions = Math.max(100, Math.round(1000 * scale));
  return {
    text: `Which 5 campaigns had the best CTR over the week (at least ${minImpressions.toLocaleString('en-US')} impressions), and what did they spend?`,
    sql: `
SELECT campaign_id, advertiser_id, sum(impressions) AS impressions, sum(clicks) AS clicks,
       sum(clicks) / sum(impressions) AS ctr, sum(spend) AS spend
FROM curated.daily_campaign_stats
GROUP BY ALL HAVING sum(impressions) >= ${minImpressions}
ORDER BY ctr DESC, campaign_id
LIMIT 5`,
  };
}

export async function runAdTechDemo(options: AdTechDemoOptions): Promise<AdTechDemoReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const scale = options.scale ?? 1;
  const strata = await openStrataHome(options.home, {}, options.homeOptions ?? {});
  const engine = DuckDbEngine.create(strata.runtime);
  const session = await SqlSession.open({ catalog: strata.catalog, engine, runtime: strata.runtime });
  let spark: LeasedEngine | undefined;
  let service: PipelineService | undefined;
  try {
    if (options.spark) {
      log('Starting Spark for the demo (a transient cluster; 10–60 s)…');
      spark = await options.spark(strata).acquire('transient');
    }
    const engineForRuns = spark?.engine;
    const pipelines = await PipelineService.open({
      home: strata,
      log: () => undefined,
      // Every run borrows the demo's one cluster; the demo stops it at the end.
      ...(engineForRuns ? { spark: { acquire: async () => Promise.resolve({ engine: engineForRuns, release: async () => Promise.resolve() }) } } : {}),
    });
    service = pipelines;
    log(`Strata home: ${strata.home}   lake: ${strata.lake.root.uri('raw').replace(/\/raw$/, '')}   (scale ${scale})`);
    await ensureDatabases(strata);
    const started = performance.now();
    const data = generateAdTech({ scale });
    const inputDir = join(strata.home, 'demo-input', `scale-${scale}`);
    writeAdTech(inputDir, data);
    writeFileSync(join(inputDir, 'impressions.schema.json'), JSON.stringify(IMPRESSION_SCHEMA, null, 2));
    writeFileSync(join(inputDir, 'clicks.schema.json'), JSON.stringify(CLICK_SCHEMA, null, 2));
    log(`\n1. Generated ${(data.impressions.length + data.clicks.length + data.partnerLines.length).toLocaleString('en-US')} ad-tech events for ${data.days.length} days → ${inputDir}  (${ms(started)})`);

    const definition = adTechDailyPipeline(inputDir, spark ? 'spark' : 'duckdb');
    const version = await service.register(definition, 'src/demo/adtech-daily-pipeline.ts');
    log(`   Pipeline ${ADTECH_PIPELINE} (version ${version.version}, SQL on ${spark ? 'spark' : 'duckdb'}): ${definition.steps.map((s) => `${s.id} [${s.kind}]`).join(' → ')}`);

    const first = data.days[0] ?? '';
    const last = data.days.at(-1) ?? '';
    const latest = new Map((await service.store.latestRunsByPartition(ADTECH_PIPELINE, first, last)).map((r) => [r.partition, r.state]));
    const pending = data.days.filter((d) => latest.get(d) !== 'succeeded');
    const runs: DemoRun[] = [];
    const report = async (finished: readonly FinishedRun[]) => {
      for (const { run, state } of [...finished].sort((a, b) => a.run.partition.localeCompare(b.run.partition))) {
        runs.push({ date: run.partition, runId: run.runId, trigger: run.trigger, state });
        log(`   ${run.partition}  ${run.trigger.padEnd(8)} ${state.padEnd(9)} ${await stepSummary(pipelines, run.runId)}`);
      }
    };
    if (pending.length === 0) {
      log('\n   Every day already has a successful run: nothing to do, no table was rewritten.');
    } else {
      const backfilled = pending.length > BACKFILL_DAYS ? pending.slice(-BACKFILL_DAYS) : [];
      const daily = pending.slice(0, pending.length - backfilled.length);
      log(`\n2. Daily runs (one per logical date; raw → processed behind a DQDL gate → curated)`);
      for (const date of daily) {
        const t0 = performance.now();
        const run = await service.trigger(ADTECH_PIPELINE, { logicalDate: date });
        await report(await service.runQueued({ runId: run.runId }));
        log(`              ${ms(t0)}`);
      }
      const from = backfilled[0];
      const to = backfilled.at(-1);
      if (from !== undefined && to !== undefined) {
        log(`\n3. Backfill ${from} … ${to} (the scheduler was down), two runs at a time`);
        const t0 = performance.now();
        await service.backfill(ADTECH_PIPELINE, { from, to, concurrency: 2 });
        await report(await service.runQueued());
        log(`              ${ms(t0)}`);
      }
    }

    const question = sampleQuestion(scale);
    log(`\n4. ${question.text}`);
    const answer = await rowsOf(session, question.sql);
    for (const row of answer) {
      log(`   campaign ${String(row['campaign_id']).padEnd(6)} advertiser ${String(row['advertiser_id']).padEnd(3)} CTR ${(Number(row['ctr']) * 100).toFixed(2)}%  impressions ${Number(row['impressions']).toLocaleString('en-US').padStart(7)}  spend ${Number(row['spend']).toFixed(2)}`);
    }
    const malformed = await rowsOf(session, `SELECT error_code, count(*) AS n FROM raw.impressions__quarantine GROUP BY ALL ORDER BY error_code`);
    log(`\n5. Quarantined, not dropped:`);
    log(`   malformed partner lines (ingest, raw.impressions__quarantine): ${malformed.map((r) => `${String(r['error_code'])}=${String(r['n'])}`).join(', ') || 'none'}`);
    if (await strata.catalog.tableExists('processed.impressions__dq_quarantine')) {
      const failed = await rowsOf(session, `SELECT _dq_failed_rules AS rules, count(*) AS n FROM processed.impressions__dq_quarantine GROUP BY ALL ORDER BY 1`);
      log(`   rows failing the quality gate (processed.impressions__dq_quarantine): ${failed.map((r) => `${String(r['rules'])} → ${String(r['n'])}`).join(', ')}`);
    }
    log(`\n   Look around: strata pipeline runs · strata pipeline show <run> · strata quality results · strata pipeline lineage <run>`);
    return { runs, upToDate: pending.length === 0, answer };
  } finally {
    await service?.close();
    await spark?.release();
    await session.close();
    await engine.close();
    await strata.close();
  }
}

async function stepSummary(service: PipelineService, runId: string): Promise<string> {
  const parts: string[] = [];
  for (const step of await service.store.steps(runId)) {
    const output = step.output ? (JSON.parse(step.output) as { outputs?: { rows?: number }[]; quality?: { quarantined?: { rows: number } }[]; note?: string }) : {};
    const rows = output.outputs?.[0]?.rows;
    const quarantined = output.quality?.find((q) => q.quarantined)?.quarantined?.rows;
    const detail = [rows !== undefined ? `${rows.toLocaleString('en-US')} rows` : '', quarantined ? `${quarantined} quarantined` : '', step.attempts > 1 ? `${step.attempts} attempts` : '']
      .filter(Boolean)
      .join(', ');
    parts.push(step.state === 'succeeded' ? (detail ? `${step.stepId}(${detail})` : step.stepId) : `${step.stepId}=${step.state}`);
  }
  return parts.join(' ');
}

async function ensureDatabases(strata: StrataHome): Promise<void> {
  const existing = new Set((await strata.catalog.listNamespaces()).map((ns) => ns.join('.')));
  for (const zone of ['raw', 'processed', 'curated'] as const) {
    if (!existing.has(zone)) await strata.catalog.createNamespace([zone], { zone });
  }
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since).toLocaleString('en-US')} ms`;
}
