import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOf, globToRegExp } from './input-files.ts';

test('globs: * and ? stay within a directory, ** crosses them, [..] and {..} choose', () => {
  const cases: [string, string, boolean][] = [
    ['*.csv', 'a.csv', true],
    ['*.csv', 'x/a.csv', false],
    ['**/*.csv', 'a.csv', true],
    ['**/*.csv', 'x/y/a.csv', true],
    ['day-?.json', 'day-1.json', true],
    ['day-?.json', 'day-10.json', false],
    ['part-[0-4].ndjson', 'part-3.ndjson', true],
    ['part-[!0-4].ndjson', 'part-7.ndjson', true],
    ['part-[!0-4].ndjson', 'part-3.ndjson', false],
    ['*.{csv,json}', 'b.json', true],
    ['*.{csv,json}', 'b.parquet', false],
    ['a+b.csv', 'a+b.csv', true],
  ];
  for (const [glob, path, expected] of cases) assert.equal(globToRegExp(glob).test(path), expected, `${glob} vs ${path}`);
});

test('formats come from the extension', () => {
  assert.deepEqual(['a.jsonl', 'a.NDJSON', 'a.json', 'a.csv', 'a.parquet', 'a.txt'].map(formatOf), ['ndjson', 'ndjson', 'json', 'csv', 'parquet', undefined]);
});
