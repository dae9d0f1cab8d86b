import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { SqlSession } from '../../sql/index.ts';
import { checkTable } from './check-table.ts';
import { FAILED_RULES_COLUMN } from '../evaluate/index.ts';
import { fetchFailedRows, quarantineFailedRows } from './failed-rows.ts';
import { collectRows } from './session-sql.ts';

let dir = '';
let home: StrataHome;
let engine: DuckDbEngine;
let session: SqlSession;

const RULES = `Rules = [
  RowCount > 100,
  IsComplete "status",
  ColumnValues "amount" >= 0
]`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-quality-failed-'));
  home = await openStrataHome(dir, { threads: 2 });
  engine = DuckDbEngine.create(home.runtime, { poolSize: 2 });
  session = await SqlSession.open({ catalog: home.catalog, engine });
  await session.execute('CREATE DATABASE sales');
  await session.execute('CREATE TABLE sales.orders (id BIGINT, status VARCHAR, amount DOUBLE)');
  await session.execute("INSERT INTO sales.orders VALUES (1, 'paid', 10), (2, 'new', 5), (3, NULL, 7), (4, 'paid', -1), (5, NULL, -2)");
});
after(async () => {
  await session.close();
  await engine.close();
  await home.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The failed-rules cell as text, whatever SQL type the evaluator chose (a list or a string). */
function rulesText(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(' | ') : String(value);
}

describe('failed rows', () => {
  test('fetchFailedRows returns exactly the rows failing row-level rules, naming the rules', async () => {
    const check = await checkTable({ session, table: 'sales.orders', rules: RULES });
    const failed = await fetchFailedRows(session, check);
    const idAt = failed.columns.findIndex((c) => c.name === 'id');
    const rulesAt = failed.columns.findIndex((c) => c.name === FAILED_RULES_COLUMN);
    assert.ok(rulesAt >= 0, `columns: ${failed.columns.map((c) => c.name).join(', ')}`);
    const byId = new Map(failed.rows.map((r) => [Number(r[idAt]), rulesText(r[rulesAt])]));
    assert.deepEqual([...byId.keys()].sort(), [3, 4, 5]);
    assert.match(byId.get(3) ?? '', /IsComplete "status"/);
    assert.doesNotMatch(byId.get(3) ?? '', /amount/);
    assert.match(byId.get(4) ?? '', /ColumnValues "amount" >= 0/);
    assert.match(byId.get(5) ?? '', /IsComplete "status"/);
    assert.match(byId.get(5) ?? '', /ColumnValues "amount" >= 0/);
    assert.doesNotMatch([...byId.values()].join(' '), /RowCount/, 'a dataset-level rule names no rows');

    assert.equal((await fetchFailedRows(session, check, 2)).rows.length, 2, 'limit');
  });

  test('no failed row-level rule: no rows, and quarantine creates nothing', async () => {
    const check = await checkTable({ session, table: 'sales.orders', rules: 'Rules = [ RowCount > 100, IsComplete "id" ]' });
    assert.equal(check.passed, false);
    assert.deepEqual((await fetchFailedRows(session, check)).rows, []);
    const moved = await quarantineFailedRows({ session, check });
    assert.deepEqual(moved, { table: 'sales.orders__dq_quarantine', rows: 0 });
    assert.equal(await home.catalog.tableExists('sales.orders__dq_quarantine'), false);
  });

  test('quarantine creates the table with the rule names and evaluation id, then appends; the summary goes into the commit', async () => {
    const check = await checkTable({ session, table: 'sales.orders', rules: RULES });
    const at = new Date('2024-03-01T12:00:00Z');
    const moved = await quarantineFailedRows({ session, check, summary: { 'strata.run-id': 'run-1' }, now: () => at });
    assert.equal(moved.table, 'sales.orders__dq_quarantine');
    assert.equal(moved.rows, 3);

    const quarantine = await home.catalog.loadTable('sales.orders__dq_quarantine');
    assert.deepEqual(
      quarantine.schema().fields.map((f) => f.name),
      ['id', 'status', 'amount', '_dq_failed_rules', '_dq_evaluation_id', '_dq_quarantined_at'],
    );
    assert.equal(quarantine.currentSnapshot()?.snapshotId, moved.snapshotId);
    assert.equal(quarantine.currentSnapshot()?.summary['strata.run-id'], 'run-1');

    const { rows } = await collectRows(
      session,
      'SELECT id, _dq_failed_rules, _dq_evaluation_id, epoch_ms(_dq_quarantined_at) FROM sales.orders__dq_quarantine ORDER BY id',
    );
    assert.deepEqual(rows.map((r) => Number(r[0])), [3, 4, 5]);
    assert.match(rulesText(rows[1]?.[1]), /ColumnValues "amount" >= 0/);
    assert.ok(rows.every((r) => r[2] === check.evaluationId));
    assert.equal(Number(rows[0]?.[3]), at.getTime());

    // A second quarantine (after the source gained a column) appends and widens the table.
    await session.execute('ALTER TABLE sales.orders ADD COLUMN channel VARCHAR');
    await session.execute("INSERT INTO sales.orders VALUES (6, NULL, 1, 'web')");
    const again = await checkTable({ session, table: 'sales.orders', rules: 'Rules = [ IsComplete "status" ]' });
    const second = await quarantineFailedRows({ session, check: again, branch: 'audit' });
    assert.equal(second.rows, 3);
    const onMain = await collectRows(session, 'SELECT count(*) FROM sales.orders__dq_quarantine');
    assert.equal(Number(onMain.rows[0]?.[0]), 3, 'the branch write left main alone');
    const onBranch = await collectRows(session, "SELECT id, channel FROM sales.orders__dq_quarantine FOR VERSION AS OF 'audit' WHERE channel IS NOT NULL");
    assert.deepEqual(onBranch.rows.map((r) => [Number(r[0]), r[1]]), [[6, 'web']]);
    const branchCount = await collectRows(session, "SELECT count(*) FROM sales.orders__dq_quarantine FOR VERSION AS OF 'audit'");
    assert.equal(Number(branchCount.rows[0]?.[0]), 6, 'the branch started at main');
  });

  test('quarantine on a branch of a table that does not exist yet: main stays empty until published', async () => {
    const check = await checkTable({ session, table: 'sales.orders', rules: 'Rules = [ ColumnValues "amount" >= 0 ]' });
    const moved = await quarantineFailedRows({ session, check, into: 'sales.staged_quarantine', branch: 'wap-run-2', summary: { 'strata.run-id': 'run-2' } });
    assert.equal(moved.rows, 2);
    const table = await home.catalog.loadTable('sales.staged_quarantine');
    const metadata = await table.refresh();
    assert.equal(metadata.refs['wap-run-2']?.snapshotId, moved.snapshotId);
    assert.equal(Number((await collectRows(session, 'SELECT count(*) FROM sales.staged_quarantine')).rows[0]?.[0]), 0);
    const staged = await collectRows(session, "SELECT id FROM sales.staged_quarantine FOR VERSION AS OF 'wap-run-2' ORDER BY id");
    assert.deepEqual(staged.rows.map((r) => Number(r[0])), [4, 5]);
    await table.refs.fastForward('main', 'wap-run-2');
    assert.equal(Number((await collectRows(session, 'SELECT count(*) FROM sales.staged_quarantine')).rows[0]?.[0]), 2, 'published with a fast-forward');
  });
});
