/**
 * JSON lines (https://jsonlines.org): one JSON object per row, keyed by column name.
 *
 * bigint values are written as bare JSON numbers with every digit (never strings, never rounded),
 * as Iceberg's own JSON does; `jq` and JavaScript's JSON.parse round integers beyond 2^53, so
 * read them with a lossless parser when exactness matters. Duplicate column names get `_1`, `_2`
 * suffixes so no value is lost to a key collision.
 */
import { stringifyJson } from '../../core/index.ts';
import { toJsonValue } from './cell-value.ts';
import { uniqueColumnNames, type RowStream, type TextSink } from './row-stream.ts';

export async function renderJsonLines(stream: RowStream, sink: TextSink): Promise<number> {
  const names = uniqueColumnNames(stream.columns);
  let count = 0;
  for await (const batch of stream.rows) {
    let text = '';
    for (const row of batch) text += `${jsonLine(names, row)}\n`;
    count += batch.length;
    if (text !== '') await sink.write(text);
  }
  return count;
}

export function jsonLine(names: readonly string[], row: readonly unknown[]): string {
  const object: Record<string, unknown> = {};
  names.forEach((name, i) => {
    object[name] = toJsonValue(row[i]);
  });
  return stringifyJson(object);
}
