/**
 * The main job (`strata demo`): an ad-tech pipeline on embedded defaults, end to end.
 *
 *   generate  deterministic impressions (NDJSON), clicks (CSV) and a partner batch with bad lines
 *   ingest    → raw.impressions, raw.clicks (malformed lines → raw.impressions__quarantine)
 *   process   → processed.impressions, processed.clicks: deduplicated, typed, partitioned by event date
 *   curate    → curated.daily_campaign_stats: impressions, clicks, CTR and spend per day and campaign
 *   answer    a sample question over the curated table
 *
 * Every step prints what it did (rows, bytes, files, time). Running it again changes nothing: the
 * input files are recognised by content and skipped, so no step has new input and no table gets a
 * new snapshot.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../catalog/index.ts';
import { DuckDbEngine } from '../engine/index.ts';
import { ingest, type IngestResult } from '../ingest/index.ts';
import { SqlSession } from '../sql/index.ts';
import { Types, field, type NestedField } from '../table/index.ts';
import { generateAdTech, writeAdTech } from './adtech-data.ts';

export interface AdTechDemoOptions {
  readonly home: string;
  readonly scale?: number;
  readonly log?: (line: string) => void;
}

export interface StepReport {
  readonly step: string;
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly ms: number;
  readonly note?: string;
}

export interface AdTechDemoReport {
  readonly steps: readonly StepReport[];
  readonly upToDate: boolean;
  readonly answer: readonly Record<string, unknown>[];
}

const IMPRESSION_COLUMNS: readonly NestedField[] = [
  field(1, 'impression_id', Types.string, true),
  field(2, 'ts', Types.timestamptz, true),
  field(3, 'advertiser_id', Types.long, true),
  field(4, 'campaign_id', Types.long, true),
  field(5, 'partner', Types.string),
  field(6, 'country', Types.string),
  field(7, 'device', Types.string),
  field(8, 'cost_micros', Types.long, true),
];

const CLICK_COLUMNS: readonly NestedField[] = [
  field(1, 'click_id', Types.string, true),
  field(2, 'impression_id', Types.string, true),
  field(3, 'ts', Types.timestamptz, true),
  field(4, 'advertiser_id', Types.long, true),
  field(5, 'campaign_id', Types.long, true),
];

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
  const strata = await openStrataHome(options.home);
  const engine = DuckDbEngine.create(strata.runtime);
  const session = await SqlSession.open({ catalog: strata.catalog, engine, runtime: strata.runtime });
  const steps: StepReport[] = [];
  const report = (s: StepReport) => {
    steps.push(s);
    const what = `${s.rows.toLocaleString('en-US')} rows, ${formatBytes(s.bytes)}, ${s.files} files`;
    log(`  ${s.step.padEnd(34)} ${what.padEnd(36)} ${String(Math.round(s.ms)).padStart(6)} ms${s.note ? `  ${s.note}` : ''}`);
  };
  try {
    log(`Strata home: ${strata.home}   (scale ${scale})`);
    await ensureDatabases(strata);

    let started = performance.now();
    const data = generateAdTech({ scale });
    const inputDir = join(strata.home, 'demo-input', `scale-${scale}`);
    const files = writeAdTech(inputDir, data);
    const inputFiles = [...files.impressions, ...files.clicks, files.partner];
    report({
      step: 'generate ad-tech events',
      rows: data.impressions.length + data.clicks.length + data.partnerLines.length,
      bytes: inputFiles.reduce((n, f) => n + statSync(f).size, 0),
      files: inputFiles.length,
      ms: performance.now() - started,
      note: `→ ${inputDir}`,
    });

    const ingestInto = async (step: string, paths: readonly string[], into: string, columns: readonly NestedField[], format: 'ndjson' | 'csv') => {
      const t0 = performance.now();
      const result = await ingest({ catalog: strata.catalog, lake: strata.lake, runtime: strata.runtime, paths, into, schema: columns, format });
      const bytes = await addedBytes(strata, into, result);
      const skipped = result.files.filter((f) => f.status === 'skipped').length;
      report({
        step,
        rows: result.written,
        bytes,
        files: result.files.length - skipped,
        ms: performance.now() - t0,
        note: [result.quarantined > 0 ? `${result.quarantined} quarantined` : '', skipped > 0 ? `${skipped} files already ingested` : ''].filter(Boolean).join(', '),
      });
      return result;
    };
    log('\n1. Ingest into the raw zone');
    await ingestInto('raw.impressions  ← ndjson', files.impressions, 'raw.impressions', IMPRESSION_COLUMNS, 'ndjson');
    await ingestInto('raw.impressions  ← partner batch', [files.partner], 'raw.impressions', IMPRESSION_COLUMNS, 'ndjson');
    await ingestInto('raw.clicks       ← csv', files.clicks, 'raw.clicks', CLICK_COLUMNS, 'csv');

    // Up to date when the curated table was built from exactly the raw snapshots there are now —
    // not merely "nothing new was ingested", which a run that crashed after ingesting would also see.
    const rawSnapshots = await rawSnapshotIds(strata);
    const curatedExists = await strata.catalog.tableExists('curated.daily_campaign_stats');
    const builtFrom = curatedExists ? (await strata.catalog.loadTable('curated.daily_campaign_stats')).metadata().properties[BUILT_FROM] : undefined;
    const upToDate = builtFrom === rawSnapshots;
    if (upToDate) {
      log('\n   No new input: processed and curated tables are up to date; nothing was rewritten.');
    } else {
      log('\n2. Process raw → processed (dedupe, conform types, partition by event date)');
      started = performance.now();
      await session.execute(PROCESSED_DDL);
      report(await write(session, 'processed.impressions', PROCESS_IMPRESSIONS, started));
      started = performance.now();
      report(await write(session, 'processed.clicks', PROCESS_CLICKS, started));

      log('\n3. Curate processed → curated (daily rollups per advertiser and campaign)');
      started = performance.now();
      await session.execute(CURATED_DDL);
      report(await write(session, 'curated.daily_campaign_stats', CURATE_DAILY, started));
      await (await strata.catalog.loadTable('curated.daily_campaign_stats')).updateProperties({ [BUILT_FROM]: rawSnapshots });
    }

    const question = sampleQuestion(scale);
    log(`\n4. ${question.text}`);
    const answer = await rowsOf(session, question.sql);
    for (const row of answer) {
      log(`   campaign ${String(row['campaign_id']).padEnd(6)} advertiser ${String(row['advertiser_id']).padEnd(3)} CTR ${(Number(row['ctr']) * 100).toFixed(2)}%  impressions ${Number(row['impressions']).toLocaleString('en-US').padStart(7)}  spend ${Number(row['spend']).toFixed(2)}`);
    }
    const quarantine = await rowsOf(session, `SELECT error_code, count(*) AS n FROM raw.impressions__quarantine GROUP BY ALL ORDER BY error_code`);
    log(`\n   Quarantined partner lines by reason: ${quarantine.map((r) => `${String(r['error_code'])}=${String(r['n'])}`).join(', ') || 'none'}`);
    return { steps, upToDate, answer };
  } finally {
    await session.close();
    await engine.close();
    await strata.close();
  }
}

/** Table property of the curated table: the raw tables' snapshot ids it was built from. */
const BUILT_FROM = 'strata.demo.built-from';

