import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { StrataError } from '../core/index.ts';
import { ExitCode, exitCodeFor, exitCodeForStrataCode, exitCodeTable } from './exit-codes.ts';

test('StrataError codes map to the documented exit codes', () => {
  assert.equal(exitCodeFor(new StrataError('TABLE_NOT_FOUND', 'x')), 3);
  assert.equal(exitCodeFor(new StrataError('INVALID_CONFIG', 'x')), 2);
  assert.equal(exitCodeFor(new StrataError('COMMIT_CONFLICT', 'x')), 4);
  assert.equal(exitCodeFor(new StrataError('VALIDATION_FAILED', 'x')), 5);
  assert.equal(exitCodeFor(new StrataError('QUERY_CANCELLED', 'x')), 130);
  assert.equal(exitCodeFor(new Error('boom')), 1);
  // Codes added later by other planes still land sensibly.
  assert.equal(exitCodeForStrataCode('PIPELINE_NOT_FOUND'), ExitCode.NOT_FOUND);
  assert.equal(exitCodeForStrataCode('ROLE_ALREADY_EXISTS'), ExitCode.CONFLICT);
  assert.equal(exitCodeForStrataCode('INVALID_RULE'), ExitCode.USAGE);
  assert.equal(exitCodeForStrataCode('SOMETHING_ELSE'), ExitCode.UNEXPECTED);
});

test('docs/cli.md documents every exit code and every mapped error code', () => {
  const docs = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  for (const row of exitCodeTable()) {
    const line = docs.split('\n').find((l) => l.startsWith(`| ${row.code} |`));
    assert.ok(line, `docs/cli.md has a row for exit ${row.code}`);
    for (const code of row.errors) assert.ok(line.includes(code), `exit ${row.code} row lists ${code}`);
  }
});
