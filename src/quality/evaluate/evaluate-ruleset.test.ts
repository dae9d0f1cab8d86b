import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { RuleNode } from '../dqdl/ast.ts';
import { evaluateRuleset } from './evaluate-ruleset.ts';
import type { RuleResult } from './evaluation.ts';
import {
  EMPTY,
  NULL,
  between,
  days,
  eq,
  ge,
  gt,
  hours,
  isIn,
  le,
  lt,
  matches,
  ne,
  nowMinus,
  openFixture,
  rule,
  type Fixture,
} from './evaluate-test-kit.ts';

let fx: Fixture;
before(async () => {
  fx = await openFixture();
});

async function one(node: RuleNode): Promise<RuleResult> {
  const result = await evaluateRuleset({ rules: [node], analyzers: [] }, fx.context());
  const only = result.rules[0];
  assert.ok(only !== undefined);
  return only;
}

function close(actual: number | undefined, expected: number, digits = 6): void {
  assert.ok(actual !== undefined, 'observed is missing');
  assert.equal(Number(actual.toFixed(digits)), Number(expected.toFixed(digits)));
}

describe('dataset-level rules', () => {
  test('RowCount: 10 rows; where narrows it (paid: rows 2,3,6,8,10 → 5)', async () => {
    const pass = await one(rule('RowCount', [], between(5, 20)));
    assert.equal(pass.outcome, 'passed');
    assert.equal(pass.observed, 10);
    assert.equal(pass.metricKey, 'Dataset.*.RowCount');
    const fail = await one(rule('RowCount', [], gt(5), { where: "status = 'paid'" }));
    assert.equal(fail.outcome, 'failed');
    assert.equal(fail.observed, 5);
    assert.equal(fail.metricKey, "Dataset.*.RowCount where status = 'paid'");
    assert.equal(fail.message, 'Value: 5 does not meet the constraint requirement!');
  });

  test('ColumnCount: 8 columns', async () => {
    assert.equal((await one(rule('ColumnCount', [], eq(8)))).outcome, 'passed');
    const fail = await one(rule('ColumnCount', [], gt(8)));
    assert.equal(fail.outcome, 'failed');
    assert.equal(fail.observed, 8);
  });

  test('Completeness: email 8/10 = 0.8', async () => {
    const fail = await one(rule('Completeness', ['email'], gt(0.9)));
    assert.equal(fail.outcome, 'failed');
    assert.equal(fail.observed, 0.8);
    assert.equal(fail.message, 'Value: 0.8 does not meet the constraint requirement!');
    assert.deepEqual(fail.metrics, { 'Column.email.Completeness': 0.8 });
    assert.equal((await one(rule('Completeness', ['email'], ge(0.8)))).outcome, 'passed');
  });

  test('IsComplete: id 10/10 passes, email 8/10 fails', async () => {
    assert.equal((await one(rule('IsComplete', ['id']))).outcome, 'passed');
    const fail = await one(rule('IsComplete', ['email']));
    assert.equal(fail.outcome, 'failed');
    assert.equal(fail.observed, 0.8);
  });

  test('Mean: amount (10+20+30−5+40+50+60+70+80)/9 = 355/9 ≈ 39.444 (NULL ignored)', async () => {
    const r = await one(rule('Mean', ['amount'], between(39, 40)));
    assert.equal(r.outcome, 'passed');
    close(r.observed, 355 / 9);
    assert.equal((await one(rule('Mean', ['amount'], gt(40)))).outcome, 'failed');
  });

  test('Sum: amount = 355; where status = paid → 20+30+50+70 = 170', async () => {
    assert.equal((await one(rule('Sum', ['amount'], eq(355)))).outcome, 'passed');
    const paid = await one(rule('Sum', ['amount'], gt(200), { where: "status = 'paid'" }));
    assert.equal(paid.outcome, 'failed');
    assert.equal(paid.observed, 170);
  });

  test('StandardDeviation: population stddev of the 9 amounts ≈ 26.7129', async () => {
    // mean 355/9; Σx² = 20425; var = 20425/9 − (355/9)² = 713.580…; sqrt ≈ 26.7129
    const expected = Math.sqrt(20425 / 9 - (355 / 9) ** 2);
    const r = await one(rule('StandardDeviation', ['amount'], lt(30)));
    assert.equal(r.outcome, 'passed');
    close(r.observed, expected);
    assert.equal((await one(rule('StandardDeviation', ['amount'], lt(20)))).outcome, 'failed');
  });

  test("StandardDeviation matches Glue's documented example {0, 20, 40} → 16.33 (population)", async () => {
    const r = await one(rule('StandardDeviation', ['amount'], gt(0), { where: 'amount IN (10, 30, 50)' }));
    close(r.observed, Math.sqrt(800 / 3)); // {10, 30, 50}: deviations 400+0+400 = 800; /3 → 16.3299
  });

  test('ColumnCorrelation: Pearson r of (id, amount) over rows 1–9', async () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const ys = [10, 20, 30, -5, 40, 50, 60, 70, 80];
    const mx = xs.reduce((a, b) => a + b) / 9;
    const my = ys.reduce((a, b) => a + b) / 9;
    const cov = xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] ?? 0) - my), 0);
    const sx = Math.sqrt(xs.reduce((a, x) => a + (x - mx) ** 2, 0));
    const sy = Math.sqrt(ys.reduce((a, y) => a + (y - my) ** 2, 0));
    const r = await one(rule('ColumnCorrelation', ['id', 'amount'], gt(0.85)));
    close(r.observed, cov / (sx * sy)); // ≈ 0.87797
    assert.equal(r.outcome, 'passed');
    assert.equal(r.metricKey, 'Multicolumn.id,amount.ColumnCorrelation');
    assert.equal((await one(rule('ColumnCorrelation', ['id', 'amount'], gt(0.9)))).outcome, 'failed');
  });

  test('ColumnExists and ColumnNamesMatchPattern', async () => {
    assert.equal((await one(rule('ColumnExists', ['email']))).outcome, 'passed');
    const missing = await one(rule('ColumnExists', ['phone']));
    assert.equal(missing.outcome, 'failed');
    assert.match(missing.message ?? '', /"phone" does not exist/);
    assert.equal((await one(rule('ColumnNamesMatchPattern', ['[a-z_]+']))).outcome, 'passed');
    const pattern = await one(rule('ColumnNamesMatchPattern', ['[a-z]+']));
    assert.equal(pattern.outcome, 'failed');
    assert.equal(pattern.observed, 6 / 8); // customer_id, updated_at have underscores
    assert.match(pattern.message ?? '', /customer_id, updated_at/);
  });
});

