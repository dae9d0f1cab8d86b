/**
 * Just enough lexing of SQL text to work on it safely without a full parser: split a script into
 * statements, find keywords outside string literals, quoted identifiers and comments, and edit the
 * text while remembering how positions in the edited text map back to the user's original, so an
 * error DuckDB reports on the rewritten statement still points at what the user typed.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'space' | 'comment';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Offset of the token's first character in the text. */
  readonly start: number;
  readonly end: number;
}

/** The opening of a dollar-quoted string: `$$` or `$tag$` (a `$1` parameter is not one). */
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

/** All tokens of `text`, whitespace and comments included, so `start`/`end` cover the whole text. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number): void => {
    tokens.push({ kind, text: text.slice(i, end), start: i, end });
    i = end;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      push('space', j);
    } else if (c === '-' && next === '-') {
      const j = text.indexOf('\n', i);
      push('comment', j < 0 ? text.length : j);
    } else if (c === '/' && next === '*') {
      const j = text.indexOf('*/', i + 2);
      push('comment', j < 0 ? text.length : j + 2);
    } else if (c === '$' && DOLLAR_TAG.test(text.slice(i, i + 66))) {
      // $$…$$ and $tag$…$tag$: DuckDB's dollar-quoted strings, where nothing is special inside.
      const tag = DOLLAR_TAG.exec(text.slice(i, i + 66))?.[0] ?? '$$';
      const close = text.indexOf(tag, i + tag.length);
      push('string', close < 0 ? text.length : close + tag.length);
    } else if ((c === 'E' || c === 'e') && next === "'") {
      // E'…': an escape string, where a backslash escapes the next character (E'it\'s').
      let j = i + 2;
      while (j < text.length) {
        if (text[j] === '\\') j += 2;
        else if (text[j] === "'" && text[j + 1] === "'") j += 2;
        else if (text[j] === "'") {
          j++;
          break;
        } else j++;
      }
      push('string', Math.min(j, text.length));
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) break;
        if (text[j] === c) {
          if (text[j + 1] === c) j += 2;
          else {
            j++;
            break;
          }
        } else j++;
      }
      push(c === "'" ? 'string' : 'quoted', j);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      let j = i + 1;
      while (j < text.length && /[0-9._eE]/.test(text[j] ?? '')) j++;
      push('number', j);
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[j] ?? '')) j++;
      push('word', j);
    } else {
      push('punct', i + 1);
    }
  }
  return tokens;
}

/** Tokens that carry meaning (no whitespace, no comments). */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

export interface StatementText {
  readonly text: string;
  /** Offset of the statement in the script. */
  readonly offset: number;
}

/** Split a script on top-level `;`, dropping empty statements. */
export function splitStatements(script: string): StatementText[] {
  const statements: StatementText[] = [];
  let start = 0;
  const flush = (end: number): void => {
    const raw = script.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    // A piece holding only comments is no statement (e.g. `SELECT 1; -- done`).
    const significant = tokenize(raw).some((t) => t.kind !== 'comment' && t.kind !== 'space');
    if (text.length > 0 && significant) statements.push({ text, offset: start + lead });
  };
  for (const token of tokenize(script)) {
    if (token.kind === 'punct' && token.text === ';') {
      flush(token.start);
      start = token.end;
    }
  }
  flush(script.length);
  return statements;
}

/** The value of an identifier token: quoted ones unquoted, bare words as written. */
export function identifierValue(token: Token): string {
  return token.kind === 'quoted' ? token.text.slice(1, -1).replaceAll('""', '"') : token.text;
}

export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/** Text after a set of non-overlapping edits, able to map its positions back to the original. */
export class EditedText {
  readonly original: string;
  readonly text: string;
  readonly #edits: readonly { readonly newStart: number; readonly newEnd: number; readonly start: number; readonly end: number }[];

  constructor(original: string, edits: readonly Edit[]) {
    this.original = original;
    const sorted = [...edits].sort((a, b) => a.start - b.start);
    let out = '';
    let at = 0;
    const mapped: { newStart: number; newEnd: number; start: number; end: number }[] = [];
    for (const e of sorted) {
      out += original.slice(at, e.start);
      const newStart = out.length;
      out += e.replacement;
      mapped.push({ newStart, newEnd: out.length, start: e.start, end: e.end });
      at = e.end;
    }
    out += original.slice(at);
    this.text = out;
    this.#edits = mapped;
  }

  /** The original offset of `position` in the edited text (an edited span maps to its start). */
  toOriginal(position: number): number {
    let delta = 0;
    for (const e of this.#edits) {
      if (position < e.newStart) break;
      if (position < e.newEnd) return e.start;
      delta = e.end - e.newEnd;
    }
    return position + delta;
  }
}

/**
 * Spark/SQL:2011-style time travel as DuckDB's `AT (…)` clause, which DuckDB's parser keeps in the
 * AST (`at_clause`), so the rest of the pipeline reads one form:
 *   `FOR VERSION AS OF 123` / `VERSION AS OF 'dev'`   → `AT (VERSION => 123)` / `AT (VERSION => 'dev')`
 *   `FOR SYSTEM_TIME AS OF '…'` / `TIMESTAMP AS OF '…'` → `AT (TIMESTAMP => '…')`
 * Only the keyword sequence followed by one literal (number or string) is rewritten. DuckDB wants
 * the clause after the alias, so a following `AS alias` moves in front of it:
 * `db.t FOR VERSION AS OF 1 AS x` → `db.t AS x AT (VERSION => 1)`.
 */
export function rewriteTimeTravel(text: string): EditedText {
  const tokens = significant(tokenize(text));
  const edits: Edit[] = [];
  const upper = (i: number): string => (tokens[i]?.kind === 'word' ? (tokens[i]?.text.toUpperCase() ?? '') : '');
  for (let i = 0; i < tokens.length; i++) {
    let j = i;
    if (upper(j) === 'FOR') j++;
    const unit = upper(j) === 'VERSION' ? 'VERSION' : upper(j) === 'SYSTEM_TIME' || upper(j) === 'TIMESTAMP' ? 'TIMESTAMP' : undefined;
    if (!unit || upper(j + 1) !== 'AS' || upper(j + 2) !== 'OF') continue;
    const literal = tokens[j + 3];
    if (!literal || (literal.kind !== 'number' && literal.kind !== 'string')) continue;
    const first = tokens[i];
    if (!first) continue;
    const clause = `AT (${unit} => ${literal.text})`;
    const alias = tokens[j + 5];
    if (upper(j + 4) === 'AS' && alias && (alias.kind === 'word' || alias.kind === 'quoted')) {
      edits.push({ start: first.start, end: alias.end, replacement: `AS ${alias.text} ${clause}` });
      i = j + 5;
    } else {
      edits.push({ start: first.start, end: literal.end, replacement: clause });
      i = j + 3;
    }
  }
  return new EditedText(text, edits);
}
