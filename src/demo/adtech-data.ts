/**
 * The main job's data set: deterministic ad-tech events — impressions and clicks over several days
 * for advertisers with a heavy skew (a few advertisers buy most impressions), a small share of
 * duplicate events (as real ad servers retry), and one partner batch with malformed lines that
 * ingestion must quarantine and well-formed lines with negative spend that the pipeline's quality
 * gate must quarantine. `--scale N` multiplies the volume; the same scale and seed always give
 * byte-identical files.
 *
 * Files written (under `dir`):
 *   impressions/impressions-YYYY-MM-DD.ndjson   one JSON object per line
 *   clicks/clicks-YYYY-MM-DD.csv                header row, RFC 4180
 *   impressions/partner-x-YYYY-MM-DD.ndjson     impressions from a partner, with malformed lines
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../core/index.ts';

export interface AdTechOptions {
  readonly scale?: number;
  readonly seed?: number;
  readonly days?: number;
  /** First event day, UTC, `YYYY-MM-DD`. */
  readonly startDate?: string;
}

export interface Impression {
  readonly impression_id: string;
  readonly ts: string;
  readonly advertiser_id: number;
  readonly campaign_id: number;
  readonly partner: string;
  readonly country: string;
  readonly device: string;
  /** Spend for this impression in micro-currency units (cost per mille / 1000, in micros). */
  readonly cost_micros: number;
}

export interface Click {
  readonly click_id: string;
  readonly impression_id: string;
  readonly ts: string;
  readonly advertiser_id: number;
  readonly campaign_id: number;
}

/** Why a partner line is malformed; the ingest's quarantine must hold exactly these. */
export type MalformedKind = 'not-json' | 'type-mismatch' | 'missing-field' | 'oversize' | 'bad-timestamp';

export interface AdTechDataSet {
  readonly impressions: readonly Impression[];
  readonly clicks: readonly Click[];
  /** Good partner impressions (they count like any other impression). */
  readonly partnerImpressions: readonly Impression[];
  /** Well-formed partner impressions with negative spend: the quality gate quarantines them. */
  readonly partnerNegative: readonly Impression[];
  readonly malformed: readonly { readonly line: number; readonly kind: MalformedKind; readonly text: string }[];
  /** The partner batch file's lines, good and malformed, in file order. */
  readonly partnerLines: readonly string[];
  readonly days: readonly string[];
}

const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN'];
const DEVICES = ['mobile', 'desktop', 'tablet', 'ctv'];
const PARTNERS = ['exchange-a', 'exchange-b', 'exchange-c'];

export function generateAdTech(options: AdTechOptions = {}): AdTechDataSet {
  const scale = options.scale ?? 1;
  const rng = new SeededRandom(options.seed ?? 20261101);
  const dayCount = options.days ?? 7;
  const start = Date.parse(`${options.startDate ?? '2026-11-01'}T00:00:00Z`);
  const days = Array.from({ length: dayCount }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));

  // Advertisers with Zipf-like weights: advertiser 1 is about as big as the next ten together.
  const advertisers = 25;
  const cumulative: number[] = [];
  for (let a = 1, sum = 0; a <= advertisers; a++) cumulative.push((sum += 1 / a ** 1.3));
  const campaignsOf = (advertiser: number) => 2 + (advertiser % 4);
  const ctrOf = (advertiser: number, campaign: number) => 0.01 + ((advertiser * 7 + campaign * 13) % 40) / 1000;

  const impressions: Impression[] = [];
  const clicks: Click[] = [];
  const perDay = Math.round(4_000 * scale);
  const makeImpression = (day: number, partner?: string): Impression => {
    const advertiser_id = rng.weighted(cumulative) + 1;
    const campaign_id = advertiser_id * 100 + rng.int(1, campaignsOf(advertiser_id));
    const ms = start + day * 86_400_000 + rng.int(0, 86_399_999);
    return {
      impression_id: rng.hexId(),
      ts: new Date(ms).toISOString(),
      advertiser_id,
      campaign_id,
      partner: partner ?? rng.pick(PARTNERS),
      country: rng.pick(COUNTRIES),
      device: rng.pick(DEVICES),
      cost_micros: rng.int(200, 4_000),
    };
  };
  for (let d = 0; d < dayCount; d++) {
    for (let i = 0; i < perDay; i++) {
      const imp = makeImpression(d);
      impressions.push(imp);
      if (rng.next() < ctrOf(imp.advertiser_id, imp.campaign_id)) {
        const clickMs = Math.min(Date.parse(imp.ts) + rng.int(1_000, 600_000), start + (d + 1) * 86_400_000 - 1);
        clicks.push({
          click_id: rng.hexId(),
          impression_id: imp.impression_id,
          ts: new Date(clickMs).toISOString(),
          advertiser_id: imp.advertiser_id,
          campaign_id: imp.campaign_id,
        });
      }
      // Ad servers retry: about 1% of impressions are logged twice.
      if (rng.next() < 0.01) impressions.push(imp);
    }
  }

  const partnerImpressions: Impression[] = [];
  const malformed: { line: number; kind: MalformedKind; text: string }[] = [];
  const partnerLines: string[] = [];
  const partnerNegative: Impression[] = [];
  const partnerDay = Math.min(2, dayCount - 1);
  const partnerCount = Math.round(500 * scale);
  const kinds: MalformedKind[] = ['not-json', 'type-mismatch', 'missing-field', 'oversize', 'bad-timestamp'];
  for (let i = 0; i < partnerCount; i++) {
    if (i % 50 === 7) {
      const kind = kinds[(i / 50) % kinds.length | 0] ?? 'not-json';
      const imp = makeImpression(partnerDay, 'partner-x');
      const text = malformedLine(kind, imp);
      malformed.push({ line: partnerLines.length + 1, kind, text });
      partnerLines.push(text);
    } else if (i % 50 === 23) {
      const imp = { ...makeImpression(partnerDay, 'partner-x'), cost_micros: -rng.int(200, 4_000) };
      partnerNegative.push(imp);
      partnerLines.push(JSON.stringify(imp));
    } else {
      const imp = makeImpression(partnerDay, 'partner-x');
      partnerImpressions.push(imp);
      partnerLines.push(JSON.stringify(imp));
    }
  }
  return { impressions, clicks, partnerImpressions, partnerNegative, malformed, partnerLines, days };
}