describe('grouped rules', () => {
  test('Uniqueness: email 6 once-only values / 8 non-NULL rows = 0.75', async () => {
    const r = await one(rule('Uniqueness', ['email'], gt(0.9)));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.observed, 0.75);
    assert.equal((await one(rule('Uniqueness', ['email'], eq(0.75)))).outcome, 'passed');
  });

  test('IsUnique: id passes, email fails; multi-column (status, customer_id) fails on (paid, 101) and (paid, 102)', async () => {
    assert.equal((await one(rule('IsUnique', ['id']))).outcome, 'passed');
    assert.equal((await one(rule('IsUnique', ['email']))).outcome, 'failed');
    const multi = await one(rule('IsUnique', ['status', 'customer_id']));
    // keys: (new,100)×2 rows 1,4; (paid,101)×2 rows 2,6; (paid,102)×2 rows 3,8; others once (4 keys) → 4/10
    assert.equal(multi.observed, 0.4);
    assert.equal(multi.metricKey, 'Multicolumn.status,customer_id.Uniqueness');
  });

  test('IsPrimaryKey: id passes; email fails (NULLs and a duplicate)', async () => {
    assert.equal((await one(rule('IsPrimaryKey', ['id']))).outcome, 'passed');
    const fail = await one(rule('IsPrimaryKey', ['email']));
    assert.equal(fail.outcome, 'failed');
    assert.match(fail.message ?? '', /NULL values in "email"; Uniqueness 0\.75 < 1/);
    assert.equal(fail.metrics['Column.email.Completeness'], 0.8);
  });

  test('DistinctValuesCount: status has 4 values', async () => {
    assert.equal((await one(rule('DistinctValuesCount', ['status'], eq(4)))).outcome, 'passed');
    const fail = await one(rule('DistinctValuesCount', ['status'], gt(4)));
    assert.equal(fail.outcome, 'failed');
    assert.equal(fail.observed, 4);
  });

  test('UniqueValueRatio: email 6 unique / 7 distinct ≈ 0.857', async () => {
    const r = await one(rule('UniqueValueRatio', ['email'], between(0.8, 0.9)));
    assert.equal(r.outcome, 'passed');
    close(r.observed, 6 / 7);
    assert.equal((await one(rule('UniqueValueRatio', ['email'], eq(1)))).outcome, 'failed');
  });

  test('Entropy: status frequencies 3,5,1,1 of 10 → −Σp·ln p ≈ 1.1683 nats', async () => {
    const expected = -[0.3, 0.5, 0.1, 0.1].reduce((a, p) => a + p * Math.log(p), 0);
    const r = await one(rule('Entropy', ['status'], gt(1)));
    assert.equal(r.outcome, 'passed');
    close(r.observed, expected);
    assert.equal((await one(rule('Entropy', ['status'], gt(1.2)))).outcome, 'failed');
  });
});

