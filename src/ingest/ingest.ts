/**
 * `ingest()`: lands files in a raw-zone Iceberg table, quarantining every bad record instead of
 * failing the batch. One run:
 *
 * 1. Resolve the paths (input-files.ts) and hash each file (SHA-256, streamed); files whose content
 *    was ingested before are skipped unless `force` (ingest-ledger.ts).
 * 2. Settle the schema: the existing table's, else `options.schema`, else inferred from the first
 *    `sampleSize` parseable records (infer-schema.ts). A new table is created in the raw zone,
 *    partitioned by `_ingest_date`, with lineage columns (lineage.ts).
 * 3. Stream every file record by record (record-source.ts): good records are converted
 *    (convert-value.ts) and staged in bounded batches (staged-writer.ts); bad ones become rows of
 *    `<db>.<table>__quarantine` with their reason, position and raw text.
 * 4. Commit: the quarantine table first, then the data table (one append snapshot each, the data
 *    table's carrying the ledger). A crash before the first commit changes nothing; a crash between
 *    the two leaves the quarantine rows of a run whose files are not yet recorded, so re-running
 *    ingests them again and the quarantine may hold that run's rows twice (distinct `ingest_run`) —
 *    duplicated evidence, never lost evidence.
 *
 * @example
 *   const result = await ingest({ catalog, lake, runtime, paths: ['landing/*.ndjson'], into: 'raw.events' });
 *   if (result.failed) process.exitCode = 1;
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError, messageOf } from '../core/index.ts';
import { formatIdentifier, parseIdentifier } from '../catalog/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { NestedField, Table } from '../table/index.ts';
import { highestFieldId, typeToString } from '../table/index.ts';
import { BadRecord } from './bad-record.ts';
import { convertRecord } from './convert-value.ts';
import { tryFastPath } from './fast-path.ts';
import { SchemaInferrer } from './infer-schema.ts';
import { ingestedFiles, ledgerSummary, type LedgerEntry } from './ingest-ledger.ts';
import type { IngestFileResult, IngestFormat, IngestOptions, IngestResult } from './ingest-types.ts';
import { formatOf, resolveInputs } from './input-files.ts';
import { BY_INGEST_DATE, INGEST_DATE, LINEAGE_NAMES, QUARANTINE_FIELDS, SOURCE_FILE, SOURCE_LINE, withLineage } from './lineage.ts';
import { readRecords, type SourceRecord } from './record-source.ts';
import { StagedWriter } from './staged-writer.ts';

const DEFAULTS = { maxRecordBytes: 1 << 20, sampleSize: 1000, batchRows: 100_000, rawTextCap: 1 << 20 } as const;
const PROGRESS_EVERY_MS = 200;

interface PlannedFile {
  readonly result: IngestFileResult;
  readonly format?: IngestFormat;
  readonly entry?: LedgerEntry;
  readonly size: number;
}

export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const maxBadRatio = options.maxBadRatio ?? 1;
  if (!(maxBadRatio >= 0 && maxBadRatio <= 1)) {
    throw new StrataError('INVALID_ARGUMENT', `maxBadRatio must be between 0 and 1, got ${maxBadRatio}`, { maxBadRatio });
  }
  const { catalog, runtime } = options;
  const ident = parseIdentifier(options.into);
  const into = formatIdentifier(ident);
  const quarantineName = `${into}__quarantine`;
  await catalog.loadNamespaceProperties(ident.namespace); // NAMESPACE_NOT_FOUND before any work

  const paths = await resolveInputs(options.paths, options.format);
  let table = (await catalog.tableExists(into)) ? await catalog.loadTable(into) : undefined;
  const existingQuarantine = (await catalog.tableExists(quarantineName)) ? await catalog.loadTable(quarantineName) : undefined;
  const planned = await planFiles(paths, options, ingestedFiles([table, existingQuarantine]));
  const toRead = planned.filter((p) => p.result.status === 'ingested');

  const run = randomUUID();
  const now = options.now ?? new Date();
  const ingestDate = now.toISOString().slice(0, 10);
  const ingestedAt = now.toISOString().replace('T', ' ').replace('Z', '+00:00');

  let dataFields: readonly NestedField[] | undefined = table ? table.schema().fields.filter((f) => !LINEAGE_NAMES.has(f.name)) : undefined;
  if (table && options.schema) checkSchemaMatches(into, dataFields ?? [], schemaFields(options.schema));
  if (!dataFields && options.schema) dataFields = schemaFields(options.schema);
  if (!dataFields && toRead.length > 0) dataFields = await inferFields(toRead, options, settings);
  if (dataFields && dataFields.length === 0) dataFields = undefined;
  if (dataFields) refuseNestedBinary(dataFields);

  const tempDir = await mkdtemp(join(runtime.tempDirectory, 'ingest-'));
  const fields = dataFields;
  const lineage = table ? new Set(table.schema().fields.map((f) => f.name).filter((n) => LINEAGE_NAMES.has(n))) : LINEAGE_NAMES;
  const data = fields
    ? new StagedWriter({
        table: async () => (table ??= await createDataTable(catalog, into, fields)),
        tempDir,
        batchRows: settings.batchRows,
        maxRowBytes: settings.maxRecordBytes,
      })
    : undefined;
  const quarantine = new StagedWriter({
    table: async () => existingQuarantine ?? (await createQuarantineTable(catalog, quarantineName)),
    tempDir,
    batchRows: settings.batchRows,
    maxRowBytes: settings.rawTextCap * 3,
  });

  const quarantineRow = (file: string, record: Pick<SourceRecord, 'line' | 'offset' | 'length' | 'bytes'>, error: BadRecord) => {
    const kept = record.bytes.subarray(0, settings.rawTextCap);
    const text = kept.toString('utf8');
    return quarantine.add({
      source_file: file,
      line_number: String(record.line),
      ...(record.offset === null ? {} : { byte_offset: String(record.offset) }),
      raw_text: text,
      raw_length: String(record.length),
      raw_truncated: record.length > kept.length,
      ...(error.code === 'INVALID_UTF8' ? { raw_base64: kept.toString('base64') } : {}),
      error_code: error.code,
      error_message: error.message,
      ingest_run: run,
      ingested_at: ingestedAt,
      [INGEST_DATE]: ingestDate,
    });
  };

  try {
    const known = new Set(fields?.map((f) => f.name) ?? []);
    for (const plan of toRead) {
      const { result } = plan;
      let lastProgress = 0;
      let bytesRead = 0;
      const progress = (force = false) => {
        const t = Date.now();
        if (!options.onProgress || (!force && t - lastProgress < PROGRESS_EVERY_MS)) return;
        lastProgress = t;
        options.onProgress({ file: result.path, bytesRead, bytesTotal: plan.size, rows: result.read });
      };
      try {
        if (!plan.format) throw new BadRecord('FILE_UNREADABLE', `unknown file format; name it .ndjson, .json, .csv or .parquet, or pass a format`);
        if (fields && data && options.fastPath !== false) {
          const fast = await tryFastPath(
            { runtime, path: result.path, format: plan.format, size: plan.size, fields, maxRecordBytes: settings.maxRecordBytes, ingestDate },
            { table: () => data.table(), tableExists: data.written },
          );
          if (fast) {
            data.adopt(fast.files, fast.rows);
            result.read = result.written = fast.rows;
            bytesRead = plan.size;
            progress(true);
            continue;
          }
        }
        const records = readRecords(result.path, {
          format: plan.format,
          maxRecordBytes: settings.maxRecordBytes,
          keepBytes: settings.rawTextCap,
          runtime,
          onBytes: (n) => {
            if (plan.format !== 'parquet') bytesRead = n;
          },
        });
        for await (const record of records) {
          result.read += 1;
          if ((result.read & 1023) === 0) progress();
          let error = record.error;
          if (!error && record.value) {
            if (!fields || !data) error = new BadRecord('PARSE_ERROR', 'no schema: the table does not exist and no record of the run could be read to infer one');
            else {
              try {
                const row = convertRecord(fields, record.value, { textMode: record.textMode, unknownFields: settings.unknownFields ?? 'quarantine', known });
                if (lineage.has(INGEST_DATE)) row[INGEST_DATE] = ingestDate;
                if (lineage.has(SOURCE_FILE)) row[SOURCE_FILE] = result.path;
                if (lineage.has(SOURCE_LINE)) row[SOURCE_LINE] = String(record.line);
                await data.add(row);
                result.written += 1;
                continue;
              } catch (e) {
                if (!(e instanceof BadRecord)) throw e;
                error = e;
              }
            }
          }
          await quarantineRow(result.path, record, error ?? new BadRecord('PARSE_ERROR', 'empty record'));
          result.quarantined += 1;
        }
      } catch (e) {
        if (e instanceof StrataError) throw e;
        const error = e instanceof BadRecord ? e : new BadRecord('FILE_UNREADABLE', `the file could not be read: ${messageOf(e)}`);
        result.status = 'failed';
        result.reason = error.message;
        result.read += 1;
        result.quarantined += 1;
        await quarantineRow(result.path, { line: 0, offset: null, length: 0, bytes: Buffer.alloc(0) }, error);
      }
      bytesRead = plan.size;
      progress(true);
    }

    const entries = toRead.filter((p) => p.result.status === 'ingested' && p.entry).map((p) => p.entry as LedgerEntry);
    const willCommitData = data !== undefined && (data.rows > 0 || table !== undefined);
    if (quarantine.rows > 0) {
      await quarantine.commit(willCommitData ? { 'strata.ingest.run': run } : ledgerSummary(run, entries));
    }
    let snapshotId: bigint | undefined;
    if (willCommitData && data && toRead.length > 0) {
      snapshotId = (await data.commit(ledgerSummary(run, entries))).snapshot.snapshotId;
    }
    const files = planned.map((p) => p.result);
    const read = sum(files, 'read');
    const written = sum(files, 'written');
    const quarantined = sum(files, 'quarantined');
    const failed = (read > 0 && written === 0) || (read > 0 && quarantined / read > maxBadRatio);
    return { files, read, written, quarantined, quarantineTable: quarantineName, failed, ...(snapshotId === undefined ? {} : { snapshotId }) };
  } catch (error) {
    await data?.abort();
    await quarantine.abort();
    throw error;
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** Hash every file; decide which to read. */
async function planFiles(paths: readonly string[], options: IngestOptions, before: ReadonlyMap<string, string>): Promise<PlannedFile[]> {
  const inRun = new Map<string, string>();
  const planned: PlannedFile[] = [];
  for (const path of paths) {
    const result: IngestFileResult = { path, status: 'ingested', read: 0, written: 0, quarantined: 0 };
    const format = options.format ?? formatOf(path);
    let entry: LedgerEntry;
    try {
      const size = (await stat(path)).size;
      entry = { path, sha256: await sha256(path), size };
    } catch (error) {
      planned.push({ result: { ...result, status: 'failed', reason: `cannot read the file: ${messageOf(error)}` }, size: 0 });
      continue;
    }
    const previous = before.get(entry.sha256);
    const twin = inRun.get(entry.sha256);
    if (twin !== undefined) {
      planned.push({ result: { ...result, status: 'skipped', reason: `same content as ${twin} in this run` }, size: entry.size });
      continue;
    }
    inRun.set(entry.sha256, path);
    if (previous !== undefined && !options.force) {
      const where = previous === path ? '' : ` (as ${previous})`;
      planned.push({ result: { ...result, status: 'skipped', reason: `already ingested${where}; use force to ingest it again` }, size: entry.size });
      continue;
    }
    planned.push({ result, entry, size: entry.size, ...(format ? { format } : {}) });
  }
  return planned;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function inferFields(files: readonly PlannedFile[], options: IngestOptions, settings: { maxRecordBytes: number; sampleSize: number; rawTextCap: number }): Promise<NestedField[]> {
  const inferrer = new SchemaInferrer();
  for (const plan of files) {
    if (!plan.format) continue;
    try {
      for await (const record of readRecords(plan.result.path, { format: plan.format, maxRecordBytes: settings.maxRecordBytes, keepBytes: settings.rawTextCap, runtime: options.runtime })) {
        if (record.value) inferrer.observe(record.value, record.textMode);
        if (inferrer.records >= settings.sampleSize) return inferrer.fields();
      }
    } catch {
      // an unreadable file is reported by the main pass
    }
  }
  return inferrer.fields();
}

async function createDataTable(catalog: Catalog, into: string, fields: readonly NestedField[]): Promise<Table> {
  const highest = highestFieldId({ schemaId: 0, fields });
  return catalog.createTable(into, withLineage(fields, highest), { zone: 'raw', partitionBy: BY_INGEST_DATE });
}

async function createQuarantineTable(catalog: Catalog, name: string): Promise<Table> {
  return catalog.createTable(name, QUARANTINE_FIELDS, { zone: 'raw', partitionBy: BY_INGEST_DATE });
}

function schemaFields(schema: NonNullable<IngestOptions['schema']>): readonly NestedField[] {
  return 'fields' in schema ? schema.fields : schema;
}

function checkSchemaMatches(into: string, table: readonly NestedField[], given: readonly NestedField[]): void {
  for (const f of given) {
    const existing = table.find((t) => t.name === f.name);
    if (!existing || typeToString(existing.type) !== typeToString(f.type)) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `${into} already exists and ${existing ? `its column ${f.name} is ${typeToString(existing.type)}, not ${typeToString(f.type)}` : `has no column ${f.name}`}; ingest without a schema file, or change the table first (ALTER TABLE)`,
        { table: into, column: f.name },
      );
    }
  }
}

