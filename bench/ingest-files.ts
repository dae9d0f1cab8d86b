/**
 * Input files for the ingest-throughput benchmark: the demo's ad-tech impressions
 * (`generateAdTech`, deterministic for a scale) written twice, one file per day in each format —
 *   ndjson/impressions-YYYY-MM-DD.ndjson   one JSON object per line (~180 bytes a row)
 *   csv/impressions-YYYY-MM-DD.csv         header row, same rows and columns (~75 bytes a row)
 * Scale 10 gives ~285,000 rows: ~50 MB of NDJSON and ~20 MB of CSV. Every row is valid, so both
 * sides of the comparison write every row (Strata's quarantine stays empty; the run checks it).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAdTech, type Impression } from '../src/demo/adtech-data.ts';
import { Types, field, type NestedField } from '../src/table/index.ts';

export type InputFormat = 'ndjson' | 'csv';

export interface InputFiles {
  readonly format: InputFormat;
  readonly dir: string;
  readonly paths: readonly string[];
  readonly bytes: number;
  readonly rows: number;
}

const COLUMNS = ['impression_id', 'ts', 'advertiser_id', 'campaign_id', 'partner', 'country', 'device', 'cost_micros'] as const;

/** The explicit schema given to Strata's `ingest()`. */
export const IMPRESSION_FIELDS: readonly NestedField[] = [
  field(1, 'impression_id', Types.string, true),
  field(2, 'ts', Types.timestamptz, true),
  field(3, 'advertiser_id', Types.int, true),
  field(4, 'campaign_id', Types.int, true),
  field(5, 'partner', Types.string, true),
  field(6, 'country', Types.string, true),
  field(7, 'device', Types.string, true),
  field(8, 'cost_micros', Types.long, true),
];

/** The same schema as DuckDB's `columns = {...}` argument of read_json / read_csv. */
export const DUCKDB_COLUMNS =
  "{'impression_id': 'VARCHAR', 'ts': 'TIMESTAMPTZ', 'advertiser_id': 'INTEGER', 'campaign_id': 'INTEGER', " +
  "'partner': 'VARCHAR', 'country': 'VARCHAR', 'device': 'VARCHAR', 'cost_micros': 'BIGINT'}";

export function writeInputFiles(dir: string, scale: number): Record<InputFormat, InputFiles> {
  const data = generateAdTech({ scale });
  const byDay = new Map<string, Impression[]>(data.days.map((d) => [d, []]));
  for (const impression of data.impressions) byDay.get(impression.ts.slice(0, 10))?.push(impression);
  const write = (format: InputFormat, render: (rows: readonly Impression[]) => string): InputFiles => {
    const formatDir = join(dir, format);
    mkdirSync(formatDir, { recursive: true });
    const paths = [...byDay].map(([day, rows]) => {
      const path = join(formatDir, `impressions-${day}.${format}`);
      writeFileSync(path, render(rows));
      return path;
    });
    return { format, dir: formatDir, paths, bytes: paths.reduce((sum, p) => sum + statSync(p).size, 0), rows: data.impressions.length };
  };
  return {
    ndjson: write('ndjson', (rows) => rows.map((r) => `${JSON.stringify(r)}\n`).join('')),
    csv: write('csv', (rows) => [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => r[c]).join(','))].join('\n') + '\n'),
  };
}