describe('row-level value rules', () => {
  test('ColumnValues in: status in [new, paid] 8/10; with threshold > 0.75 passes', async () => {
    const strict = await one(rule('ColumnValues', ['status'], isIn(['new', 'paid'])));
    assert.equal(strict.outcome, 'failed');
    assert.equal(strict.observed, 0.8);
    assert.equal(strict.message, '80.00 % of rows passed the threshold (2 of 10 rows failed)');
    assert.equal(strict.metricKey, 'Column.status.ColumnValues.Compliance');
    const tolerant = await one(rule('ColumnValues', ['status'], isIn(['new', 'paid']), { threshold: gt(0.75) }));
    assert.equal(tolerant.outcome, 'passed');
    const stricter = await one(rule('ColumnValues', ['status'], isIn(['new', 'paid']), { threshold: gt(0.85) }));
    assert.equal(stricter.outcome, 'failed');
    assert.match(stricter.message ?? '', /^Value: 0\.8 does not meet the constraint requirement!/);
  });

  test('ColumnValues compare and between: NULL and −5 fail (8/10); where narrows to paid rows (4/5)', async () => {
    assert.equal((await one(rule('ColumnValues', ['amount'], ge(0)))).observed, 0.8);
    assert.equal((await one(rule('ColumnValues', ['amount'], between(0, 100)))).observed, 0.8);
    assert.equal((await one(rule('ColumnValues', ['amount'], between(-10, 100)))).outcome, 'failed'); // NULL still fails
    const paid = await one(rule('ColumnValues', ['amount'], ge(0), { where: "status = 'paid'" }));
    assert.equal(paid.observed, 0.8);
    const positive = await one(rule('ColumnValues', ['amount'], gt(0), { where: 'amount IS NOT NULL AND id <> 4' }));
    assert.equal(positive.outcome, 'passed');
    assert.equal(positive.observed, 1);
  });

  test('ColumnValues NULL semantics: != lets NULL pass, = NULL picks NULLs, not in [..] lets NULL pass', async () => {
    assert.equal((await one(rule('ColumnValues', ['email'], ne(NULL)))).observed, 0.8);
    assert.equal((await one(rule('ColumnValues', ['email'], eq(NULL), { threshold: eq(0.2) }))).outcome, 'passed');
    assert.equal((await one(rule('ColumnValues', ['email'], ne('a@x.com')))).observed, 0.8); // rows 1, 8 fail; NULLs pass
    assert.equal((await one(rule('ColumnValues', ['status'], isIn(['cancelled'], true)))).observed, 0.9);
    assert.equal((await one(rule('ColumnValues', ['email'], isIn(['a@x.com', NULL], true)))).observed, 0.6);
    assert.equal((await one(rule('ColumnValues', ['zip'], isIn([NULL, EMPTY, '1234'])))).observed, 0.2);
  });

  test('ColumnValues matches is a full match: NULL emails fail (8/10)', async () => {
    assert.equal((await one(rule('ColumnValues', ['email'], matches('[a-z]@x\\.com')))).observed, 0.8);
    assert.equal((await one(rule('ColumnValues', ['email'], matches('[a-z]')))).observed, 0);
  });

  test('ColumnValues dates: updated_at > now() − 1 day → 7/10 (120h, 36h and NULL fail)', async () => {
    const r = await one(rule('ColumnValues', ['updated_at'], gt(nowMinus(days(1)))));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.observed, 0.7);
    assert.equal((await one(rule('ColumnValues', ['updated_at'], gt(nowMinus(days(6))), { threshold: ge(0.9) }))).outcome, 'passed');
  });

  test('ColumnLength: zip = 5 → 8/10 (1234 and NULL=0 fail); zip < 6 passes (NULL is length 0)', async () => {
    const r = await one(rule('ColumnLength', ['zip'], eq(5)));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.observed, 0.8);
    assert.equal(r.metrics['Column.zip.MinimumLength'], 0);
    assert.equal(r.metrics['Column.zip.MaximumLength'], 5);
    assert.equal((await one(rule('ColumnLength', ['zip'], lt(6)))).outcome, 'passed');
  });

  test("ColumnDataType: id is INTEGER; code (VARCHAR) casts to INTEGER for 9/10 ('x' fails, NULL passes)", async () => {
    assert.equal((await one(rule('ColumnDataType', ['id'], eq('INTEGER')))).outcome, 'passed');
    const wrong = await one(rule('ColumnDataType', ['id'], eq('STRING')));
    assert.equal(wrong.outcome, 'failed');
    assert.equal(wrong.observed, 0);
    assert.equal(wrong.passingRows, undefined);
    const code = await one(rule('ColumnDataType', ['code'], eq('INTEGER')));
    assert.equal(code.outcome, 'failed');
    assert.equal(code.observed, 0.9);
    assert.equal((await one(rule('ColumnDataType', ['code'], eq('INTEGER'), { threshold: ge(0.9) }))).outcome, 'passed');
    assert.equal((await one(rule('ColumnDataType', ['updated_at'], isIn(['DATE', 'TIMESTAMP'])))).outcome, 'passed');
  });

  test('DataFreshness: <= 24 hours → 7/10 (120h, 36h, NULL fail); <= 200 hours where non-NULL passes', async () => {
    const r = await one(rule('DataFreshness', ['updated_at'], le(hours(24))));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.observed, 0.7);
    assert.equal(r.message, '70.00 % of rows passed the threshold (3 of 10 rows failed)');
    assert.equal(r.metrics['Column.updated_at.DataFreshness.NewestAgeHours'], 0.5);
    const ok = await one(rule('DataFreshness', ['updated_at'], le(hours(200)), { where: 'updated_at IS NOT NULL' }));
    assert.equal(ok.outcome, 'passed');
    const band = await one(rule('DataFreshness', ['updated_at'], between(days(1), days(2)), { where: 'updated_at IS NOT NULL' }));
    assert.equal(band.observed, 1 / 9); // only the 36h row is strictly between 24h and 48h
  });
});

