/**
 * Writes converted rows into a table's data files in bounded batches, in constant memory: rows go
 * as JSON lines into a temporary NDJSON file; every `batchRows` rows DuckDB reads that file with the
 * table's explicit column types (`read_json(…, columns={…})`, so nothing is guessed) and the table
 * plane writes it as Parquet data files (`Table.writeFiles`). Nothing is visible until `commit`,
 * which adds every file of the run in one append snapshot; `abort` deletes the staged data files.
 *
 * Rows must already be in staged form (convert-value.ts): binary/fixed as base64 text, decoded here
 * in SQL (only at the top level; nested binary columns are refused up front by the caller).
 */
import { randomUUID } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataFile, NestedField, SnapshotResult, Table } from '../table/index.ts';
import { duckdbType, keyOf, quoteSqlIdent as quoteIdent } from '../table/index.ts';
import { sqlString } from './record-source.ts';

const FLUSH_CHARS = 1 << 20;

export class StagedWriter {
  readonly #table: () => Promise<Table>;
  readonly #tempDir: string;
  readonly #batchRows: number;
  readonly #maxRowBytes: number;
  #fields: readonly NestedField[] | undefined;
  #handle: FileHandle | undefined;
  #path = '';
  #pending: string[] = [];
  #pendingChars = 0;
  #batch = 0;
  #files: DataFile[] = [];
  #resolved: Table | undefined;
  rows = 0;

  /** `table` is called (once) when the first batch is written, so a table can be created lazily. */
  constructor(options: { table: () => Promise<Table>; tempDir: string; batchRows: number; maxRowBytes: number }) {
    this.#table = options.table;
    this.#tempDir = options.tempDir;
    this.#batchRows = options.batchRows;
    this.#maxRowBytes = options.maxRowBytes;
  }

  async add(row: Readonly<Record<string, unknown>>): Promise<void> {
    const line = JSON.stringify(row);
    this.#pending.push(line);
    this.#pendingChars += line.length + 1;
    this.#batch += 1;
    this.rows += 1;
    if (this.#pendingChars >= FLUSH_CHARS) await this.#drain();
    if (this.#batch >= this.#batchRows) await this.flush();
  }

  async #drain(): Promise<void> {
    if (this.#pending.length === 0) return;
    if (!this.#handle) {
      this.#path = join(this.#tempDir, `ingest-${randomUUID()}.ndjson`);
      this.#handle = await open(this.#path, 'w');
    }
    await this.#handle.write(this.#pending.join('\n') + '\n');
    this.#pending = [];
    this.#pendingChars = 0;
  }

  /** Take data files written elsewhere (the fast path) into this run's commit. */
  adopt(files: readonly DataFile[], rows: number): void {
    this.#files.push(...files);
    this.rows += rows;
  }

  /** Write the rows staged so far as data files (not committed). */
  async flush(): Promise<void> {
    if (this.#batch === 0) return;
    await this.#drain();
    await this.#handle?.close();
    this.#handle = undefined;
    const table = await this.table();
    try {
      const fields = (this.#fields ??= table.schema().fields);
      this.#files.push(...(await table.writeFiles({ sql: readStagedSql(this.#path, fields, this.#maxRowBytes) })));
    } finally {
      await rm(this.#path, { force: true });
      this.#batch = 0;
    }
  }

  async table(): Promise<Table> {
    return (this.#resolved ??= await this.#table());
  }

  get written(): boolean {
    return this.#resolved !== undefined;
  }

  /** Flush, then commit every staged file in one append snapshot. */
  async commit(summary: Readonly<Record<string, string>>): Promise<SnapshotResult> {
    await this.flush();
    const table = await this.table();
    try {
      return await table.appendFiles(this.#files, { summary });
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Delete staged data files and the temporary file (after a failure). */
  async abort(): Promise<void> {
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    if (this.#path) await rm(this.#path, { force: true });
    if (this.#resolved && this.#files.length > 0) {
      const store = this.#resolved.ops.store;
      await store.deleteMany(this.#files.map((f) => keyOf(store, f.filePath))).catch(() => undefined);
    }
    this.#files = [];
  }
}

/** The DuckDB query reading one staged NDJSON file with the table's exact types. */
export function readStagedSql(path: string, fields: readonly NestedField[], maxRowBytes: number): string {
  const isBinary = (f: NestedField) => f.type.kind === 'binary' || f.type.kind === 'fixed';
  const columns = fields.map((f) => `${sqlString(f.name)}: ${sqlString(isBinary(f) ? 'VARCHAR' : duckdbType(f.type))}`).join(', ');
  const select = fields.map((f) => (isBinary(f) ? `from_base64(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)}` : quoteIdent(f.name))).join(', ');
  const maxObject = Math.max(16 * 1024 * 1024, maxRowBytes * 2);
  return `SELECT ${select} FROM read_json(${sqlString(path)}, format='newline_delimited', records=true, columns={${columns}}, maximum_object_size=${maxObject})`;
}
