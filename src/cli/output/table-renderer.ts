/**
 * Aligned text tables for people:
 *
 *    id | name  | amount
 *   ----+-------+-------
 *     1 | ada   |  12.50
 *     2 | NULL  |   3.00
 *   (2 rows)
 *
 * Column widths come from the header and the FIRST batch only, so output starts at once and memory
 * stays bounded however many rows follow; later, longer cells are truncated with `…`, as are cells
 * longer than `maxCellWidth`. Numbers are right-aligned. NULL prints as `NULL` (dimmed when
 * `color` is on), and control characters are escaped (`\n`) so a row stays on one line.
 * Widths count code points; East Asian wide characters will misalign (known limitation).
 */
import { cellText, isNumericColumn } from './cell-value.ts';
import type { RowStream, TextSink } from './row-stream.ts';

export interface TableRenderOptions {
  readonly maxCellWidth?: number;
  /** ANSI styling (dim NULLs, bold header); turn on for terminals only. */
  readonly color?: boolean;
}

const NULL_TEXT = 'NULL';

export async function renderTable(stream: RowStream, sink: TextSink, options: TableRenderOptions = {}): Promise<number> {
  const maxWidth = Math.max(4, options.maxCellWidth ?? 40);
  const color = options.color ?? false;
  const columns = stream.columns;
  let widths: number[] | undefined;
  let rightAligned: boolean[] = [];
  let count = 0;

  const line = (cells: readonly (string | null)[]) =>
    ` ${cells
      .map((cell, i) => {
        const width = widths?.[i] ?? 0;
        const text = fit(cell ?? NULL_TEXT, width);
        const padded = rightAligned[i] ? text.padStart(width) : text.padEnd(width);
        if (cell === null && color) return `\x1b[2m${padded}\x1b[0m`;
        return padded;
      })
      .join(' | ')}`.trimEnd();

  const start = async (first: readonly (readonly unknown[])[]) => {
    const texts = first.map((row) => columns.map((_, i) => cellText(row[i])));
    widths = columns.map((column, i) => {
      let width = length(escape(column.name));
      for (const row of texts) width = Math.max(width, length(escape(row[i] ?? NULL_TEXT)));
      return Math.min(width, maxWidth);
    });
    rightAligned = columns.map((column, i) => isNumericColumn(column.type, first.find((row) => row[i] != null)?.[i]));
    const header = line(columns.map((c) => c.name));
    await sink.write(`${color ? `\x1b[1m${header}\x1b[0m` : header}\n`);
    await sink.write(`${widths.map((w) => '-'.repeat(w + 2)).join('+')}\n`);
  };

  for await (const batch of stream.rows) {
    if (widths === undefined) await start(batch);
    if (batch.length === 0) continue;
    let text = '';
    for (const row of batch) text += `${line(columns.map((_, i) => cellText(row[i])))}\n`;
    count += batch.length;
    await sink.write(text);
  }
  if (widths === undefined) await start([]);
  await sink.write(`(${count} ${count === 1 ? 'row' : 'rows'})\n`);
  return count;
}

function fit(text: string, width: number): string {
  const escaped = escape(text);
  const chars = [...escaped];
  return chars.length <= width ? escaped : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function length(text: string): number {
  return [...text].length;
}

function escape(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
