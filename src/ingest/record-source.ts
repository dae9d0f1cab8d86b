/**
 * Reads one input file as a stream of decoded records, whatever its format. Each record is either
 * a value (an object of column → JS value) or a BadRecord error, always with where it came from
 * (line, byte offset) and its raw text, so a bad one can be quarantined without losing anything.
 *
 * Formats: ndjson (one object per line), json (a top-level array of objects, streamed element by
 * element; a .json file that does not start with `[` is read as ndjson), csv (header row, RFC 4180),
 * parquet (rows streamed from DuckDB's `read_parquet`, each rendered with `to_json`).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { messageOf, parseJsonExact } from '../core/index.ts';
import type { DuckDbRuntime } from '../table/index.ts';
import { BadRecord } from './bad-record.ts';
import { splitCsvRecord } from './csv-fields.ts';
import type { IngestFormat } from './ingest-types.ts';
import { splitJsonArray, splitLines, type Frame } from './record-frames.ts';

export interface SourceRecord {
  readonly line: number;
  /** Byte offset in the file; null for parquet rows. */
  readonly offset: number | null;
  /** The record's length in bytes. */
  readonly length: number;
  /** The raw bytes (at most `keepBytes`). */
  readonly bytes: Buffer;
  readonly value?: Record<string, unknown>;
  readonly error?: BadRecord;
  /** Values are text (CSV cells). */
  readonly textMode: boolean;
}

export interface ReadOptions {
  readonly format: IngestFormat;
  readonly maxRecordBytes: number;
  readonly keepBytes: number;
  readonly runtime: DuckDbRuntime;
  /** Called with the bytes read so far (text formats) or rows (parquet). */
  readonly onBytes?: (bytesRead: number) => void;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
// 16+ digits (a dot may sit among them): the number may not fit a double exactly.
const LONG_DIGITS = /(?:\d\.?){16,}/;

export async function* readRecords(path: string, options: ReadOptions): AsyncGenerator<SourceRecord> {
  if (options.format === 'parquet') {
    yield* readParquet(path, options);
    return;
  }
  const stream = counted(createReadStream(path, { highWaterMark: 256 * 1024 }), options.onBytes);
  const keepBytes = Math.max(options.keepBytes, options.maxRecordBytes + 1);
  if (options.format === 'csv') {
    yield* decodeCsv(splitLines(stream, { keepBytes, quoteAware: true }), options.maxRecordBytes);
  } else if (options.format === 'json' && (await startsWithBracket(path))) {
    for await (const frame of splitJsonArray(stream, { keepBytes })) yield decodeJson(frame, options.maxRecordBytes);
  } else {
    for await (const frame of splitLines(stream, { keepBytes, quoteAware: false })) {
      if (isBlank(frame)) continue;
      yield decodeJson(frame, options.maxRecordBytes);
    }
  }
}

async function* counted(stream: AsyncIterable<Buffer>, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    onBytes?.(total);
    yield chunk;
  }
}

async function startsWithBracket(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('[');
  } finally {
    await handle.close();
  }
}

function isBlank(frame: Frame): boolean {
  if (frame.length > frame.bytes.length) return false;
  for (const b of frame.bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/** Size and UTF-8 checks shared by every text format; returns the text or a BadRecord. */
function frameText(frame: Frame, maxRecordBytes: number): string | BadRecord {
  if (frame.length > maxRecordBytes) {
    return new BadRecord('OVERSIZE_RECORD', `record is ${frame.length} bytes, above the limit of ${maxRecordBytes} (option maxRecordBytes)`);
  }
  try {
    return UTF8.decode(frame.bytes);
  } catch {
    return new BadRecord('INVALID_UTF8', 'record is not valid UTF-8; its exact bytes are in raw_base64');
  }
}

function base(frame: Frame, textMode: boolean): Omit<SourceRecord, 'value' | 'error'> {
  return { line: frame.line, offset: frame.offset, length: frame.length, bytes: frame.bytes, textMode };
}

export function decodeJson(frame: Frame, maxRecordBytes: number): SourceRecord {
  const text = frameText(frame, maxRecordBytes);
  if (text instanceof BadRecord) return { ...base(frame, false), error: text };
  let value: unknown;
  try {
    value = LONG_DIGITS.test(text) ? parseJsonExact(text) : JSON.parse(text);
  } catch (error) {
    return { ...base(frame, false), error: new BadRecord('PARSE_ERROR', `not valid JSON: ${messageOf(error)}`) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ...base(frame, false), error: new BadRecord('NOT_AN_OBJECT', `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`) };
  }
  return { ...base(frame, false), value: value as Record<string, unknown> };
}

async function* decodeCsv(frames: AsyncIterable<Frame>, maxRecordBytes: number): AsyncGenerator<SourceRecord> {
  let header: string[] | undefined;
  for await (const frame of frames) {
    if (isBlank(frame)) continue;
    if (header === undefined) {
      header = csvHeader(frame, maxRecordBytes);
      continue;
    }
    if (frame.error) {
      yield { ...base(frame, true), error: frame.error };
      continue;
    }
    const text = frameText(frame, maxRecordBytes);
    if (text instanceof BadRecord) {
      yield { ...base(frame, true), error: text };
      continue;
    }
    let cells: (string | null)[];
    try {
      cells = splitCsvRecord(text);
    } catch (error) {
      yield { ...base(frame, true), error: error instanceof BadRecord ? error : new BadRecord('PARSE_ERROR', messageOf(error)) };
      continue;
    }
    if (cells.length !== header.length) {
      yield { ...base(frame, true), error: new BadRecord('CSV_FIELD_COUNT', `row has ${cells.length} fields, the header has ${header.length}`) };
      continue;
    }
    const value: Record<string, unknown> = {};
    header.forEach((name, i) => (value[name] = cells[i] ?? null));
    yield { ...base(frame, true), value };
  }
}

/** The header's column names; throws BadRecord('FILE_UNREADABLE') when it cannot name the columns. */
function csvHeader(frame: Frame, maxRecordBytes: number): string[] {
  const text = frame.error ?? frameText(frame, maxRecordBytes);
  if (text instanceof BadRecord) throw new BadRecord('FILE_UNREADABLE', `the CSV header is unreadable: ${text.message}`);
  let names: (string | null)[];
  try {
    names = splitCsvRecord(text);
  } catch (error) {
    throw new BadRecord('FILE_UNREADABLE', `the CSV header is unreadable: ${messageOf(error)}`);
  }
  const seen = new Set<string>();
  return names.map((n, i) => {
    const name = n === null || n.trim() === '' ? `column_${i + 1}` : n.trim();
    if (seen.has(name)) throw new BadRecord('FILE_UNREADABLE', `the CSV header names column "${name}" twice`);
    seen.add(name);
    return name;
  });
}

async function* readParquet(path: string, options: ReadOptions): AsyncGenerator<SourceRecord> {
  const connection = await options.runtime.connect();
  try {
    const result = await connection.stream(`SELECT to_json(t)::VARCHAR AS j FROM read_parquet(${sqlString(path)}) AS t`);
    let row = 0;
    while (true) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const [json] of chunk.getRows()) {
        row += 1;
        const bytes = Buffer.from(String(json), 'utf8');
        const record = decodeJson({ line: row, offset: 0, bytes, length: bytes.length }, options.maxRecordBytes);
        yield { ...record, offset: null };
      }
      options.onBytes?.(row);
    }
  } catch (error) {
    if (error instanceof BadRecord) throw error;
    throw new BadRecord('FILE_UNREADABLE', `the Parquet file could not be read: ${messageOf(error)}`);
  } finally {
    connection.closeSync();
  }
}

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
