/**
 * Ingest throughput: the same NDJSON and CSV files (ingest-files.ts) landed as Parquet two ways —
 *   strata  — `ingest()` into a raw table with an explicit schema, on a fresh Strata home per run:
 *             hash every file (re-ingest ledger), parse and validate record by record in Node
 *             (quarantine on error), stage batches, DuckDB COPY to Parquet partitioned by
 *             `_ingest_date` with lineage columns, commit one snapshot;
 *   duckdb  — DuckDB's own reader with the same column types, straight to one Parquet file:
 *             `COPY (SELECT * FROM read_json([...], format = 'newline_delimited', columns = {...}))
 *             TO 'out.parquet'` (read_csv for CSV) — no validation, no lineage, no commit: the
 *             practical limit for landing these files on this machine.
 * Gotcha: read_csv runs with `auto_detect = false` and the dialect given. With the sniffer on, even
 * with `columns` given, it sniffs every file: ~0.9 s for seven 150 KB files, longer than reading them.
 * Only the call is timed (home opening and namespace creation are not). Runs alternate, DuckDB first;
 * the best of RUNS is reported, since throughput noise only ever adds time. The input files are
 * written just before, so both read them from the page cache.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openStrataHome } from '../src/catalog/index.ts';
import { ingest } from '../src/ingest/index.ts';
import { DUCKDB_COLUMNS, IMPRESSION_FIELDS, writeInputFiles, type InputFiles, type InputFormat } from './ingest-files.ts';
import { summarize, timed, type Summary } from './stats.ts';

export interface IngestTiming {
  readonly format: InputFormat;
  readonly files: number;
  readonly bytes: number;
  readonly rows: number;
  readonly strata: Summary;
  readonly duckdb: Summary;
  /** Parquet bytes written by the last run of each side. */
  readonly strataParquetBytes: number;
  readonly duckdbParquetBytes: number;
}

export interface IngestThroughputResult {
  readonly scale: number;
  readonly runs: number;
  readonly formats: readonly IngestTiming[];
}

export async function ingestThroughput(workDir: string, scale: number, runs: number): Promise<IngestThroughputResult> {
  const inputs = writeInputFiles(join(workDir, 'input'), scale);
  const formats: IngestTiming[] = [];
  for (const input of [inputs.ndjson, inputs.csv]) {
    const strata: number[] = [];
    const duckdb: number[] = [];
    let strataParquetBytes = 0;
    let duckdbParquetBytes = 0;
    for (let r = 0; r < runs; r++) {
      const home = await openStrataHome(mkdtempSync(join(workDir, `home-${input.format}-`)));
      try {
        const out = join(workDir, `duckdb-${input.format}-${r}.parquet`);
        const rows = await timed(() => home.runtime.withConnection(async (c) => (await c.runAndReadAll(duckdbCopy(input, out))).getRows()));
        const copied = Number(rows.value[0]?.[0] ?? -1);
        if (copied !== input.rows) throw new Error(`bench: DuckDB copied ${copied} of ${input.rows} ${input.format} rows`);
        duckdb.push(rows.ms);
        duckdbParquetBytes = statSync(out).size;
        rmSync(out);

        await home.catalog.createNamespace(['raw']);
        const run = await timed(() =>
          ingest({ catalog: home.catalog, lake: home.lake, runtime: home.runtime, paths: [input.dir], into: 'raw.impressions', format: input.format, schema: IMPRESSION_FIELDS }),
        );
        const result = run.value;
        if (result.written !== input.rows || result.quarantined !== 0) {
          throw new Error(`bench: Strata ingested ${result.written} rows (${result.quarantined} quarantined) of ${input.rows} ${input.format} rows`);
        }
        strata.push(run.ms);
        strataParquetBytes = (await (await home.catalog.loadTable('raw.impressions')).scan().planFiles()).stats.bytesPlanned;
      } finally {
        await home.close();
      }
    }
    formats.push({
      format: input.format,
      files: input.paths.length,
      bytes: input.bytes,
      rows: input.rows,
      strata: summarize(strata),
      duckdb: summarize(duckdb),
      strataParquetBytes,
      duckdbParquetBytes,
    });
  }
  return { scale, runs, formats };
}

function duckdbCopy(input: InputFiles, out: string): string {
  const files = `[${input.paths.map((p) => `'${p}'`).join(', ')}]`;
  const read =
    input.format === 'ndjson'
      ? `read_json(${files}, format = 'newline_delimited', columns = ${DUCKDB_COLUMNS})`
      : `read_csv(${files}, auto_detect = false, header = true, delim = ',', quote = '"', columns = ${DUCKDB_COLUMNS})`;
  return `COPY (SELECT * FROM ${read}) TO '${out}' (FORMAT parquet)`;
}
