/**
 * The main job's pipeline: one day of ad-tech data from files to the curated rollup, per logical
 * date `{{ ds }}`.
 *
 *   ingest_impressions ─┐
 *                       ├─ process_impressions (audit: DQDL gate, quarantine) ─┐
 *   ingest_clicks ──────┴─ process_clicks ──────────────────────────────────────┴─ curate_daily ─ check_curated
 *
 * The processed impressions are written with write-audit-publish: the day's rows land on a branch,
 * the gate checks them there (ids complete, no negative spend, no events from the future, some
 * rows at all), rows failing a row-level rule move to `processed.impressions__dq_quarantine` with
 * the rule they broke, and main fast-forwards to the rest. Every SQL step overwrites only its day's
 * partition, so rerunning a day (a retry, a redrive, a backfill) converges to the same rows.
 */
import { definePipeline, type StepEngine } from '../pipeline/index.ts';

export const ADTECH_PIPELINE = 'adtech_daily';

/**
 * The pipeline over the generated files in `inputDir`. Its SQL is the subset both engines share,
 * so `engine: 'spark'` runs every SQL and quality step on Spark unchanged (no QUALIFY, no AT TIME
 * ZONE: sessions run in UTC on both engines).
 */
export function adTechDailyPipeline(inputDir: string, engine: StepEngine = 'duckdb') {
  return definePipeline({
    name: ADTECH_PIPELINE,
    engine,
    description: 'Ad-tech events: raw → processed (deduplicated, typed, gated) → curated daily campaign stats',
    schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    concurrency: 2,
    retries: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 },
    steps: [
      { id: 'ingest_impressions', kind: 'ingest', paths: [`${inputDir}/impressions/*-{{ ds }}.ndjson`], into: 'raw.impressions', format: 'ndjson', schema: `${inputDir}/impressions.schema.json` },
      { id: 'ingest_clicks', kind: 'ingest', paths: [`${inputDir}/clicks/clicks-{{ ds }}.csv`], into: 'raw.clicks', format: 'csv', schema: `${inputDir}/clicks.schema.json` },
      {
        id: 'process_impressions',
        kind: 'sql',
        dependsOn: ['ingest_impressions'],
        inputs: ['raw.impressions'],
        output: 'processed.impressions',
        mode: 'overwrite-partitions',
        partitionBy: ['event_date'],
        sql: `
SELECT impression_id, ts, event_date, advertiser_id, campaign_id, partner, country, device, cost_micros
FROM (
  SELECT impression_id, ts, CAST(ts AS DATE) AS event_date, advertiser_id, campaign_id, partner, country, device, cost_micros,
         row_number() OVER (PARTITION BY impression_id ORDER BY _ingest_date, _source_file, _source_line) AS copy
  FROM raw.impressions
  WHERE ts >= TIMESTAMPTZ '{{ ds }} 00:00:00+00' AND ts < TIMESTAMPTZ '{{ next_ds }} 00:00:00+00'
) AS numbered
WHERE copy = 1`,
        audit: {
          action: 'quarantine',
          where: "event_date = DATE '{{ ds }}'",
          rules: `Rules = [
  RowCount > 0,
  IsComplete "impression_id",
  ColumnValues "cost_micros" >= 0,
  ColumnValues "ts" <= now()
]`,
        },
      },
      {
        id: 'process_clicks',
        kind: 'sql',
        dependsOn: ['ingest_clicks'],
        inputs: ['raw.clicks'],
        output: 'processed.clicks',
        mode: 'overwrite-partitions',
        partitionBy: ['event_date'],
        sql: `
SELECT click_id, impression_id, ts, event_date, advertiser_id, campaign_id
FROM (
  SELECT click_id, impression_id, ts, CAST(ts AS DATE) AS event_date, advertiser_id, campaign_id,
         row_number() OVER (PARTITION BY click_id ORDER BY _ingest_date, _source_file, _source_line) AS copy
  FROM raw.clicks
  WHERE ts >= TIMESTAMPTZ '{{ ds }} 00:00:00+00' AND ts < TIMESTAMPTZ '{{ next_ds }} 00:00:00+00'
) AS numbered
WHERE copy = 1`,
      },
      {
        id: 'curate_daily',
        kind: 'sql',
        inputs: ['processed.impressions', 'processed.clicks'],
        output: 'curated.daily_campaign_stats',
        mode: 'overwrite-partitions',
        partitionBy: ['event_date'],
        sql: `
WITH imp AS (
  SELECT event_date, advertiser_id, campaign_id, count(*) AS impressions, sum(cost_micros) AS spend_micros
  FROM processed.impressions WHERE event_date = DATE '{{ ds }}' GROUP BY ALL
), clk AS (
  SELECT event_date, advertiser_id, campaign_id, count(*) AS clicks
  FROM processed.clicks WHERE event_date = DATE '{{ ds }}' GROUP BY ALL
)
SELECT coalesce(imp.event_date, clk.event_date) AS event_date,
       coalesce(imp.advertiser_id, clk.advertiser_id) AS advertiser_id,
       coalesce(imp.campaign_id, clk.campaign_id) AS campaign_id,
       coalesce(imp.impressions, 0) AS impressions,
       coalesce(clk.clicks, 0) AS clicks,
       CASE WHEN coalesce(imp.impressions, 0) = 0 THEN 0 ELSE coalesce(clk.clicks, 0) / imp.impressions END AS ctr,
       CAST(coalesce(imp.spend_micros, 0) / 1000000 AS DECIMAL(18, 6)) AS spend
FROM imp FULL OUTER JOIN clk USING (event_date, advertiser_id, campaign_id)`,
      },
      {
        id: 'check_curated',
        kind: 'quality',
        table: 'curated.daily_campaign_stats',
        action: 'fail',
        rules: `Rules = [
  ColumnValues "ctr" between -0.000001 and 1.000001 where "event_date = DATE '{{ ds }}'",
  IsComplete "campaign_id"
]`,
      },
    ],
  });
}
