/**
 * CSV as RFC 4180 says: a header record, CRLF line breaks, and fields enclosed in double quotes
 * when they contain a comma, a double quote, CR or LF (quotes inside are doubled).
 *
 * NULL is an empty, unquoted field; an empty string is `""`, so the two stay distinguishable
 * (the convention PostgreSQL's COPY and DuckDB's reader understand).
 */
import { cellText } from './cell-value.ts';
import type { RowStream, TextSink } from './row-stream.ts';

export async function renderCsv(stream: RowStream, sink: TextSink): Promise<number> {
  await sink.write(`${stream.columns.map((c) => quote(c.name, true)).join(',')}\r\n`);
  let count = 0;
  for await (const batch of stream.rows) {
    let text = '';
    for (const row of batch) {
      text += `${stream.columns.map((_, i) => csvField(row[i])).join(',')}\r\n`;
    }
    count += batch.length;
    if (text !== '') await sink.write(text);
  }
  return count;
}

export function csvField(value: unknown): string {
  const text = cellText(value);
  return text === null ? '' : quote(text, false);
}

function quote(text: string, header: boolean): string {
  if (text === '') return header ? '' : '""';
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
