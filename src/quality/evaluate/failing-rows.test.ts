import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { RuleNode } from '../dqdl/ast.ts';
import { evaluateRuleset } from './evaluate-ruleset.ts';
import type { RuleResult } from './evaluation.ts';
import { FAILED_RULES_COLUMN, failingRowsSql } from './failing-rows.ts';
import { eq, ge, gt, hours, isIn, le, openFixture, rule, type Fixture } from './evaluate-test-kit.ts';

let fx: Fixture;
before(async () => {
  fx = await openFixture();
});

async function evaluate(...rules: RuleNode[]): Promise<readonly RuleResult[]> {
  return (await evaluateRuleset({ rules, analyzers: [] }, fx.context())).rules;
}

/** The ids of `orders` rows for which the rule's passingRows predicate is not TRUE. */
async function failingIds(result: RuleResult | undefined): Promise<number[]> {
  assert.ok(result?.passingRows !== undefined, `${result?.rule ?? '?'} has no passingRows`);
  const rows = await fx.run(`SELECT id FROM orders WHERE NOT coalesce(${result.passingRows}, false) ORDER BY id`);
  return rows.map((r) => Number(r[0]));
}

describe('passingRows picks exactly the failing rows', () => {
  test('IsComplete / Completeness: the NULL emails (rows 3, 7)', async () => {
    const [isComplete, completeness] = await evaluate(rule('IsComplete', ['email']), rule('Completeness', ['email'], gt(0.5)));
    assert.deepEqual(await failingIds(isComplete), [3, 7]);
    assert.deepEqual(await failingIds(completeness), [3, 7]);
  });

  test('ColumnValues with where: only paid rows are checked (row 10 has NULL amount; row 4 is not paid)', async () => {
    const [r] = await evaluate(rule('ColumnValues', ['amount'], ge(0), { where: "status = 'paid'" }));
    assert.deepEqual(await failingIds(r), [10]);
  });

  test('ColumnValues in / ColumnLength', async () => {
    const [values, length] = await evaluate(
      rule('ColumnValues', ['status'], isIn(['new', 'paid'])),
      rule('ColumnLength', ['zip'], eq(5)),
    );
    assert.deepEqual(await failingIds(values), [5, 9]);
    assert.deepEqual(await failingIds(length), [3, 5]);
  });

  test('IsUnique: duplicated emails (rows 1, 8), NULL emails pass; IsPrimaryKey also fails NULLs', async () => {
    const [unique, pk, uniqueness] = await evaluate(
      rule('IsUnique', ['email']),
      rule('IsPrimaryKey', ['email']),
      rule('Uniqueness', ['email'], eq(1)),
    );
    assert.deepEqual(await failingIds(unique), [1, 8]);
    assert.deepEqual(await failingIds(pk), [1, 3, 7, 8]);
    assert.deepEqual(await failingIds(uniqueness), [1, 8]);
  });

  test('IsUnique multi-column with where: (status, customer_id) among paid rows → rows 2, 6, 3, 8', async () => {
    const [r] = await evaluate(rule('IsUnique', ['status', 'customer_id'], undefined, { where: "status = 'paid'" }));
    assert.deepEqual(await failingIds(r), [2, 3, 6, 8]);
  });

  test('ReferentialIntegrity: customer 999 (row 5) and NULL (row 9)', async () => {
    const [r] = await evaluate(rule('ReferentialIntegrity', ['customer_id', 'customers.{cid}'], eq(1)));
    assert.deepEqual(await failingIds(r), [5, 9]);
  });

  test('DataFreshness: rows 4 (120h), 6 (NULL), 8 (36h)', async () => {
    const [r] = await evaluate(rule('DataFreshness', ['updated_at'], le(hours(24))));
    assert.deepEqual(await failingIds(r), [4, 6, 8]);
  });

  test('dataset-level rules have no passingRows', async () => {
    const [rowCount, mean] = await evaluate(rule('RowCount', [], eq(10)), rule('Mean', ['amount'], gt(0)));
    assert.equal(rowCount?.passingRows, undefined);
    assert.equal(mean?.passingRows, undefined);
  });
});

describe('failingRowsSql', () => {
  test('selects rows failing any failed row-level rule, naming the rules in _dq_failed_rules', async () => {
    const results = await evaluate(
      rule('IsComplete', ['email']), // fails rows 3, 7
      rule('ColumnValues', ['amount'], ge(0)), // fails rows 4, 10
      rule('ColumnValues', ['amount'], ge(0), { where: 'id = 3' }), // passes: ignored
      rule('RowCount', [], eq(99)), // failed but dataset-level: ignored
    );
    const sql = failingRowsSql(fx.orders, results);
    assert.ok(sql !== undefined);
    const reader = await fx.connection.runAndReadAll(`SELECT id, ${FAILED_RULES_COLUMN} FROM (${sql}) ORDER BY id`);
    assert.deepEqual(reader.getRows(), [
      [3, 'IsComplete "email"'],
      [4, 'ColumnValues "amount" >= 0'],
      [7, 'IsComplete "email"'],
      [10, 'ColumnValues "amount" >= 0'],
    ]);
    const all = await fx.connection.runAndReadAll(sql);
    assert.equal(all.columnNames().length, fx.orders.columns.length + 1);
  });

  test('a row failing two rules lists both, joined with "; "', async () => {
    const results = await evaluate(rule('IsComplete', ['email']), rule('ColumnValues', ['status'], eq('new')));
    const rows = await fx.run(`SELECT ${FAILED_RULES_COLUMN} FROM (${failingRowsSql(fx.orders, results) ?? ''}) WHERE id = 3`);
    assert.deepEqual(rows, [['IsComplete "email"; ColumnValues "status" = "new"']]);
  });

  test('a composite (and) of row-level rules is row-level too', async () => {
    const [composite] = await evaluate({
      kind: 'composite',
      operator: 'and',
      operands: [rule('IsComplete', ['email']), rule('ColumnValues', ['amount'], ge(0))],
      position: { line: 1, column: 1, offset: 0 },
      text: '(IsComplete "email") and (ColumnValues "amount" >= 0)',
    });
    assert.ok(composite !== undefined);
    assert.deepEqual(await failingIds(composite), [3, 4, 7, 10]);
  });

  test('undefined when no row-level rule failed', async () => {
    const results = await evaluate(rule('IsComplete', ['id']), rule('RowCount', [], eq(1)));
    assert.equal(failingRowsSql(fx.orders, results), undefined);
  });

  test('quotes rule text with a quote in it', async () => {
    const results = await evaluate(rule('ColumnValues', ['status'], isIn(["new", "o'clock"])));
    const sql = failingRowsSql(fx.orders, results) ?? '';
    const rows = await fx.run(`SELECT DISTINCT ${FAILED_RULES_COLUMN} FROM (${sql})`);
    assert.deepEqual(rows, [[`ColumnValues "status" in ["new", "o'clock"]`]]);
  });
});
