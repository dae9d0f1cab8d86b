import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCompleteStatement } from './statement-buffer.ts';

test('a statement is complete only when it ends with ; outside quotes and comments', () => {
  const cases: [string, boolean][] = [
    ['SELECT 1;', true],
    ['SELECT 1', false],
    ['SELECT 1;  \n', true],
    ["SELECT ';'", false],
    ["SELECT 'it''s;'", false],
    ["SELECT 'it''s';", true],
    ['SELECT 1; -- done', true],
    ['SELECT 1 -- not yet;', false],
    ['SELECT /* ; */ 1', false],
    ['SELECT /* open ;', false],
    ['SELECT "a;b" FROM t;', true],
    ["SELECT 'open\n;", false],
    ['', false],
  ];
  for (const [text, expected] of cases) assert.equal(isCompleteStatement(text), expected, JSON.stringify(text));
});
