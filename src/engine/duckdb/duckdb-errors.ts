/**
 * DuckDB errors as StrataErrors. DuckDB reports every failure as a plain Error whose message starts
 * with its class ("Parser Error: …", "Binder Error: …", "Catalog Error: …") and, for errors tied to
 * a place in the statement, ends with a `LINE n: <excerpt>` line and a caret under the spot. Both
 * are kept: `details.errorType` and `details.position` (0-based character offset in the statement).
 */
import { StrataError, messageOf } from '../../core/index.ts';

/** QUERY_CANCELLED for an interrupted query; SQL_ERROR for everything else DuckDB refuses. */
export function duckDbError(error: unknown, sql: string): StrataError {
  if (error instanceof StrataError) return error;
  const raw = messageOf(error).replace(/^Failed to extract statements: /, '');
  const typeMatch = /^([A-Za-z ]+?) Error: /.exec(raw);
  const errorType = typeMatch?.[1] ?? 'Unknown';
  if (errorType.toUpperCase() === 'INTERRUPT') {
    return new StrataError('QUERY_CANCELLED', 'The query was cancelled', { sql }, { cause: error });
  }
  const position = caretPosition(raw, sql);
  const message = raw.replace(/\n\nLINE \d+:[\s\S]*$/, '');
  return new StrataError(
    'SQL_ERROR',
    position === undefined ? message : `${message} (at position ${position}: ${excerptAt(sql, position)})`,
    { errorType, duckdbMessage: raw, ...(position === undefined ? {} : { position }) },
    { cause: error },
  );
}

/** The 0-based offset the caret points at, mapped from DuckDB's (possibly trimmed) line excerpt. */
export function caretPosition(message: string, sql: string): number | undefined {
  const match = /\nLINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!match) return undefined;
  const lineNo = Number(match[1]);
  const shown = match[2] ?? '';
  const column = (match[3]?.length ?? 0) - `LINE ${lineNo}: `.length;
  const lines = sql.split('\n');
  const line = lines[lineNo - 1];
  if (line === undefined) return undefined;
  let lineStart = 0;
  for (let i = 0; i < lineNo - 1; i++) lineStart += (lines[i]?.length ?? 0) + 1;
  // DuckDB trims long lines to a window around the error, prefixed with "...".
  const trimmedPrefix = shown.startsWith('...') ? 3 : 0;
  const window = shown.slice(trimmedPrefix).replace(/\.\.\.$/, '');
  const at = window.length > 0 ? line.indexOf(window.slice(0, Math.min(window.length, 40))) : 0;
  if (at < 0) return undefined;
  return lineStart + at + column - trimmedPrefix;
}

function excerptAt(sql: string, position: number): string {
  const text = sql.slice(position, position + 30).split('\n')[0] ?? '';
  return JSON.stringify(text);
}
