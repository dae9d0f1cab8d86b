/**
 * Decides when the shell has a whole statement: the text ends with `;` outside quotes ('…', "…")
 * and comments (-- to end of line, / * … * /). Lines accumulate until then, so statements can span
 * lines and a `;` inside a string literal does not cut a statement short.
 */
export function isCompleteStatement(text: string): boolean {
  let lastSignificant = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === "'" || c === '"') {
      const end = closingQuote(text, i + 1, c);
      if (end === -1) return false; // an open literal: keep reading
      lastSignificant = c;
      i = end + 1;
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return false;
      i = end + 2;
    } else {
      if (!/\s/.test(c)) lastSignificant = c;
      i++;
    }
  }
  return lastSignificant === ';';
}

/** Index of the quote closing a literal opened before `from` (a doubled quote is an escaped one), or -1. */
function closingQuote(text: string, from: number, quote: string): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i;
    } else i++;
  }
  return -1;
}
