/**
 * `strata ingest <paths…> --into db.table`: lands files in a raw-zone Iceberg table through
 * src/ingest, with a progress bar on a terminal (none in a pipe) and a summary of records read,
 * written and quarantined. Exits 5 (data) when nothing could be ingested or the quarantined share is
 * above --max-bad-ratio; bad records alone never fail the run otherwise.
 *
 * Gotcha: `--format` is a program-wide option, so here it names the INPUT format
 * (json|ndjson|csv|parquet); the summary prints as text, or as one JSON object with `--json`.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { StrataError, stringifyJson } from '../../core/index.ts';
import { ingest, parseSchemaFile, type IngestFormat, type IngestResult } from '../../ingest/index.ts';
import type { CliContext } from '../cli-context.ts';
import { ownTheNewObject } from '../../sql/governed-catalog.ts';
import { splitTableName } from './load-table.ts';
import { ProgressBar } from '../progress-bar.ts';

const INPUT_FORMATS = ['json', 'ndjson', 'csv', 'parquet'] as const;

interface IngestCommandOptions {
  readonly into: string;
  readonly schema?: string;
  readonly force?: boolean;
  readonly maxBadRatio?: string;
  readonly json?: boolean;
}

function parseRatio(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new StrataError('INVALID_ARGUMENT', `--max-bad-ratio must be a number between 0 and 1 (e.g. 0.05), got ${text}`, { maxBadRatio: text });
  }
  return value;
}

function inputFormat(text: string | undefined): IngestFormat | undefined {
  if (text === undefined) return undefined;
  if ((INPUT_FORMATS as readonly string[]).includes(text)) return text as IngestFormat;
  throw new StrataError('INVALID_ARGUMENT', `strata ingest reads ${INPUT_FORMATS.join(', ')}; --format ${text} is not one of them.`, { format: text });
}

export function ingestSummary(into: string, result: IngestResult): string {
  const lines = [
    `${result.failed ? 'Ingest FAILED' : 'Ingested'} into ${into}: read ${result.read}, written ${result.written}, quarantined ${result.quarantined}${
      result.snapshotId !== undefined ? ` (snapshot ${result.snapshotId})` : ''
    }`,
  ];
  for (const file of result.files) {
    lines.push(`  ${file.status.padEnd(8)} ${file.path}: read ${file.read}, written ${file.written}, quarantined ${file.quarantined}${file.reason ? ` — ${file.reason}` : ''}`);
  }
  if (result.quarantined > 0) lines.push(`Bad records are in ${result.quarantineTable}: strata sql "SELECT * FROM ${result.quarantineTable}"`);
  return `${lines.join('\n')}\n`;
}

export function registerIngest(program: Command, context: CliContext): void {
  program
    .command('ingest')
    .argument('<paths...>', 'files, directories (walked recursively) or globs (quote them: "landing/*.csv")')
    .description('Load files into a raw-zone table; bad records go to <table>__quarantine, never lost')
    .requiredOption('--into <table>', 'target table as database.table (created when missing)')
    .option('--schema <file>', 'JSON schema file to validate against (see docs/ingest.md); default: the table\'s, else inferred')
    .option('--force', 're-ingest files already ingested (same content)')
    .option('--max-bad-ratio <ratio>', 'fail (exit 5) when quarantined/read exceeds this, 0..1 (default: ingest.max_bad_ratio)')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
--format names the INPUT format here: json, ndjson, csv or parquet (default: from each file's extension).

Examples:
  $ strata ingest events.ndjson --into raw.events
  $ strata ingest "landing/2024-*.csv" --into raw.orders --schema orders.schema.json --max-bad-ratio 0.01
  $ strata ingest dump.txt --format ndjson --into raw.events --force
  $ strata ingest landing/ --into raw.events --json | jq .quarantined`,
    )
    .action(async (paths: string[], options: IngestCommandOptions) => {
      const format = inputFormat(context.options.format);
      const maxBadRatio = options.maxBadRatio !== undefined ? parseRatio(options.maxBadRatio) : context.config.values['ingest.max_bad_ratio'];
      const schema = options.schema !== undefined ? parseSchemaFile(await readSchema(options.schema), options.schema) : undefined;
      await context.withHome(async (strata) => {
        // INSERT into an existing table, or CREATE_TABLE in its database for a new one (owned after).
        const { database, table } = splitTableName(options.into);
        const creates = !(await strata.catalog.tableExists(options.into));
        const result = await context.governed(strata, 'ingest', `ingest ${paths.join(' ')} --into ${options.into}`, async (guard, governor) => {
          guard.require(creates ? 'CREATE_TABLE' : 'INSERT', creates ? { database } : { database, table });
          const bar = new ProgressBar();
          let done: IngestResult;
          try {
            done = await ingest({
              catalog: strata.catalog,
              lake: strata.lake,
              runtime: strata.runtime,
              paths,
              into: options.into,
              maxBadRatio,
              force: options.force === true,
              ...(format !== undefined ? { format } : {}),
              ...(schema !== undefined ? { schema } : {}),
              onProgress: (p) => bar.update({ label: p.file, done: p.bytesRead, total: p.bytesTotal, rows: p.rows }),
            });
          } finally {
            bar.done();
          }
          if (creates) {
            await ownTheNewObject(governor, { database, table });
            await ownTheNewObject(governor, { database, table: `${table}__quarantine` });
          }
          return done;
        });
        await context.stdout.write(options.json === true ? `${stringifyJson(result)}\n` : ingestSummary(options.into, result));
        if (result.failed) {
          const reason =
            result.written === 0 && result.read > 0
              ? 'no record could be ingested'
              : `${result.quarantined} of ${result.read} records were quarantined, above --max-bad-ratio ${maxBadRatio}`;
          throw new StrataError('VALIDATION_FAILED', `Ingest into ${options.into} failed: ${reason}. Inspect ${result.quarantineTable}.`, {
            table: options.into,
            read: result.read,
            written: result.written,
            quarantined: result.quarantined,
          });
        }
      });
    });
}

async function readSchema(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new StrataError('INVALID_ARGUMENT', `Cannot read the schema file ${path}: ${error instanceof Error ? error.message : String(error)}`, { path }, { cause: error });
  }
}