async function rawSnapshotIds(strata: StrataHome): Promise<string> {
  const ids: Record<string, string> = {};
  for (const name of ['raw.impressions', 'raw.clicks']) {
    ids[name] = (await strata.catalog.tableExists(name)) ? String((await strata.catalog.loadTable(name)).currentSnapshot()?.snapshotId ?? '') : '';
  }
  return JSON.stringify(ids);
}

async function ensureDatabases(strata: StrataHome): Promise<void> {
  const existing = new Set((await strata.catalog.listNamespaces()).map((ns) => ns.join('.')));
  for (const zone of ['raw', 'processed', 'curated'] as const) {
    if (!existing.has(zone)) await strata.catalog.createNamespace([zone], { zone });
  }
}

const PROCESSED_DDL = `
CREATE TABLE IF NOT EXISTS processed.impressions (
  impression_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, event_date DATE NOT NULL,
  advertiser_id BIGINT NOT NULL, campaign_id BIGINT NOT NULL, partner VARCHAR, country VARCHAR, device VARCHAR,
  cost_micros BIGINT NOT NULL
) PARTITIONED BY (event_date);
CREATE TABLE IF NOT EXISTS processed.clicks (
  click_id VARCHAR NOT NULL, impression_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL, event_date DATE NOT NULL,
  advertiser_id BIGINT NOT NULL, campaign_id BIGINT NOT NULL
) PARTITIONED BY (event_date)`;