describe('reference-dataset rules', () => {
  test('ReferentialIntegrity: customer_id in customers.cid for 8/10 (999 and NULL fail)', async () => {
    const r = await one(rule('ReferentialIntegrity', ['customer_id', 'customers.{cid}'], eq(1)));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.observed, 0.8);
    assert.equal((await one(rule('ReferentialIntegrity', ['customer_id', 'customers.cid'], ge(0.8)))).outcome, 'passed');
  });

  test('ReferentialIntegrity multi-column: (customer_id, zip) in customers.{cid, czip} for 5/10', async () => {
    // rows 1,2,3,7,10 match; 4 (100,54321), 5 (999,NULL), 6 (101,99999), 8 (102,11111), 9 (NULL,…) do not
    const r = await one(rule('ReferentialIntegrity', ['customer_id,zip', 'customers.{cid,czip}'], ge(0.5)));
    assert.equal(r.outcome, 'passed');
    assert.equal(r.observed, 0.5);
  });

  test('DatasetMatch: orders vs orders_copy on id → 8/10 (row 3 amount differs, row 10 missing)', async () => {
    const all = await one(rule('DatasetMatch', ['orders_copy', 'id'], ge(0.9)));
    assert.equal(all.outcome, 'failed');
    assert.equal(all.observed, 0.8);
    const statusOnly = await one(rule('DatasetMatch', ['orders_copy', 'id->id', 'status'], ge(0.9)));
    assert.equal(statusOnly.outcome, 'passed');
    assert.equal(statusOnly.observed, 0.9);
  });

  test('AggregateMatch: sum(amount) 355 / sum(orders_copy.amount) 356 ≈ 0.99719', async () => {
    const r = await one(rule('AggregateMatch', ['sum(amount)', 'sum(orders_copy.amount)'], ge(0.99)));
    assert.equal(r.outcome, 'passed');
    close(r.observed, 355 / 356);
    assert.equal(r.metricKey, 'Column.amount.AggregateMatch');
    assert.equal((await one(rule('AggregateMatch', ['sum(amount)', 'sum(orders_copy.amount)'], eq(1)))).outcome, 'failed');
    const bad = await one(rule('AggregateMatch', ['sum(amount) + 1', 'sum(amount)'], eq(1)));
    assert.equal(bad.outcome, 'error');
  });

  test('RowCountMatch: 10 / 9 ≈ 1.111', async () => {
    const r = await one(rule('RowCountMatch', ['orders_copy'], eq(1)));
    assert.equal(r.outcome, 'failed');
    close(r.observed, 10 / 9);
    assert.equal((await one(rule('RowCountMatch', ['orders_copy'], between(1, 1.2)))).outcome, 'passed');
  });

  test('SchemaMatch: orders_copy has the same schema (1.0); customers shares nothing (0 of 11 names)', async () => {
    assert.equal((await one(rule('SchemaMatch', ['orders_copy'], eq(1)))).outcome, 'passed');
    const r = await one(rule('SchemaMatch', ['customers'], eq(1)));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.observed, 0);
    assert.match(r.message ?? '', /"cid" only in customers/);
  });

  test('a reference rule without relationOf is an error, not a throw', async () => {
    const { relationOf: _omit, ...context } = fx.context();
    const result = await evaluateRuleset({ rules: [rule('RowCountMatch', ['orders_copy'], eq(1))], analyzers: [] }, context);
    assert.equal(result.rules[0]?.outcome, 'error');
  });
});

