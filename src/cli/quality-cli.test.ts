import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../core/index.ts';
import { runCli } from './cli-test-kit.ts';

let root: string;
let home: string;
const strata = (...args: string[]) => runCli(['--home', home, ...args]);
const jsonLines = (text: string) => text.trimEnd().split('\n').map((line) => parseJson(line) as Record<string, unknown>);

let passing: string;
let failing: string;
let broken: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-quality-cli-'));
  home = join(root, 'home');
  assert.equal((await strata('init')).code, 0);
  const setup = await strata(
    'sql',
    "CREATE DATABASE sales; CREATE TABLE sales.orders (id BIGINT, status VARCHAR, amount DOUBLE); INSERT INTO sales.orders VALUES (1, 'paid', 10), (2, 'new', 5), (3, NULL, 7), (4, 'paid', -1)",
  );
  assert.equal(setup.code, 0, setup.stderr);
  passing = join(root, 'orders-ok.dqdl');
  failing = join(root, 'orders.dqdl');
  broken = join(root, 'broken.dqdl');
  await writeFile(passing, 'Rules = [\n  RowCount = 4,\n  IsComplete "id"\n]\n');
  await writeFile(failing, 'Rules = [\n  RowCount = 4,\n  IsComplete "status",\n  ColumnValues "amount" >= 0\n]\n');
  await writeFile(broken, 'Rules = [\n  RowCount = 4,\n  IsComplete "id" >\n]\n');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('strata quality', () => {
  test('check: exit 0 when every rule passes, with one line per rule and a summary', async () => {
    const run = await strata('quality', 'check', 'sales.orders', '--rules', passing);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /PASS\s+\|\s*RowCount = 4/);
    assert.match(run.stdout, /IsComplete "id"/);
    assert.match(run.stdout, /PASSED sales\.orders \(snapshot \d+\): 2 rule\(s\), 2 passed, 0 failed/);
  });

  test('check: exit 5 when a rule fails; the report names the failing rules and their observed values', async () => {
    const run = await strata('quality', 'check', 'sales.orders', '--rules', failing);
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stdout, /FAIL.*IsComplete "status".*0\.75/);
    assert.match(run.stdout, /FAIL.*ColumnValues "amount" >= 0/);
    assert.match(run.stdout, /FAILED sales\.orders.*3 rule\(s\), 1 passed, 2 failed/);
    assert.match(run.stderr, /QUALITY_CHECK_FAILED/);
  });

  test('check --json prints the result as one JSON object (snapshot id as a string)', async () => {
    const run = await strata('quality', 'check', 'sales.orders', '--rules', failing, '--json', '--no-record');
    assert.equal(run.code, 5, run.stderr);
    const result = JSON.parse(run.stdout) as { passed: boolean; table: string; snapshotId: unknown; evaluationId: string; rules: { rule: string; outcome: string }[] };
    assert.equal(result.passed, false);
    assert.equal(result.table, 'sales.orders');
    assert.equal(typeof result.snapshotId, 'string');
    assert.deepEqual(result.rules.map((r) => r.outcome), ['passed', 'failed', 'failed']);
    // --no-record: this evaluation is not stored.
    const stored = await strata('quality', 'results', 'sales.orders', '--json', '--limit', '100');
    assert.equal(stored.code, 0, stored.stderr);
    assert.ok(!stored.stdout.includes(result.evaluationId));
  });

  test('check: exit 2 for a syntax error, located as file:line:column', async () => {
    const run = await strata('quality', 'check', 'sales.orders', '--rules', broken);
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.includes(`${broken}:3:`), run.stderr);
    assert.match(run.stderr, /broken\.dqdl:3:\d+: .*\[DQDL_SYNTAX_ERROR\]/);
  });

  test('results lists recorded checks, filtered by outcome', async () => {
    const run = await strata('quality', 'results', 'sales.orders', '--outcome', 'failed', '--json');
    assert.equal(run.code, 0, run.stderr);
    const rows = jsonLines(run.stdout);
    assert.ok(rows.length >= 2, run.stdout);
    assert.ok(rows.every((r) => r['outcome'] === 'failed' && r['dataset'] === 'sales.orders'));
    assert.ok(rows.some((r) => r['rule'] === 'IsComplete "status"' && r['ruleset'] === 'orders'));

    const table = await strata('quality', 'results');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /RowCount = 4/);
    assert.match(table.stdout, /passed/);
  });

  test('failed-rows prints the failing rows with the rules they broke', async () => {
    const run = await strata('--format', 'json', 'quality', 'failed-rows', 'sales.orders', '--rules', failing);
    assert.equal(run.code, 0, run.stderr);
    const rows = jsonLines(run.stdout);
    assert.deepEqual(rows.map((r) => Number(r['id'])).sort(), [3, 4]);
    const byId = new Map(rows.map((r) => [Number(r['id']), JSON.stringify(r['_dq_failed_rules'])]));
    assert.match(byId.get(3) ?? '', /IsComplete \\"status\\"/);
    assert.match(byId.get(4) ?? '', /ColumnValues \\"amount\\" >= 0/);

    const text = await strata('quality', 'failed-rows', 'sales.orders', '--rules', failing, '--limit', '1');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /_dq_failed_rules/);
  });

  test('a check runs governed as the principal: a row filter hides rows from the rules; results are limited to readable tables', async () => {
    const ok = async (run: Promise<{ code: number; stderr: string }>) => {
      const done = await run;
      assert.equal(done.code, 0, done.stderr);
    };
    await ok(strata('principal', 'create', 'bob'));
    await ok(strata('row-filter', 'create', 'no_refunds', '--table', 'sales.orders', '--predicate', 'amount >= 0'));
    await ok(strata('grant', 'SELECT', 'ON', 'sales.orders', 'TO', 'USER', 'bob'));
    // Admin sees 4 rows and the negative amount; bob sees 3 rows, none negative.
    const rules = join(root, 'bob.dqdl');
    await writeFile(rules, 'Rules = [ RowCount = 3, ColumnValues "amount" >= 0 ]\n');
    const asBob = await strata('--as', 'bob', 'quality', 'check', 'sales.orders', '--rules', rules, '--no-record');
    assert.equal(asBob.code, 0, asBob.stderr);
    const bob = await runCli(['--home', home, 'quality', 'check', 'sales.orders', '--rules', rules, '--json'], { env: { STRATA_PRINCIPAL: 'bob' } });
    assert.equal(bob.code, 0, bob.stderr);
    assert.equal((JSON.parse(bob.stdout) as { passed: boolean }).passed, true);
    const admin = await strata('quality', 'check', 'sales.orders', '--rules', rules, '--no-record');
    assert.equal(admin.code, 5, 'the administrator sees the filtered-out row');

    await ok(strata('sql', 'CREATE TABLE sales.secret (id BIGINT); INSERT INTO sales.secret VALUES (1)'));
    const secret = join(root, 'secret.dqdl');
    await writeFile(secret, 'Rules = [ RowCount = 1 ]\n');
    await ok(strata('quality', 'check', 'sales.secret', '--rules', secret));
    const denied = await runCli(['--home', home, 'quality', 'check', 'sales.secret', '--rules', secret], { env: { STRATA_PRINCIPAL: 'bob' } });
    assert.equal(denied.code, 6, denied.stderr);
    const listed = await runCli(['--home', home, 'quality', 'results', '--json', '--limit', '500'], { env: { STRATA_PRINCIPAL: 'bob' } });
    assert.equal(listed.code, 0, listed.stderr);
    const datasets = new Set(jsonLines(listed.stdout).map((r) => r['dataset']));
    assert.deepEqual([...datasets], ['sales.orders'], 'bob sees no results of sales.secret');
    assert.equal((await runCli(['--home', home, 'quality', 'results', 'sales.secret'], { env: { STRATA_PRINCIPAL: 'bob' } })).code, 6);
  });
});
