/**
 * The text page formats, rendered from `Cell`s:
 * - JSON: an array of objects keyed by column name, e.g. `[{"id":1,"price":"12.30"}]`. Values
 *   follow json-text.ts (unsafe bigint → string, NaN → "NaN", bytes → base64); decimals are exact
 *   strings; dates `YYYY-MM-DD`; timestamps ISO 8601 (`2024-01-31T10:15:00.5`, `Z` when zoned);
 *   nested values are JSON.
 * - CSV: RFC 4180 with a header line and CRLF line ends. A field is quoted when it holds a comma,
 *   a quote, CR or LF; quotes are doubled. NULL is an empty field, the empty string is `""`, so the
 *   two stay distinguishable. Nested values are their JSON text; bytes are base64.
 *
 * Gotcha: JSON objects are written as text (never built as JS objects), so a column named
 * `__proto__` is just a key; with duplicate column names both keys are written, and most JSON
 * parsers keep the last.
 */
import { JsonText, type Cell } from './cell-reader.ts';
import { base64, bigintJson, numberJson } from './json-text.ts';

function cellJson(cell: Cell): string {
  if (cell === null) return 'null';
  if (cell instanceof JsonText) return cell.text;
  if (cell instanceof Uint8Array) return `"${base64(cell)}"`;
  switch (typeof cell) {
    case 'boolean':
      return cell ? 'true' : 'false';
    case 'number':
      return numberJson(cell);
    case 'bigint':
      return bigintJson(cell);
    default:
      return JSON.stringify(cell);
  }
}

/** A JSON array of row objects. */
export function renderJsonRows(names: readonly string[], rows: Iterable<readonly Cell[]>): string {
  const keys = names.map((name) => `${JSON.stringify(name)}:`);
  const parts: string[] = [];
  for (const row of rows) {
    parts.push(`{${row.map((cell, column) => `${keys[column] ?? '"?":'}${cellJson(cell)}`).join(',')}}`);
  }
  return `[${parts.join(',')}]`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text === '' ? `"${text.replaceAll('"', '""')}"` : text;
}

function cellCsv(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof JsonText) return csvField(cell.text);
  if (cell instanceof Uint8Array) return csvField(base64(cell));
  return csvField(String(cell));
}

/** CSV with a header line; every line (the last included) ends in CRLF. */
export function renderCsv(names: readonly string[], rows: Iterable<readonly Cell[]>): string {
  const lines = [names.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(cellCsv).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