function malformedLine(kind: MalformedKind, imp: Impression): string {
  switch (kind) {
    case 'not-json':
      return JSON.stringify(imp).slice(0, 40) + '…';
    case 'type-mismatch':
      return JSON.stringify({ ...imp, cost_micros: 'twelve' });
    case 'missing-field': {
      const { impression_id: _dropped, ...rest } = imp;
      return JSON.stringify(rest);
    }
    case 'oversize':
      return JSON.stringify({ ...imp, country: 'X'.repeat(2 * 1024 * 1024) });
    case 'bad-timestamp':
      return JSON.stringify({ ...imp, ts: 'yesterday at noon' });
  }
}

/** Write the data set's files under `dir`; returns the paths by kind. */
export function writeAdTech(dir: string, data: AdTechDataSet): { impressions: string[]; clicks: string[]; partner: string } {
  const impressionsDir = join(dir, 'impressions');
  const clicksDir = join(dir, 'clicks');
  for (const d of [impressionsDir, clicksDir]) mkdirSync(d, { recursive: true });
  const impressions: string[] = [];
  const clicks: string[] = [];
  for (const day of data.days) {
    const path = join(impressionsDir, `impressions-${day}.ndjson`);
    writeFileSync(path, data.impressions.filter((i) => i.ts.startsWith(day)).map((i) => JSON.stringify(i)).join('\n') + '\n');
    impressions.push(path);
    const csvPath = join(clicksDir, `clicks-${day}.csv`);
    const rows = data.clicks
      .filter((c) => c.ts.startsWith(day))
      .map((c) => [c.click_id, c.impression_id, c.ts, c.advertiser_id, c.campaign_id].join(','));
    writeFileSync(csvPath, ['click_id,impression_id,ts,advertiser_id,campaign_id', ...rows].join('\n') + '\n');
    clicks.push(csvPath);
  }
  const partnerDay = data.partnerLines.length > 0 ? (data.partnerImpressions[0] ?? data.partnerNegative[0])?.ts.slice(0, 10) : undefined;
  const partner = join(impressionsDir, `partner-x-${partnerDay ?? data.days[0] ?? 'none'}.ndjson`);
  writeFileSync(partner, data.partnerLines.join('\n') + '\n');
  return { impressions, clicks, partner };
}

export interface DailyRollup {
  readonly event_date: string;
  readonly advertiser_id: number;
  readonly campaign_id: number;
  readonly impressions: number;
  readonly clicks: number;
  /** clicks / impressions */
  readonly ctr: number;
  /** Sum of cost_micros / 1e6. */
  readonly spend: number;
}

/**
 * The curated answer computed independently in plain JS (no SQL, no DuckDB): impressions deduplicated
 * by impression_id (good partner impressions included; negative-spend ones are quarantined), clicks deduplicated by click_id, grouped by event
 * date, advertiser and campaign. The end-to-end test compares the demo's curated table with this.
 */
export function expectedDailyRollups(data: AdTechDataSet): DailyRollup[] {
  const groups = new Map<string, { event_date: string; advertiser_id: number; campaign_id: number; impressions: number; clicks: number; spendMicros: number }>();
  const group = (ts: string, advertiser_id: number, campaign_id: number) => {
    const event_date = ts.slice(0, 10);
    const key = `${event_date}|${advertiser_id}|${campaign_id}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { event_date, advertiser_id, campaign_id, impressions: 0, clicks: 0, spendMicros: 0 }));
    return g;
  };
  const seenImpressions = new Set<string>();
  for (const imp of [...data.impressions, ...data.partnerImpressions]) {
    if (seenImpressions.has(imp.impression_id)) continue;
    seenImpressions.add(imp.impression_id);
    const g = group(imp.ts, imp.advertiser_id, imp.campaign_id);
    g.impressions++;
    g.spendMicros += imp.cost_micros;
  }
  const seenClicks = new Set<string>();
  for (const click of data.clicks) {
    if (seenClicks.has(click.click_id)) continue;
    seenClicks.add(click.click_id);
    group(click.ts, click.advertiser_id, click.campaign_id).clicks++;
  }
  return [...groups.values()]
    .map((g) => ({
      event_date: g.event_date,
      advertiser_id: g.advertiser_id,
      campaign_id: g.campaign_id,
      impressions: g.impressions,
      clicks: g.clicks,
      ctr: g.impressions === 0 ? 0 : g.clicks / g.impressions,
      spend: g.spendMicros / 1e6,
    }))
    .sort((a, b) => a.event_date.localeCompare(b.event_date) || a.advertiser_id - b.advertiser_id || a.campaign_id - b.campaign_id);
}
