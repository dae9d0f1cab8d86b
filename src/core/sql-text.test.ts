import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStatements, tokenize } from './sql-text.ts';

describe('SQL text', () => {
  test('splits a script on semicolons outside strings, identifiers and comments', () => {
    const parts = splitStatements(`SELECT 'a;b' AS "x;y"; -- c;\nSELECT 2 /* ; */;`).map((s) => s.text.trim());
    assert.deepEqual(parts, [`SELECT 'a;b' AS "x;y"`, '-- c;\nSELECT 2 /* ; */']);
  });

  test("dollar-quoted strings ($$…$$, $tag$…$tag$) are one string, as DuckDB reads them", () => {
    assert.deepEqual(
      splitStatements("SELECT $$it's; fine$$; SELECT $q$a$$b;$q$; SELECT 3").map((s) => s.text.trim()),
      ["SELECT $$it's; fine$$", 'SELECT $q$a$$b;$q$', 'SELECT 3'],
    );
    const strings = tokenize("SELECT $1, $$x$$").filter((t) => t.kind === 'string').map((t) => t.text);
    assert.deepEqual(strings, ['$$x$$'], 'a $1 parameter is not a string');
  });

  test("escape strings (E'…') honour backslash escapes", () => {
    assert.deepEqual(
      splitStatements("SELECT E'it\\'s; fine'; SELECT 2").map((s) => s.text.trim()),
      ["SELECT E'it\\'s; fine'", 'SELECT 2'],
    );
    const word = tokenize("SELECT type FROM t WHERE name = 'e'").filter((t) => t.kind === 'string').map((t) => t.text);
    assert.deepEqual(word, ["'e'"]);
  });
});
