/**
 * Parquet output, written by DuckDB: rows stream (with backpressure) into a temporary JSON-lines
 * file in the runtime's temp directory, then one `COPY … TO '<file>' (FORMAT parquet)` converts it,
 * casting each column to the SQL type the engine reported. Node's memory stays bounded whatever
 * the row count; DuckDB streams the conversion and spills under its own memory limit.
 *
 * Gotchas: Parquet has no 128-bit integer, so DuckDB stores HUGEINT as DOUBLE; when a column's type
 * is unknown the types are sniffed from the data (all VARCHAR for an empty result).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { StrataError } from '../../core/index.ts';
import type { DuckDbRuntime } from '../../table/index.ts';
import { jsonLine } from './json-lines-renderer.ts';
import { uniqueColumnNames, writableSink, type RowStream } from './row-stream.ts';

export interface ParquetWriteOptions {
  readonly runtime: DuckDbRuntime;
  /** Path of the Parquet file to write (overwritten if it exists). */
  readonly output: string;
}

export async function writeParquet(stream: RowStream, options: ParquetWriteOptions): Promise<number> {
  const output = resolve(options.output);
  await mkdir(dirname(output), { recursive: true });
  await mkdir(options.runtime.tempDirectory, { recursive: true });
  const staging = join(options.runtime.tempDirectory, `export-${randomUUID()}.ndjson`);
  const names = uniqueColumnNames(stream.columns);
  let count = 0;
  try {
    const file = createWriteStream(staging, { encoding: 'utf8' });
    const sink = writableSink(file);
    try {
      for await (const batch of stream.rows) {
        let text = '';
        for (const row of batch) text += `${jsonLine(names, row)}\n`;
        count += batch.length;
        if (text !== '') await sink.write(text);
      }
    } finally {
      file.end();
      await finished(file);
    }
    const typed = stream.columns.every((c) => c.type !== undefined && c.type !== '');
    const readTypes = stream.columns.map((c) => (!typed ? (count === 0 ? 'VARCHAR' : undefined) : isBlob(c.type) ? 'VARCHAR' : c.type));
    const columnsArg = readTypes.every((t) => t !== undefined)
      ? `, columns={${names.map((n, i) => `${literal(n)}: ${literal(readTypes[i] ?? 'VARCHAR')}`).join(', ')}}`
      : '';
    const select = names.length === 0 ? '*' : names.map((n, i) => (typed && isBlob(stream.columns[i]?.type) ? `from_hex(${ident(n)}) AS ${ident(n)}` : ident(n))).join(', ');
    const sql = `COPY (SELECT ${select} FROM read_json(${literal(staging)}, format='newline_delimited'${columnsArg})) TO ${literal(output)} (FORMAT parquet)`;
    try {
      await options.runtime.withConnection((connection) => connection.run(sql));
    } catch (error) {
      throw new StrataError('WRITE_FAILED', `Could not write Parquet to ${output}: ${error instanceof Error ? error.message : String(error)}`, { output }, { cause: error });
    }
    return count;
  } finally {
    await rm(staging, { force: true });
  }
}

function isBlob(type: string | undefined): boolean {
  return type !== undefined && /^(BLOB|BYTEA|BINARY|VARBINARY)$/i.test(type.trim());
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
