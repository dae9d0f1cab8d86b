import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../core/index.ts';
import { runCli } from './cli-test-kit.ts';

let root: string;
let home: string;
const strata = (args: string[], input?: string) => runCli(['--home', home, ...args], input !== undefined ? { input } : {});

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-cli-sql-'));
  home = join(root, 'home');
  assert.equal((await strata(['init'])).code, 0);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('strata sql, shell and ingest', () => {
  test('sql runs scripts, prints ok messages and rows, and maps SQL errors to exit codes', async () => {
    const created = await strata(['sql', "CREATE DATABASE sales; CREATE TABLE sales.t AS SELECT 1 AS id, 'a,b' AS name"]);
    assert.equal(created.code, 0, created.stderr);
    const csv = await strata(['sql', 'SELECT id, name FROM sales.t', '--format', 'csv']);
    assert.equal(csv.stdout, 'id,name\r\n1,"a,b"\r\n');
    const fromStdin = await strata(['sql', '-', '--format', 'json'], 'SELECT count(*) AS n FROM sales.t');
    assert.deepEqual(parseJson(fromStdin.stdout.trim()), { n: 1 });
    const misspelled = await strata(['sql', 'SELECT * FROM sales.tt']);
    assert.equal(misspelled.code, 3);
    assert.match(misspelled.stderr, /sales\.t\b/);
    assert.equal((await strata(['sql', 'SELEC 1'])).code, 2);
    assert.equal((await strata(['sql'])).code, 2);
  });

  test('shell: multi-line statements, ; inside strings, .format, and the exit code of a failure', async () => {
    const run = await strata(['shell'], "SELECT 1 AS a,\n  'x;y' AS b;\n.format json\nSELECT 2 AS a;\nSELECT nope;\n");
    assert.match(run.stdout, /^ a \| b\n---\+-----\n 1 \| x;y\n\(1 row\)\n\{"a":2\}\n$/);
    assert.match(run.stderr, /\[SQL_ERROR\]/);
    assert.equal(run.code, 2);
    const later = await strata(['shell'], 'SELECT nope;\nSELECT 4 AS d;\n');
    assert.equal(later.code, 2, 'a piped script keeps its failure even when later statements succeed');
    const ok = await strata(['shell'], 'SELECT 3 AS c; -- done');
    assert.equal(ok.code, 0, 'a trailing comment is not a statement');
    assert.match(ok.stdout, / 3\n/);
  });

  test('ingest: summary with counts, skip on re-ingest, exit 5 above --max-bad-ratio, no progress bar in a pipe', async () => {
    const good = join(root, 'events.ndjson');
    await writeFile(good, '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\nnot json\n');
    assert.equal((await strata(['sql', 'CREATE DATABASE raw'])).code, 0);
    const first = await strata(['ingest', good, '--into', 'raw.events']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /read 3, written 2, quarantined 1/);
    assert.doesNotMatch(first.stderr, /\r|#####/);
    const again = await strata(['ingest', good, '--into', 'raw.events', '--json']);
    assert.equal(again.code, 0);
    assert.equal((parseJson(again.stdout) as { files: { status: string }[] }).files[0]?.status, 'skipped');
    const strict = await strata(['ingest', good, '--into', 'raw.events', '--force', '--max-bad-ratio', '0.1']);
    assert.equal(strict.code, 5);
    assert.match(strict.stderr, /\[VALIDATION_FAILED\]/);
    const rows = await strata(['sql', 'SELECT count(*) AS n FROM raw.events', '--format', 'json']);
    assert.deepEqual(parseJson(rows.stdout.trim()), { n: 4 });
    assert.equal((await strata(['ingest', good, '--into', 'raw.events', '--max-bad-ratio', '2'])).code, 2);
    assert.equal((await strata(['ingest', good, '--into', 'raw.events', '--format', 'xml'])).code, 2);
  });
});
