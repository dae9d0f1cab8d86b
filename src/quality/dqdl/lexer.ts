/**
 * The DQDL lexer: turns ruleset text into tokens that remember where they came from, so every
 * parser error can say `line L, column C` and quote what it found.
 *
 * Gotchas (all following Glue's DQDL lexer):
 * - Strings are double-quoted only. Inside them `\"` and `\\` are the only escapes; any other
 *   backslash is kept as written, so regexes read naturally: `matches "\d{5}"` is the regex `\d{5}`.
 * - Strings may span lines (long CustomSql statements do).
 * - `#` starts a comment that runs to the end of the line (outside strings).
 * - Numbers are unsigned (`12`, `0.95`); a leading `-` is a separate symbol the parser folds.
 * - Keywords are not reserved here: `between`, `and`, `NULL`, `now` … are identifiers and the
 *   parser decides what they mean where they appear.
 */
import { StrataError } from '../../core/index.ts';
import type { SourcePosition } from './ast.ts';

export type DqdlTokenKind = 'identifier' | 'string' | 'number' | 'symbol' | 'eof';

export interface DqdlToken {
  readonly kind: DqdlTokenKind;
  /** The exact source text (with quotes and escapes for strings; empty for eof). */
  readonly text: string;
  /** Unescaped content for strings; same as `text` otherwise. */
  readonly value: string;
  /** Where the token starts. */
  readonly position: SourcePosition;
  /** 0-based offset just past the token's last character. */
  readonly end: number;
}

/** Multi-character symbols first so `>=` wins over `>`. */
const SYMBOLS = ['>=', '<=', '!=', '=', '>', '<', '+', '-', '*', '/', '[', ']', '(', ')', '{', '}', ',', ':'] as const;

/** Tokenizes a whole ruleset. The last token is always `eof`. Throws DQDL_SYNTAX_ERROR on bad input. */
export function tokenizeDqdl(text: string): DqdlToken[] {
  const tokens: DqdlToken[] = [];
  let offset = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): SourcePosition => ({ line, column: offset - lineStart + 1, offset });

  while (offset < text.length) {
    const ch = text[offset] as string;
    if (ch === '\n') {
      offset++;
      line++;
      lineStart = offset;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      offset++;
      continue;
    }
    if (ch === '#') {
      while (offset < text.length && text[offset] !== '\n') offset++;
      continue;
    }
    const start = here();
    if (ch === '"') {
      let value = '';
      offset++;
      let closed = false;
      while (offset < text.length) {
        const c = text[offset] as string;
        if (c === '"') {
          offset++;
          closed = true;
          break;
        }
        if (c === '\\' && (text[offset + 1] === '"' || text[offset + 1] === '\\')) {
          value += text[offset + 1];
          offset += 2;
          continue;
        }
        if (c === '\n') {
          line++;
          lineStart = offset + 1;
        }
        value += c;
        offset++;
      }
      if (!closed) {
        throw lexError(start, 'this string is never closed: add the missing `"` (write \\" for a quote inside a string)', 'a closing "');
      }
      tokens.push({ kind: 'string', text: text.slice(start.offset, offset), value, position: start, end: offset });
      continue;
    }
    if (isDigit(ch)) {
      while (offset < text.length && isDigit(text[offset] as string)) offset++;
      if (text[offset] === '.' && isDigit(text[offset + 1] ?? '')) {
        offset++;
        while (offset < text.length && isDigit(text[offset] as string)) offset++;
      }
      const raw = text.slice(start.offset, offset);
      tokens.push({ kind: 'number', text: raw, value: raw, position: start, end: offset });
      continue;
    }
    if (isIdentifierStart(ch)) {
      while (offset < text.length && isIdentifierPart(text[offset] as string)) offset++;
      const raw = text.slice(start.offset, offset);
      tokens.push({ kind: 'identifier', text: raw, value: raw, position: start, end: offset });
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, offset));
    if (symbol !== undefined) {
      offset += symbol.length;
      tokens.push({ kind: 'symbol', text: symbol, value: symbol, position: start, end: offset });
      continue;
    }
    const hint = ch === "'" ? ' (DQDL strings use double quotes: "…")' : '';
    throw new StrataError(
      'DQDL_SYNTAX_ERROR',
      `line ${start.line}, column ${start.column}: unexpected character ${JSON.stringify(ch)}${hint}`,
      { line: start.line, column: start.column, offset: start.offset, found: ch },
    );
  }
  const eof = here();
  tokens.push({ kind: 'eof', text: '', value: '', position: eof, end: offset });
  return tokens;
}

function lexError(at: SourcePosition, message: string, expected: string): StrataError {
  return new StrataError('DQDL_SYNTAX_ERROR', `line ${at.line}, column ${at.column}: ${message}`, {
    line: at.line,
    column: at.column,
    offset: at.offset,
    expected,
  });
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isIdentifierStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isIdentifierPart(ch: string): boolean {
  return isIdentifierStart(ch) || isDigit(ch);
}
