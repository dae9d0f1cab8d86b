import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { parseDqdl } from '../dqdl/parse-dqdl.ts';
import { bindPrimary } from './compile-custom-sql.ts';
import { evaluateRuleset } from './evaluate-ruleset.ts';
import { failingRowsSql } from './failing-rows.ts';
import { openFixture, type Fixture } from './evaluate-test-kit.ts';
import { quoteIdent, quoteLiteral } from './sql-literals.ts';

let fx: Fixture;
before(async () => {
  fx = await openFixture();
});

describe('end to end through parseDqdl', () => {
  test('a realistic ruleset: outcomes, observed values, passes and failed rows', async () => {
    const ruleset = parseDqdl(`Rules = [
      RowCount between 5 and 20,
      IsComplete "id",
      Completeness "email" > 0.9,
      ColumnValues "status" in ["new", "paid", "shipped", "cancelled"],
      ColumnValues "amount" >= 0 where "status = 'paid'" with threshold > 0.7,
      ColumnValues "updated_at" > (now() - 3 days),
      IsUnique "id",
      (IsComplete "id") and (Uniqueness "email" > 0.9),
      DataFreshness "updated_at" <= 24 hours,
      ReferentialIntegrity "customer_id" "customers.{cid}" >= 0.8,
      CustomSql "select count(*) from primary where amount < 0" = 0,
      RowCount > avg(last(5)) * 0.5
    ]`);
    const seen: string[] = [];
    const result = await evaluateRuleset(
      ruleset,
      fx.context({
        history: async (key) => {
          seen.push(key);
          return [12, 14];
        },
      }),
    );
    const summary = result.rules.map((r) => [r.outcome, r.observed]);
    assert.deepEqual(summary, [
      ['passed', 10],
      ['passed', 1],
      ['failed', 0.8], // 8/10 emails
      ['passed', 1],
      ['passed', 0.8], // paid amounts: 4/5 ≥ 0, threshold > 0.7
      ['failed', 0.8], // 120h old row and NULL fail
      ['passed', 1],
      ['failed', undefined], // Uniqueness 0.75
      ['failed', 0.7],
      ['passed', 0.8],
      ['failed', 1],
      ['passed', 10], // 10 > 13 × 0.5
    ]);
    assert.deepEqual(seen, ['Dataset.*.RowCount']);
    // aggregate pass + grouped pass + ReferentialIntegrity + CustomSql
    assert.equal(result.passes, 4);
    assert.equal(result.passed, false);
    const sql = failingRowsSql(fx.orders, result.rules);
    const ids = await fx.run(`SELECT id FROM (${sql ?? ''}) ORDER BY id`);
    // Completeness "email" (3, 7), ColumnValues "updated_at" (4 stale, 6 NULL), the composite (1, 8: the
    // duplicated email; NULL emails pass uniqueness), DataFreshness (4, 6, 8)
    assert.deepEqual(ids.map((r) => Number(r[0])), [1, 3, 4, 6, 7, 8]);
  });
});

describe('SQL text helpers', () => {
  test('identifiers and literals escape their quotes', () => {
    assert.equal(quoteIdent('say "hi"'), '"say ""hi"""');
    assert.equal(quoteLiteral("it's"), "'it''s'");
  });

  test('a column name with a double quote works end to end', async () => {
    await fx.connection.run(`CREATE TABLE odd AS SELECT * FROM (VALUES (1), (NULL)) AS v("we""ird")`);
    const dataset = await fx.datasetOf('odd');
    const result = await evaluateRuleset(parseDqdl('Rules = [ Completeness "we\\"ird" = 0.5 ]'), fx.context({ dataset }));
    assert.equal(result.rules[0]?.outcome, 'passed');
  });

  test('bindPrimary rewrites only the bare word primary, and merges into an existing WITH', () => {
    assert.equal(
      bindPrimary("select count(*) from primary where note = 'primary'", 'sales.orders'),
      `WITH "primary" AS (SELECT * FROM sales.orders)\nselect count(*) from "primary" where note = 'primary'`,
    );
    assert.equal(
      bindPrimary('WITH x AS (SELECT * FROM Primary) SELECT count(*) FROM x;', 't'),
      'WITH "primary" AS (SELECT * FROM t), x AS (SELECT * FROM "primary") SELECT count(*) FROM x',
    );
  });
});
