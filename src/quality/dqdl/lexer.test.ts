import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { tokenizeDqdl } from './lexer.ts';

describe('tokenizeDqdl', () => {
  test('gives each token its kind, value and 1-based line/column plus offset', () => {
    const tokens = tokenizeDqdl('Rules = [\n  ColumnValues "a" >= 0.95\n]');
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.value, t.position.line, t.position.column, t.position.offset]),
      [
        ['identifier', 'Rules', 1, 1, 0],
        ['symbol', '=', 1, 7, 6],
        ['symbol', '[', 1, 9, 8],
        ['identifier', 'ColumnValues', 2, 3, 12],
        ['string', 'a', 2, 16, 25],
        ['symbol', '>=', 2, 20, 29],
        ['number', '0.95', 2, 23, 32],
        ['symbol', ']', 3, 1, 37],
        ['eof', '', 3, 2, 38],
      ],
    );
  });

  test('unescapes only \\" and \\\\ inside strings, keeping regex backslashes', () => {
    const [tok] = tokenizeDqdl(String.raw`"say \"hi\" \\ \d{5}"`);
    assert.equal(tok?.kind, 'string');
    assert.equal(tok?.value, String.raw`say "hi" \ \d{5}`);
    assert.equal(tok?.text, String.raw`"say \"hi\" \\ \d{5}"`);
  });

  test('skips # comments to the end of the line but not # inside strings', () => {
    const tokens = tokenizeDqdl('# header\nRowCount > 0 # trailing\n"a#b"');
    assert.deepEqual(
      tokens.map((t) => t.value),
      ['RowCount', '>', '0', 'a#b', ''],
    );
    assert.equal(tokens[0]?.position.line, 2);
  });

  test('counts lines inside multi-line strings and across CRLF line ends', () => {
    const tokens = tokenizeDqdl('CustomSql "select\n  1"\r\n  > 0');
    const gt = tokens.find((t) => t.value === '>');
    assert.deepEqual(gt?.position, { line: 3, column: 3, offset: 26 });
  });

  test('lexes numbers without sign and keeps minus as a symbol', () => {
    assert.deepEqual(
      tokenizeDqdl('-12 3.5 10').map((t) => `${t.kind}:${t.value}`),
      ['symbol:-', 'number:12', 'number:3.5', 'number:10', 'eof:'],
    );
  });

  test('reports an unterminated string at its opening quote', () => {
    assert.throws(
      () => tokenizeDqdl('Rules = [\n  IsComplete "id\n]'),
      (error: unknown) =>
        StrataError.is(error, 'DQDL_SYNTAX_ERROR') &&
        error.details['line'] === 2 &&
        error.details['column'] === 14 &&
        error.message.startsWith('line 2, column 14: this string is never closed'),
    );
  });

  test('rejects single-quoted strings with a hint', () => {
    assert.throws(
      () => tokenizeDqdl("IsComplete 'id'"),
      (error: unknown) =>
        StrataError.is(error, 'DQDL_SYNTAX_ERROR') &&
        error.message === `line 1, column 12: unexpected character "'" (DQDL strings use double quotes: "…")`,
    );
  });
});
