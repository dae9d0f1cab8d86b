/**
 * Renders a row stream in the format the user asked for. Table, JSON lines and CSV stream to a text
 * sink (stdout); Parquet needs a file (`--output`) and the DuckDB runtime that writes it.
 */
import { StrataError } from '../../core/index.ts';
import type { OutputFormat } from '../../config/index.ts';
import type { DuckDbRuntime } from '../../table/index.ts';
import { renderCsv } from './csv-renderer.ts';
import { renderJsonLines } from './json-lines-renderer.ts';
import { writeParquet } from './parquet-writer.ts';
import type { RowStream, TextSink } from './row-stream.ts';
import { renderTable } from './table-renderer.ts';

export { rowStreamOf, columnsOf, writableSink, stringSink, type RowStream, type OutputColumn, type TextSink } from './row-stream.ts';
export { cellText, toJsonValue } from './cell-value.ts';
export { renderTable, type TableRenderOptions } from './table-renderer.ts';
export { renderCsv, csvField } from './csv-renderer.ts';
export { renderJsonLines } from './json-lines-renderer.ts';
export { writeParquet } from './parquet-writer.ts';

export interface RenderOptions {
  readonly format: OutputFormat;
  readonly sink: TextSink;
  /** Required for `parquet`. */
  readonly output?: string;
  /** Required for `parquet`. */
  readonly runtime?: DuckDbRuntime;
  readonly maxCellWidth?: number;
  readonly color?: boolean;
}

/** Renders the stream; resolves to the number of rows. */
export async function renderRows(stream: RowStream, options: RenderOptions): Promise<number> {
  switch (options.format) {
    case 'table':
      return renderTable(stream, options.sink, {
        ...(options.maxCellWidth !== undefined ? { maxCellWidth: options.maxCellWidth } : {}),
        ...(options.color !== undefined ? { color: options.color } : {}),
      });
    case 'json':
      return renderJsonLines(stream, options.sink);
    case 'csv':
      return renderCsv(stream, options.sink);
    case 'parquet': {
      if (options.output === undefined) {
        throw new StrataError('INVALID_ARGUMENT', '--format parquet writes a file: add --output <file.parquet>.', { format: 'parquet' });
      }
      if (options.runtime === undefined) throw new StrataError('INVALID_ARGUMENT', 'Parquet output needs a DuckDB runtime', {});
      const rows = await writeParquet(stream, { runtime: options.runtime, output: options.output });
      await options.sink.write(`Wrote ${rows} ${rows === 1 ? 'row' : 'rows'} to ${options.output}\n`);
      return rows;
    }
  }
}