// Dynamic partition overwrite: every event date present in raw is rebuilt from all of raw, so
// re-running the step converges to the same rows. Duplicates (ad-server retries) keep the first copy.
const PROCESS_IMPRESSIONS = `
INSERT OVERWRITE processed.impressions
SELECT impression_id, ts, CAST(ts AT TIME ZONE 'UTC' AS DATE) AS event_date, advertiser_id, campaign_id,
       partner, country, device, cost_micros
FROM raw.impressions
QUALIFY row_number() OVER (PARTITION BY impression_id ORDER BY _ingest_date, _source_file, _source_line) = 1`;

const PROCESS_CLICKS = `
INSERT OVERWRITE processed.clicks
SELECT click_id, impression_id, ts, CAST(ts AT TIME ZONE 'UTC' AS DATE) AS event_date, advertiser_id, campaign_id
FROM raw.clicks
QUALIFY row_number() OVER (PARTITION BY click_id ORDER BY _ingest_date, _source_file, _source_line) = 1`;

const CURATED_DDL = `
CREATE TABLE IF NOT EXISTS curated.daily_campaign_stats (
  event_date DATE NOT NULL, advertiser_id BIGINT NOT NULL, campaign_id BIGINT NOT NULL,
  impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, ctr DOUBLE NOT NULL, spend DECIMAL(18, 6) NOT NULL
) PARTITIONED BY (event_date)`;

const CURATE_DAILY = `
INSERT OVERWRITE curated.daily_campaign_stats
WITH imp AS (
  SELECT event_date, advertiser_id, campaign_id, count(*) AS impressions, sum(cost_micros) AS spend_micros
  FROM processed.impressions GROUP BY ALL
), clk AS (
  SELECT event_date, advertiser_id, campaign_id, count(*) AS clicks FROM processed.clicks GROUP BY ALL
)
SELECT coalesce(imp.event_date, clk.event_date) AS event_date,
       coalesce(imp.advertiser_id, clk.advertiser_id) AS advertiser_id,
       coalesce(imp.campaign_id, clk.campaign_id) AS campaign_id,
       coalesce(imp.impressions, 0) AS impressions,
       coalesce(clk.clicks, 0) AS clicks,
       CASE WHEN coalesce(imp.impressions, 0) = 0 THEN 0 ELSE coalesce(clk.clicks, 0) / imp.impressions END AS ctr,
       CAST(coalesce(imp.spend_micros, 0) AS DECIMAL(18, 6)) / 1000000 AS spend
FROM imp FULL OUTER JOIN clk USING (event_date, advertiser_id, campaign_id)`;

async function write(session: SqlSession, table: string, sql: string, started: number): Promise<StepReport> {
  const result = await session.execute(sql);
  const summary = await lastSummary(session, table);
  return {
    step: table,
    rows: Number(summary['added-records'] ?? (result.kind === 'ok' ? (result.rowCount ?? 0) : 0)),
    bytes: Number(summary['added-files-size'] ?? 0),
    files: Number(summary['added-data-files'] ?? 0),
    ms: performance.now() - started,
    note: summary['deleted-data-files'] ? `replaced ${summary['deleted-data-files']} files` : '',
  };
}

async function lastSummary(session: SqlSession, table: string): Promise<Record<string, string>> {
  const rows = await rowsOf(session, `SELECT summary FROM ${table}$snapshots ORDER BY committed_at DESC LIMIT 1`);
  const raw = rows[0]?.['summary'];
  if (typeof raw === 'string') return JSON.parse(raw) as Record<string, string>;
  return (raw ?? {}) as Record<string, string>;
}

async function addedBytes(strata: StrataHome, table: string, result: IngestResult): Promise<number> {
  if (result.snapshotId === undefined) return 0;
  const t = await strata.catalog.loadTable(table);
  const snapshot = t.snapshots().find((s) => s.snapshotId === result.snapshotId);
  return Number(snapshot?.summary['added-files-size'] ?? 0);
}

async function rowsOf(session: SqlSession, sql: string): Promise<Record<string, unknown>[]> {
  const result = await session.execute(sql);
  if (result.kind !== 'rows') return [];
  const rows: Record<string, unknown>[] = [];
  for await (const batch of result.rows) {
    for (const row of batch) rows.push(Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
  }
  return rows;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
