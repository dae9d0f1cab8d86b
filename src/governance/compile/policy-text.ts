/**
 * Lexical checks and edits on policy SQL (row-filter predicates, expression masks) before it is
 * pasted into a governed relation. The compiler wraps a predicate as `(\n<predicate>\n)`; a text
 * that closes that parenthesis itself (`true) OR (true`) would escape the AND of the other filters,
 * so every policy text must be self-contained: parentheses balanced and never below zero, every
 * string, quoted identifier and comment terminated, no `;`.
 *
 * The tokenizer (src/core/sql-text.ts) mirrors DuckDB's lexer for standard SQL, but not for three
 * corners where the two could disagree about what is code, so those are refused outright:
 * dollar-quoted strings (`$$…$$`, and `$1` parameters with them), backslash-escaped strings
 * (`E'…'`), and a block comment opened inside another (DuckDB nests block comments, the
 * tokenizer ends the outer one at the first close).
 */
import { StrataError } from '../../core/index.ts';
import { EditedText, significant, tokenize, type Edit, type Token } from '../../core/index.ts';

/** Throws INVALID_ARGUMENT unless `sql` is one self-contained expression text. */
export function assertSelfContained(sql: string, what: string): void {
  const fail = (reason: string): never => {
    throw new StrataError('INVALID_ARGUMENT', `${what} refused: ${reason}`, { sql, reason });
  };
  const tokens = tokenize(sql);
  if (significant(tokens).length === 0) fail('it is empty');
  let depth = 0;
  let previous: Token | undefined;
  for (const t of tokens) {
    if (t.kind === 'string' || t.kind === 'quoted') {
      const quote = t.text[0];
      if (t.text.length < 2 || t.text.at(-1) !== quote) fail(`unterminated ${t.kind === 'string' ? 'string literal' : 'quoted identifier'}`);
      if (t.kind === 'string' && previous?.kind === 'word' && previous.end === t.start && /^e$/i.test(previous.text)) {
        fail("escape strings (E'…') are not allowed; write the text as a plain '…' literal");
      }
    } else if (t.kind === 'comment' && t.text.startsWith('/*')) {
      if (!t.text.endsWith('*/') || t.text.length < 4) fail('unterminated /* comment');
      if (t.text.slice(2, -2).includes('/*')) fail('nested /* comments are not allowed');
    } else if (t.kind === 'punct') {
      if (t.text === '$') fail('dollar-quoted strings and $ parameters are not allowed');
      if (t.text === ';') fail('it holds a ";"; give one expression, not statements');
      if (t.text === '(') depth++;
      if (t.text === ')' && --depth < 0) fail('a ")" closes a parenthesis it did not open');
    }
    previous = t;
  }
  if (depth !== 0) fail('a "(" is never closed');
}

/**
 * `sql` with every bare identifier `value` (any case; not quoted, not part of `a.b`, not a function
 * name) replaced by `replacement`: how an expression mask refers to the column it masks. A column
 * that is really named `value` is still reachable as `"value"`.
 */
export function replaceValueIdentifier(sql: string, replacement: string): string {
  const tokens = significant(tokenize(sql));
  const edits: Edit[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'word' || t.text.toLowerCase() !== 'value') return;
    const before = tokens[i - 1]?.text;
    const after = tokens[i + 1]?.text;
    if (before === '.' || after === '.' || after === '(') return;
    edits.push({ start: t.start, end: t.end, replacement });
  });
  return new EditedText(sql, edits).text;
}
