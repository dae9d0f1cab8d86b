import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { SqlSession } from '../../sql/index.ts';
import { QualityResultsTable } from '../results/index.ts';
import { checkTable } from './check-table.ts';
import type { TableCheckResult } from './table-check-result.ts';

let dir = '';
let home: StrataHome;
let engine: DuckDbEngine;
let session: SqlSession;

const RULES = `Rules = [
  RowCount = 4,
  IsComplete "id",
  IsComplete "status",
  ColumnValues "amount" >= 0
]`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-quality-check-'));
  home = await openStrataHome(dir, { threads: 2 });
  engine = DuckDbEngine.create(home.runtime, { poolSize: 2 });
  session = await SqlSession.open({ catalog: home.catalog, engine });
  await session.execute('CREATE DATABASE sales');
  await session.execute('CREATE TABLE sales.orders (id BIGINT, status VARCHAR, amount DOUBLE)');
  await session.execute("INSERT INTO sales.orders VALUES (1, 'paid', 10), (2, 'new', 5), (3, NULL, 7), (4, 'paid', -1)");
});
after(async () => {
  await session.close();
  await engine.close();
  await home.close();
  rmSync(dir, { recursive: true, force: true });
});

function outcomes(check: TableCheckResult): Record<string, string> {
  return Object.fromEntries(check.rules.map((r) => [r.rule, r.outcome]));
}

describe('checkTable', () => {
  test('evaluates passing and failing rules on the table at main, naming the snapshot read', async () => {
    const table = await home.catalog.loadTable('sales.orders');
    const check = await checkTable({ session, table: 'sales.orders', rules: RULES, ruleset: 'orders' });
    assert.deepEqual(outcomes(check), {
      'RowCount = 4': 'passed',
      'IsComplete "id"': 'passed',
      'IsComplete "status"': 'failed',
      'ColumnValues "amount" >= 0': 'failed',
    });
    assert.equal(check.passed, false);
    assert.equal(check.table, 'sales.orders');
    assert.equal(check.ruleset, 'orders');
    assert.equal(check.snapshotId, table.currentSnapshot()?.snapshotId);
    assert.equal(check.dataset.relation, 'sales.orders');
    assert.deepEqual(
      check.dataset.columns.map((c) => c.name),
      ['id', 'status', 'amount'],
    );
    assert.equal(check.rules.find((r) => r.rule === 'IsComplete "status"')?.observed, 0.75);
    assert.match(check.evaluationId, /^[0-9a-f-]{36}$/);
  });

  test('where narrows the dataset: the rules see only matching rows', async () => {
    const check = await checkTable({ session, table: 'sales.orders', rules: 'Rules = [ ColumnValues "amount" >= 0, RowCount = 3 ]', where: 'amount >= 0' });
    assert.equal(check.passed, true, JSON.stringify(check.rules));
    assert.match(check.dataset.relation, /WHERE amount >= 0/);
  });

  test('records results, and dynamic rules compare with the history of earlier checks', async () => {
    await session.execute('CREATE TABLE sales.visits (id BIGINT)');
    await session.execute('INSERT INTO sales.visits VALUES (1), (2), (3), (4)');
    const results = await QualityResultsTable.open(home.catalog);
    const first = await checkTable({
      session,
      table: 'sales.visits',
      rules: 'Rules = [ RowCount > 0 ]',
      ruleset: 'visits',
      results,
      context: { pipeline: 'daily', runId: 'run-7', stepId: 'gate', partition: '2024-03-01' },
    });
    const stored = await results.list({ dataset: 'sales.visits' });
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.evaluationId, first.evaluationId);
    assert.equal(stored[0]?.outcome, 'passed');
    assert.equal(stored[0]?.observed, 4);
    assert.equal(stored[0]?.runId, 'run-7');
    assert.equal(stored[0]?.snapshotId, first.snapshotId);

    await session.execute('INSERT INTO sales.visits VALUES (5), (6), (7), (8)');
    // 8 rows against a history of [4]: the first bound is exceeded, the second is not. Without
    // history a dynamic rule passes unchecked, so the failure proves the history was read.
    const second = await checkTable({
      session,
      table: 'sales.visits',
      rules: 'Rules = [ RowCount <= max(last(1)) * 1.5, RowCount <= max(last(1)) * 3 ]',
      ruleset: 'visits',
      results,
    });
    assert.deepEqual(second.rules.map((r) => r.outcome), ['failed', 'passed']);
    assert.equal(second.rules[0]?.observed, 8);
    assert.equal((await results.list({ dataset: 'sales.visits' })).length, 3, 'the second check recorded its two rules');

    // Another ruleset name has its own history: nothing to compare with, so the rule passes unchecked.
    const other = await checkTable({ session, table: 'sales.visits', rules: 'Rules = [ RowCount <= max(last(1)) * 1.5 ]', ruleset: 'fresh', results, record: false });
    assert.equal(other.passed, true);
    assert.equal((await results.list({ dataset: 'sales.visits' })).length, 3, 'record: false records nothing');
  });

  test('a check at a branch sees the branch, not main', async () => {
    await session.execute('CREATE TABLE sales.refunds (id BIGINT, amount DOUBLE)');
    await session.execute('INSERT INTO sales.refunds VALUES (1, 5), (2, 6)');
    const table = await home.catalog.loadTable('sales.refunds');
    await table.refs.createBranch('audit', table.currentSnapshot()?.snapshotId);
    await session.execute('INSERT INTO sales.refunds VALUES (3, -4)', { write: { branch: 'audit' } });
    const rules = 'Rules = [ RowCount = 2, ColumnValues "amount" > 0 ]';

    const main = await checkTable({ session, table: 'sales.refunds', rules });
    assert.equal(main.passed, true, JSON.stringify(main.rules));
    const audit = await checkTable({ session, table: 'sales.refunds', rules, branch: 'audit' });
    assert.deepEqual(audit.rules.map((r) => r.outcome), ['failed', 'failed']);
    assert.equal(audit.rules[0]?.observed, 3);
    assert.equal(audit.branch, 'audit');
    assert.equal(audit.snapshotId, (await table.refresh()).refs['audit']?.snapshotId);
  });

  test('refuses a bad ruleset or table name with a stable code', async () => {
    await assert.rejects(checkTable({ session, table: 'sales.orders', rules: 'Rules = [ RowCount > ]' }), (e) => StrataError.is(e, 'DQDL_SYNTAX_ERROR'));
    await assert.rejects(checkTable({ session, table: 'orders; DROP TABLE x', rules: RULES }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    await assert.rejects(checkTable({ session, table: 'sales.missing', rules: RULES }), (e) => StrataError.is(e, 'TABLE_NOT_FOUND'));
  });
});