describe('CustomSql', () => {
  test('with a condition: one value (1 negative amount)', async () => {
    const fail = await one(rule('CustomSql', ['select count(*) from primary where amount < 0'], eq(0)));
    assert.equal(fail.outcome, 'failed');
    assert.equal(fail.observed, 1);
    assert.equal(fail.metricKey, 'Dataset.*.CustomSQL');
    assert.equal((await one(rule('CustomSql', ['WITH x AS (SELECT amount FROM primary) SELECT count(*) FROM x WHERE amount < 0'], eq(1)))).outcome, 'passed');
  });

  test('with a condition but several rows: error that explains the row-level form', async () => {
    const r = await one(rule('CustomSql', ['select id from primary'], eq(0)));
    assert.equal(r.outcome, 'error');
    assert.match(r.message ?? '', /single value/);
  });

  test('row level: the selected rows pass (8/10 have amount >= 0); threshold > 0.7 passes', async () => {
    const strict = await one(rule('CustomSql', ['select id from primary where amount >= 0']));
    assert.equal(strict.outcome, 'failed');
    assert.equal(strict.observed, 0.8);
    const ids = await fx.run(`SELECT id FROM orders WHERE NOT coalesce(${strict.passingRows ?? 'TRUE'}, false) ORDER BY id`);
    assert.deepEqual(ids.map((r) => r[0]), [4, 10]);
    assert.equal((await one(rule('CustomSql', ['select id from primary where amount >= 0'], undefined, { threshold: gt(0.7) }))).outcome, 'passed');
  });
});

