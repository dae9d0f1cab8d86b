/**
 * Spark's refusals in the shape DuckDB's have (duckdb-errors.ts), so callers such as the SQL
 * session branch on one shape whatever the engine: SQL_ERROR with a short message, `details.position`
 * (0-based character offset in the statement Spark ran) when Spark points at a place, and for an
 * unknown column `Column "x" does not exist; did you mean "y"?` with `details.column` /
 * `details.suggestion`. Spark's own facts stay in details: `errorClass` (e.g. `DIVIDE_BY_ZERO`),
 * `sqlState`, `messageParameters`, `exceptionClass`, `sparkMessage` (the full text).
 *
 * Where the position comes from, best first:
 * 1. the error's SQL query context (FetchErrorDetails): analysis and runtime errors
 *    (`start_index`, already 0-based in the statement text);
 * 2. `(line L, pos P)` in a ParseException's message (line 1-based, pos 0-based in that line).
 *
 * A lost connection (the client's STORAGE_ERROR) becomes ENGINE_UNAVAILABLE.
 *
 * Gotcha: a query context that belongs to a view (`objectType` VIEW) points into the view's text,
 * not the statement's, and is ignored.
 */
import { StrataError } from '../../core/index.ts';
import type { SparkErrorCause, SparkQueryContext } from './connect/spark-errors.ts';

/**
 * Where a caller's SQL sits inside the text Spark actually ran (a write wraps its source query):
 * positions are read against `ran` and reported relative to the caller's SQL, `offset` chars in.
 */
export interface SqlEmbedding {
  readonly ran: string;
  readonly offset: number;
}

/** Maps an error of a Spark query or write; other codes (QUERY_CANCELLED, UNAUTHENTICATED …) pass through. */
export function sparkEngineError(error: unknown, sql: string, embedding: SqlEmbedding = { ran: sql, offset: 0 }): StrataError {
  if (!(error instanceof StrataError)) return new StrataError('SQL_ERROR', `Spark failed: ${String(error)}`, {}, { cause: error });
  if (error.code === 'STORAGE_ERROR') {
    // The client's code for a broken or refused connection: for an engine that means unavailable.
    return new StrataError('ENGINE_UNAVAILABLE', error.message, { ...error.details }, { cause: error });
  }
  if (error.code !== 'SQL_ERROR') return error;
  const details = error.details;
  const causes = Array.isArray(details['causes']) ? (details['causes'] as SparkErrorCause[]) : [];
  const root = causes[0];
  const raw = root?.message ?? error.message.replace(/^Spark refused the \w+: /, '');
  const errorClass = stringOr(details['errorClass']) ?? root?.errorClass;
  const sqlState = stringOr(details['sqlState']) ?? root?.sqlState;
  const messageParameters = (details['messageParameters'] ?? root?.messageParameters) as Record<string, string> | undefined;
  const exceptionClass = stringOr(details['exceptionClass']) ?? root?.exceptionClass;
  const ranAt = contextPosition(root?.queryContexts, embedding.ran) ?? parsePosition(raw, embedding.ran);
  const position = ranAt !== undefined && ranAt >= embedding.offset && ranAt - embedding.offset <= sql.length ? ranAt - embedding.offset : undefined;
  const out: Record<string, unknown> = {
    errorType: errorClass ?? exceptionClass?.split('.').pop() ?? 'Unknown',
    ...(errorClass !== undefined ? { errorClass } : {}),
    ...(sqlState !== undefined ? { sqlState } : {}),
    ...(messageParameters !== undefined ? { messageParameters } : {}),
    ...(exceptionClass !== undefined ? { exceptionClass } : {}),
    sparkMessage: raw.trim(),
    ...(position !== undefined ? { position } : {}),
  };

  if (errorClass?.startsWith('UNRESOLVED_COLUMN') === true) {
    const column = lastNamePart(messageParameters?.['objectName']);
    const suggestion = lastNamePart(firstProposal(messageParameters?.['proposal']));
    if (column !== undefined) {
      out['column'] = column;
      if (suggestion !== undefined) out['suggestion'] = suggestion;
      const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
      return new StrataError('SQL_ERROR', `Column "${column}" does not exist${hint}`, out, { cause: error });
    }
  }
  const message = shortMessage(raw);
  return new StrataError(
    'SQL_ERROR',
    position === undefined ? message : `${message} (at position ${position}: ${JSON.stringify(excerptAt(sql, position))})`,
    out,
    { cause: error },
  );
}

/** Spark's message without the SQLSTATE tail, the analysed plan and the `== SQL ==` excerpt. */
export function shortMessage(raw: string): string {
  let text = raw.trim();
  const state = /\s*SQLSTATE: [0-9A-Z]{5}/.exec(text);
  if (state) text = text.slice(0, state.index);
  text = text.replace(/;\s*line \d+ pos \d+;[\s\S]*$/, '').replace(/\n== SQL[\s\S]*$/, '');
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

function contextPosition(contexts: readonly SparkQueryContext[] | undefined, sql: string): number | undefined {
  const own = contexts?.find((c) => c.objectType === undefined && c.objectName === undefined);
  if (own === undefined || own.startIndex < 0 || own.startIndex > sql.length) return undefined;
  return own.startIndex;
}

/** `(line L, pos P)` of a parse error as a 0-based offset into `sql`. */
function parsePosition(raw: string, sql: string): number | undefined {
  const match = /\(line (\d+), pos (\d+)\)/.exec(raw);
  if (!match) return undefined;
  const lineNo = Number(match[1]);
  const column = Number(match[2]);
  const lines = sql.split('\n');
  if (lineNo < 1 || lineNo > lines.length) return undefined;
  let offset = 0;
  for (let i = 0; i < lineNo - 1; i++) offset += (lines[i]?.length ?? 0) + 1;
  const position = offset + column;
  return position <= sql.length ? position : undefined;
}

/** `` `t`.`col` `` → `col`; backticks doubled inside a part are one backtick. */
function lastNamePart(name: string | undefined): string | undefined {
  if (name === undefined || name.trim() === '') return undefined;
  const parts = [...name.matchAll(/`((?:[^`]|``)*)`|([^.`]+)/g)].map((m) => (m[1] ?? m[2] ?? '').replaceAll('``', '`'));
  return parts.at(-1);
}

/** The first name of a proposal list such as `` `a`, `b` `` (Spark lists the closest first). */
function firstProposal(proposal: string | undefined): string | undefined {
  if (proposal === undefined) return undefined;
  const match = /^\s*((?:`(?:[^`]|``)*`\.?)+|[^,\s]+)/.exec(proposal);
  return match?.[1];
}

function excerptAt(sql: string, position: number): string {
  return sql.slice(position, position + 30).split('\n')[0] ?? '';
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