function refuseNestedBinary(fields: readonly NestedField[]): void {
  const nested = (f: NestedField, top: boolean): string | undefined => {
    const t = f.type;
    if ((t.kind === 'binary' || t.kind === 'fixed') && !top) return f.name;
    if (t.kind === 'struct') for (const c of t.fields) if (nested(c, false)) return `${f.name}.${c.name}`;
    if ((t.kind === 'list' && (t.element.kind === 'binary' || t.element.kind === 'fixed')) || (t.kind === 'map' && [t.key.kind, t.value.kind].some((k) => k === 'binary' || k === 'fixed'))) return f.name;
    return undefined;
  };
  for (const f of fields) {
    const where = nested(f, true);
    if (where) throw new StrataError('UNSUPPORTED_FEATURE', `column ${where}: ingest supports binary and fixed only as top-level columns`, { column: where });
  }
}

function definedOnly(options: IngestOptions): Partial<Pick<IngestOptions, 'maxRecordBytes' | 'sampleSize' | 'batchRows' | 'rawTextCap' | 'unknownFields'>> {
  const out: Record<string, unknown> = {};
  for (const key of ['maxRecordBytes', 'sampleSize', 'batchRows', 'rawTextCap', 'unknownFields'] as const) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

function sum(files: readonly IngestFileResult[], key: 'read' | 'written' | 'quarantined'): number {
  return files.reduce((n, f) => n + f[key], 0);
}