describe('composites, dynamic rules, errors and pass counting', () => {
  test('and / or combine outcomes; observed absent; metrics merged', async () => {
    const operands = [rule('IsComplete', ['id']), rule('ColumnValues', ['amount'], ge(0))];
    const and = await one({ kind: 'composite', operator: 'and', operands, position: { line: 1, column: 1, offset: 0 }, text: 'A and B' });
    assert.equal(and.outcome, 'failed');
    assert.equal(and.ruleType, 'composite');
    assert.equal(and.observed, undefined);
    assert.deepEqual(Object.keys(and.metrics).sort(), ['Column.amount.ColumnValues.Compliance', 'Column.id.Completeness']);
    const or = await one({ kind: 'composite', operator: 'or', operands, position: { line: 1, column: 1, offset: 0 }, text: 'A or B' });
    assert.equal(or.outcome, 'passed');
  });

  test('dynamic rule: RowCount > avg(last(3)) * 0.8 against a fake history', async () => {
    const calls: [string, number][] = [];
    const history = (values: number[]) => async (key: string, k: number) => {
      calls.push([key, k]);
      return values;
    };
    const dynamic = rule('RowCount', [], {
      kind: 'compare',
      operator: '>',
      value: { kind: 'binary', operator: '*', left: { kind: 'call', name: 'avg', args: [{ kind: 'call', name: 'last', args: [{ kind: 'number', value: 3 }] }] }, right: { kind: 'number', value: 0.8 } },
    });
    const low = await evaluateRuleset({ rules: [dynamic], analyzers: [] }, fx.context({ history: history([10, 12, 14]) }));
    assert.equal(low.rules[0]?.outcome, 'passed'); // 10 > 12 × 0.8 = 9.6
    assert.deepEqual(calls[0], ['Dataset.*.RowCount', 3]);
    const high = await evaluateRuleset({ rules: [dynamic], analyzers: [] }, fx.context({ history: history([20, 20, 20]) }));
    assert.equal(high.rules[0]?.outcome, 'failed'); // 10 > 16 is false
    const none = await evaluateRuleset({ rules: [dynamic], analyzers: [] }, fx.context({ history: history([]) }));
    assert.equal(none.rules[0]?.outcome, 'passed');
    assert.equal(none.rules[0]?.observed, 10);
    assert.match(none.rules[0]?.message ?? '', /No history for Dataset\.\*\.RowCount/);
  });

  test('unknown column: error naming it and listing the columns; the other rules still evaluate', async () => {
    const result = await evaluateRuleset(
      { rules: [rule('Completeness', ['emial'], gt(0.5)), rule('RowCount', [], eq(10)), rule('IsUnique', ['nope'])], analyzers: [] },
      fx.context(),
    );
    const [bad, good, bad2] = result.rules;
    assert.equal(bad?.outcome, 'error');
    assert.match(bad?.message ?? '', /Column "emial" does not exist.*columns are: id, email, status/);
    assert.equal(good?.outcome, 'passed');
    assert.equal(bad2?.outcome, 'error');
    assert.equal(result.passed, false);
  });

  test('a where clause the engine refuses errors only its own rule', async () => {
    const result = await evaluateRuleset(
      {
        rules: [
          rule('RowCount', [], eq(10)),
          rule('Completeness', ['email'], gt(0.5), { where: 'no_such_column > 1' }),
          rule('Mean', ['amount'], gt(0)),
        ],
        analyzers: [],
      },
      fx.context(),
    );
    assert.deepEqual(result.rules.map((r) => r.outcome), ['passed', 'error', 'passed']);
    assert.match(result.rules[1]?.message ?? '', /no_such_column/);
  });

  test('15 primary-dataset rules run in 2 passes (one aggregate SELECT, one grouped)', async () => {
    const rules = [
      rule('RowCount', [], gt(0)),
      rule('Completeness', ['email'], gt(0.5)),
      rule('IsComplete', ['id']),
      rule('Mean', ['amount'], gt(0)),
      rule('Sum', ['amount'], gt(0), { where: "status = 'paid'" }),
      rule('StandardDeviation', ['amount'], gt(0)),
      rule('ColumnValues', ['status'], isIn(['new', 'paid', 'shipped', 'cancelled'])),
      rule('ColumnLength', ['zip'], le(5)),
      rule('DataFreshness', ['updated_at'], le(hours(200)), { where: 'updated_at IS NOT NULL' }),
      rule('ColumnCorrelation', ['id', 'amount'], gt(0)),
      rule('IsUnique', ['id']),
      rule('Uniqueness', ['email'], gt(0.5)),
      rule('DistinctValuesCount', ['status'], eq(4)),
      rule('Entropy', ['status'], gt(1)),
      rule('IsPrimaryKey', ['id']),
    ];
    const result = await evaluateRuleset({ rules, analyzers: [rule('Completeness', ['zip'])] }, fx.context());
    assert.equal(result.passes, 2);
    assert.ok(result.passes <= 3);
    assert.deepEqual(result.rules.map((r) => r.outcome), rules.map(() => 'passed'));
    assert.equal(result.passed, true);
    assert.equal(result.metrics['Column.zip.Completeness'], 0.9); // the analyzer, same passes
    assert.equal(result.metrics['Column.status.Entropy'], result.rules[13]?.observed);
  });

  test('analyzers gather metrics without outcomes; an unknown analyzer column is reported', async () => {
    const result = await evaluateRuleset(
      { rules: [], analyzers: [rule('RowCount', []), rule('ColumnValues', ['amount']), rule('Mean', ['nope'])] },
      fx.context(),
    );
    assert.equal(result.metrics['Dataset.*.RowCount'], 10);
    assert.equal(result.metrics['Column.amount.Minimum'], -5);
    assert.equal(result.metrics['Column.amount.Maximum'], 80);
    assert.equal(result.analyzerErrors?.length, 1);
    assert.equal(result.passes, 1);
  });
});
