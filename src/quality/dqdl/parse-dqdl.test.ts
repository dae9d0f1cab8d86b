import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { RULE_TYPES, type Condition, type RuleCall, type RuleNode, type RuleType, type ValueExpr } from './ast.ts';
import { formatCondition, formatRule } from './format-dqdl.ts';
import { parseDqdl } from './parse-dqdl.ts';

const num = (value: number): ValueExpr => ({ kind: 'number', value });
const str = (value: string): ValueExpr => ({ kind: 'string', value });
const cmp = (operator: '=' | '!=' | '>' | '>=' | '<' | '<=', value: ValueExpr): Condition => ({ kind: 'compare', operator, value });
const between = (low: ValueExpr, high: ValueExpr, negated = false): Condition => ({ kind: 'between', negated, low, high });

/** Parses one rule and drops position/text so expectations stay readable. */
function rule(text: string): Omit<RuleCall, 'position' | 'text'> {
  const node = only(parseDqdl(`Rules = [ ${text} ]`).rules);
  assert.equal(node.kind, 'rule');
  assert.equal(node.text, text, 'text is the exact source of the rule');
  const { position: _position, text: _text, ...rest } = node as RuleCall;
  return rest;
}

function only(nodes: readonly RuleNode[]): RuleNode {
  assert.equal(nodes.length, 1);
  return nodes[0] as RuleNode;
}

describe('parseDqdl: every rule type', () => {
  const cases: [RuleType, string, Omit<RuleCall, 'position' | 'text'>][] = [
    ['RowCount', 'RowCount between 10 and 100 where "Customer_ID < 10"', {
      kind: 'rule', ruleType: 'RowCount', params: [], condition: between(num(10), num(100)), where: 'Customer_ID < 10',
    }],
    ['ColumnCount', 'ColumnCount >= 12', { kind: 'rule', ruleType: 'ColumnCount', params: [], condition: cmp('>=', num(12)) }],
    ['Completeness', 'Completeness "email" > 0.95', {
      kind: 'rule', ruleType: 'Completeness', params: ['email'], condition: cmp('>', num(0.95)),
    }],
    ['IsComplete', 'IsComplete "order_id"', { kind: 'rule', ruleType: 'IsComplete', params: ['order_id'] }],
    ['Uniqueness', 'Uniqueness "order_id" "line_no" > 0.99', {
      kind: 'rule', ruleType: 'Uniqueness', params: ['order_id', 'line_no'], condition: cmp('>', num(0.99)),
    }],
    ['IsUnique', 'IsUnique "email"', { kind: 'rule', ruleType: 'IsUnique', params: ['email'] }],
    ['IsPrimaryKey', 'IsPrimaryKey "order_id" "line_no"', { kind: 'rule', ruleType: 'IsPrimaryKey', params: ['order_id', 'line_no'] }],
    ['DistinctValuesCount', 'DistinctValuesCount "state" > 3', {
      kind: 'rule', ruleType: 'DistinctValuesCount', params: ['state'], condition: cmp('>', num(3)),
    }],
    ['UniqueValueRatio', 'UniqueValueRatio "email" between 0.9 and 1.0', {
      kind: 'rule', ruleType: 'UniqueValueRatio', params: ['email'], condition: between(num(0.9), num(1)),
    }],
    ['ColumnValues', 'ColumnValues "Country" in [ "US", "CA", NULL, EMPTY, WHITESPACES_ONLY ]', {
      kind: 'rule', ruleType: 'ColumnValues', params: ['Country'], condition: {
        kind: 'in', negated: false, values: [str('US'), str('CA'),
          { kind: 'keyword', keyword: 'NULL' }, { kind: 'keyword', keyword: 'EMPTY' }, { kind: 'keyword', keyword: 'WHITESPACES_ONLY' }],
      },
    }],
    ['ColumnLength', 'ColumnLength "Postal_Code" = 5 with threshold > 0.8', {
      kind: 'rule', ruleType: 'ColumnLength', params: ['Postal_Code'], condition: cmp('=', num(5)), threshold: cmp('>', num(0.8)),
    }],
    ['ColumnExists', 'ColumnExists "email"', { kind: 'rule', ruleType: 'ColumnExists', params: ['email'] }],
    ['ColumnDataType', 'ColumnDataType "order_date" = "DATE" with threshold > 0.9', {
      kind: 'rule', ruleType: 'ColumnDataType', params: ['order_date'], condition: cmp('=', str('DATE')), threshold: cmp('>', num(0.9)),
    }],
    ['ColumnNamesMatchPattern', 'ColumnNamesMatchPattern "aws_.*"', {
      kind: 'rule', ruleType: 'ColumnNamesMatchPattern', params: ['aws_.*'],
    }],
    ['Mean', 'Mean "Star_Rating" > 3', { kind: 'rule', ruleType: 'Mean', params: ['Star_Rating'], condition: cmp('>', num(3)) }],
    ['Sum', 'Sum "amount" between 100 and 1000', {
      kind: 'rule', ruleType: 'Sum', params: ['amount'], condition: between(num(100), num(1000)),
    }],
    ['StandardDeviation', 'StandardDeviation "Salary" < 3500 where "Customer_ID < 10"', {
      kind: 'rule', ruleType: 'StandardDeviation', params: ['Salary'], condition: cmp('<', num(3500)), where: 'Customer_ID < 10',
    }],
    ['Entropy', 'Entropy "Star_Rating" > 1', { kind: 'rule', ruleType: 'Entropy', params: ['Star_Rating'], condition: cmp('>', num(1)) }],
    ['ColumnCorrelation', 'ColumnCorrelation "height" "weight" > 0.8', {
      kind: 'rule', ruleType: 'ColumnCorrelation', params: ['height', 'weight'], condition: cmp('>', num(0.8)),
    }],
    ['DataFreshness', 'DataFreshness "Order_Date" <= 24 hours', {
      kind: 'rule', ruleType: 'DataFreshness', params: ['Order_Date'],
      condition: cmp('<=', { kind: 'duration', amount: 24, unit: 'hours' }),
    }],
    ['ReferentialIntegrity', 'ReferentialIntegrity "city,state" "reference.{ref_city,ref_state}" = 1.0', {
      kind: 'rule', ruleType: 'ReferentialIntegrity', params: ['city,state', 'reference.{ref_city,ref_state}'], condition: cmp('=', num(1)),
    }],
    ['DatasetMatch', 'DatasetMatch "reference" "ID_1->ID_ref1,ID_2->ID_ref2" "Amount1->Amount2" >= 0.9', {
      kind: 'rule', ruleType: 'DatasetMatch', params: ['reference', 'ID_1->ID_ref1,ID_2->ID_ref2', 'Amount1->Amount2'],
      condition: cmp('>=', num(0.9)),
    }],
    ['AggregateMatch', 'AggregateMatch "avg(ratings)" "avg(reference.ratings)" >= 0.9', {
      kind: 'rule', ruleType: 'AggregateMatch', params: ['avg(ratings)', 'avg(reference.ratings)'], condition: cmp('>=', num(0.9)),
    }],
    ['RowCountMatch', 'RowCountMatch "reference" >= 0.9', {
      kind: 'rule', ruleType: 'RowCountMatch', params: ['reference'], condition: cmp('>=', num(0.9)),
    }],
    ['SchemaMatch', 'SchemaMatch "ref" = 1.0', { kind: 'rule', ruleType: 'SchemaMatch', params: ['ref'], condition: cmp('=', num(1)) }],
    ['CustomSql', 'CustomSql "select count(*) from primary" between 10 and 20', {
      kind: 'rule', ruleType: 'CustomSql', params: ['select count(*) from primary'], condition: between(num(10), num(20)),
    }],
  ];

  test('the table covers all 26 rule types', () => {
    assert.deepEqual(new Set(cases.map(([type]) => type)), new Set(RULE_TYPES));
    assert.equal(RULE_TYPES.length, 26);
  });

  for (const [type, text, expected] of cases) {
    test(`${type}: ${text}`, () => {
      assert.deepEqual(rule(text), expected);
    });
  }

  test('the variants Glue documents: DatasetMatch with two params, row-level CustomSql, not in, matches', () => {
    assert.deepEqual(rule('DatasetMatch "reference" "ID" >= 0.9').params, ['reference', 'ID']);
    assert.deepEqual(rule('CustomSql "select Name from primary where Age > 18" with threshold > 3'), {
      kind: 'rule', ruleType: 'CustomSql', params: ['select Name from primary where Age > 18'], threshold: cmp('>', num(3)),
    });
    assert.deepEqual(rule('ColumnValues "Age" not in [21, 22, NULL]').condition, {
      kind: 'in', negated: true, values: [num(21), num(22), { kind: 'keyword', keyword: 'NULL' }],
    });
    assert.deepEqual(rule('ColumnValues "zip" not matches "\\d{5}"').condition, { kind: 'matches', negated: true, pattern: '\\d{5}' });
    assert.deepEqual(rule('ColumnValues "Age" != NULL').condition, cmp('!=', { kind: 'keyword', keyword: 'NULL' }));
    assert.deepEqual(rule('Mean "x" not between -1.5 and 2').condition, between(num(-1.5), num(2), true));
  });
});

describe('parseDqdl: composites', () => {
  test('and/or chains keep their operands, position and exact text, nested as written', () => {
    const text = 'Rules = [\n  (RowCount > 0) or ((IsComplete "colA") and (IsUnique "colA") and (Mean "x" > 1))\n]';
    const node = only(parseDqdl(text).rules);
    assert.equal(node.kind, 'composite');
    if (node.kind !== 'composite') return;
    assert.equal(node.operator, 'or');
    assert.deepEqual(node.position, { line: 2, column: 3, offset: 12 });
    assert.equal(node.text, '(RowCount > 0) or ((IsComplete "colA") and (IsUnique "colA") and (Mean "x" > 1))');
    const [first, second] = node.operands;
    assert.equal(first?.kind === 'rule' && first.ruleType, 'RowCount');
    assert.equal(first?.text, 'RowCount > 0');
    assert.equal(second?.kind, 'composite');
    if (second?.kind !== 'composite') return;
    assert.equal(second.operator, 'and');
    assert.deepEqual(second.operands.map((o) => (o.kind === 'rule' ? o.ruleType : o.kind)), ['IsComplete', 'IsUnique', 'Mean']);
    assert.equal(second.text, '(IsComplete "colA") and (IsUnique "colA") and (Mean "x" > 1)');
  });

  test('accepts upper-case AND/OR as Glue does, and a lone parenthesized rule', () => {
    const [a, b] = parseDqdl('Rules = [ (IsComplete "a") AND (IsUnique "a"), (RowCount > 0) ]').rules;
    assert.equal(a?.kind === 'composite' && a.operator, 'and');
    assert.equal(b?.kind === 'rule' && b.ruleType, 'RowCount');
  });
});

describe('parseDqdl: where, threshold, dynamic rules, dates', () => {
  test('where and with threshold together, in that order', () => {
    assert.deepEqual(rule(`ColumnValues "amount" >= 0 where "channel = 'web'" with threshold >= 0.99`), {
      kind: 'rule', ruleType: 'ColumnValues', params: ['amount'], condition: cmp('>=', num(0)),
      where: "channel = 'web'", threshold: cmp('>=', num(0.99)),
    });
  });

  test('dynamic expressions: calls, * before +, parentheses, unary minus', () => {
    const last10: ValueExpr = { kind: 'call', name: 'last', args: [num(10)] };
    assert.deepEqual(rule('RowCount > avg(last(10)) * 0.8').condition,
      cmp('>', { kind: 'binary', operator: '*', left: { kind: 'call', name: 'avg', args: [last10] }, right: num(0.8) }));
    assert.deepEqual(rule('Mean "x" between min(last(5)) - 1 and max(last(5)) + 1').condition, between(
      { kind: 'binary', operator: '-', left: { kind: 'call', name: 'min', args: [{ kind: 'call', name: 'last', args: [num(5)] }] }, right: num(1) },
      { kind: 'binary', operator: '+', left: { kind: 'call', name: 'max', args: [{ kind: 'call', name: 'last', args: [num(5)] }] }, right: num(1) },
    ));
    assert.deepEqual(rule('Sum "a" < 1 + 2 * 3').condition,
      cmp('<', { kind: 'binary', operator: '+', left: num(1), right: { kind: 'binary', operator: '*', left: num(2), right: num(3) } }));
    assert.deepEqual(rule('Sum "a" < (1 + 2) * 3').condition,
      cmp('<', { kind: 'binary', operator: '*', left: { kind: 'binary', operator: '+', left: num(1), right: num(2) }, right: num(3) }));
    assert.deepEqual(rule('RowCount > abs(index(last(3), 0) - stdev(last(3)))').condition, cmp('>', {
      kind: 'call', name: 'abs', args: [{
        kind: 'binary', operator: '-',
        left: { kind: 'call', name: 'index', args: [{ kind: 'call', name: 'last', args: [num(3)] }, num(0)] },
        right: { kind: 'call', name: 'stdev', args: [{ kind: 'call', name: 'last', args: [num(3)] }] },
      }],
    }));
    assert.deepEqual(rule('Sum "a" > -avg(last(2))').condition, cmp('>', {
      kind: 'binary', operator: '-', left: num(0), right: { kind: 'call', name: 'avg', args: [{ kind: 'call', name: 'last', args: [num(2)] }] },
    }));
  });

  test('date arithmetic with now() and singular or plural duration units', () => {
    assert.deepEqual(rule('ColumnValues "Load_Date" > (now() - 3 days)').condition,
      cmp('>', { kind: 'binary', operator: '-', left: { kind: 'now' }, right: { kind: 'duration', amount: 3, unit: 'days' } }));
    assert.deepEqual(rule('DataFreshness "ts" between 1 day and 90 minutes').condition,
      between({ kind: 'duration', amount: 1, unit: 'days' }, { kind: 'duration', amount: 90, unit: 'minutes' }));
    assert.deepEqual(rule('ColumnValues "d" between "2023-01-01" and now()').condition, between(str('2023-01-01'), { kind: 'now' }));
    assert.deepEqual(rule('ColumnValues "d" < now() + 1 hour').condition,
      cmp('<', { kind: 'binary', operator: '+', left: { kind: 'now' }, right: { kind: 'duration', amount: 1, unit: 'hours' } }));
  });
});

describe('parseDqdl: ruleset structure', () => {
  test('comments, Metadata, DataSources, Analyzers and rule positions across lines', () => {
    const ruleset = parseDqdl([
      '# Orders checks',
      'Metadata = { "Version": "1.0" }',
      'DataSources = { "Primary": "sales.orders", "AdditionalDataSources": ["sales.customers"] }',
      'Rules = [',
      '  RowCount > 0, # never empty',
      '  IsComplete "order_id"',
      ']',
      'Analyzers = [ RowCount, Completeness "email", ColumnCorrelation "a" "b" ]',
    ].join('\n'));
    assert.deepEqual(ruleset.metadata, { Version: '1.0' });
    assert.deepEqual(ruleset.dataSources, { Primary: 'sales.orders', AdditionalDataSources: ['sales.customers'] });
    assert.deepEqual(ruleset.rules.map((r) => [r.text, r.position.line, r.position.column]), [
      ['RowCount > 0', 5, 3],
      ['IsComplete "order_id"', 6, 3],
    ]);
    assert.deepEqual(ruleset.analyzers.map((a) => [a.ruleType, a.params, a.condition]), [
      ['RowCount', [], undefined],
      ['Completeness', ['email'], undefined],
      ['ColumnCorrelation', ['a', 'b'], undefined],
    ]);
  });

  test('a ruleset without Metadata has no metadata key and empty analyzers', () => {
    const ruleset = parseDqdl('Rules = [ RowCount > 0 ]');
    assert.equal('metadata' in ruleset, false);
    assert.deepEqual(ruleset.analyzers, []);
  });
});

describe('parseDqdl: syntax errors name the line, column, found and expected', () => {
  const cases: [string, string, number, number, string][] = [
    ['missing value after an operator',
      'Rules = [\n  IsComplete "id",\n  RowCount > ]', 3, 14,
      'line 3, column 14: expected a number, a string or now() after ">" but found "]"'],
    ['a missing comma between rules',
      'Rules = [\n  RowCount > 0\n  IsComplete "id"\n]', 3, 3,
      'line 3, column 3: expected "where", "," or "]" after RowCount > 0 but found "IsComplete"'],
    ['an unknown rule type, with a suggestion',
      'Rules = [\n  RowCount > 0,\n  Completenes "email" > 0.9\n]', 3, 3,
      'line 3, column 3: unknown rule type "Completenes"; did you mean "Completeness"?'],
    ['too few parameters',
      'Rules = [\n    ColumnCorrelation "height" > 0.5\n]', 2, 5,
      'line 2, column 5: ColumnCorrelation takes two quoted parameters (column, column) but got 1, e.g. ColumnCorrelation "height" "weight" > 0.8'],
    ['too many parameters',
      'Rules = [\n  IsComplete "a" "b"\n]', 2, 18,
      'line 2, column 18: IsComplete takes one quoted parameter (column) but got more, e.g. IsComplete "order_id"'],
    ['a condition on a rule that takes none',
      'Rules = [\n  IsComplete "a" > 0.5\n]', 2, 18,
      'line 2, column 18: IsComplete takes no condition (it passes or fails by itself), e.g. IsComplete "order_id"'],
    ['a missing condition',
      'Rules = [\n  Mean "x",\n  RowCount > 0\n]', 2, 11,
      'line 2, column 11: expected a condition (=, !=, >, >=, <, <=, between, in, matches) after Mean "x" but found ","; e.g. Mean "amount" between 10 and 500'],
    ['and mixed with or at one level',
      'Rules = [\n  (IsComplete "a") and (IsUnique "a")\n    or (RowCount > 0)\n]', 3, 5,
      'line 3, column 5: cannot mix "and" and "or" at one level: group with parentheses, e.g. (A) and ((B) or (C))'],
    ['an operand without parentheses',
      'Rules = [\n  (IsComplete "a") and IsUnique "a"\n]', 2, 24,
      'line 2, column 24: each rule joined with "and" must be in parentheses: write (IsUnique "a")'],
    ['where on a rule that does not take it',
      'Rules = [\n  CustomSql "select count(*) from primary" > 0 where "a = 1"\n]', 2, 48,
      'line 2, column 48: CustomSql does not take a where clause'],
    ['with threshold on a dataset-level rule',
      'Rules = [\n  Completeness "a" > 0.9 with threshold > 0.5\n]', 2, 26,
      'line 2, column 26: Completeness does not take "with threshold" (ColumnValues, ColumnLength, ColumnDataType and CustomSql do)'],
    ['an unclosed parenthesis',
      'Rules = [\n  (IsComplete "a",\n  RowCount > 0\n]', 2, 18,
      'line 2, column 18: expected ")" to close the "(" at line 2, column 3 but found ","'],
    ['between without and',
      'Rules = [\n  RowCount between 1, 5\n]', 2, 21,
      'line 2, column 21: expected "and" in "between … and …" but found ","'],
    ['an unknown function',
      'Rules = [\n  RowCount > avgg(last(3))\n]', 2, 14,
      'line 2, column 14: unknown function "avgg"; did you mean "avg"?'],
    ['not followed by something else',
      'Rules = [\n  ColumnValues "a" not like "x%"\n]', 2, 24,
      'line 2, column 24: expected "between", "in" or "matches" after "not" but found "like"'],
    ['an unclosed value list',
      'Rules = [\n  ColumnValues "a" in ["x" "y"]\n]', 2, 28,
      'line 2, column 28: expected "," or "]" in the list after "in" but found the string "y"'],
    ['a ruleset cut off after a rule',
      'Rules = [\n  ColumnValues "a" in ["x", "y"]\n', 3, 1,
      'line 3, column 1: expected "where", "with threshold", "," or "]" after ColumnValues "a" in ["x", "y"] but found the end of the ruleset'],
    ['a missing Rules section',
      'Metadata = { "Version": "1.0" }\n', 2, 1,
      'line 2, column 1: expected a Rules = [ … ] section but found the end of the ruleset'],
    ['an empty Rules list',
      '\n  Rules = []', 2, 3,
      'line 2, column 3: the Rules list is empty: add at least one rule, e.g. Rules = [ RowCount > 0 ]'],
    ['upper-case BETWEEN',
      'Rules = [\n  RowCount BETWEEN 1 and 5\n]', 2, 12,
      'line 2, column 12: expected a condition (=, !=, >, >=, <, <=, between, in, matches) after RowCount but found "BETWEEN" (DQDL keywords are lowercase: "between"); e.g. RowCount between 1000 and 50000'],
    ['CustomSql with both a condition and a threshold',
      'Rules = [\n  CustomSql "select 1 from primary" > 0 with threshold > 0.5\n]', 2, 41,
      'line 2, column 41: CustomSql takes either a condition or "with threshold" (row-level form), not both'],
    ['last(0)',
      'Rules = [\n  RowCount > avg(last(0))\n]', 2, 18,
      'line 2, column 18: last(k) needs a whole number of past runs k >= 1, e.g. last(10)'],
    ['an empty where clause',
      'Rules = [\n  RowCount > 0 where " "\n]', 2, 16,
      'line 2, column 16: the where clause is empty: write a SQL predicate, e.g. where "amount > 0"'],
    ['an unknown section, with a suggestion',
      'Rule = [ RowCount > 0 ]', 1, 1,
      'line 1, column 1: unknown section "Rule"; did you mean "Rules"?'],
    ['NULL in arithmetic',
      'Rules = [\n  ColumnValues "a" between NULL and 5\n]', 2, 28,
      'line 2, column 28: NULL can only be compared with = or != or listed in in [ … ], not used in arithmetic or between'],
  ];

  for (const [name, text, line, column, message] of cases) {
    test(name, () => {
      assert.throws(
        () => parseDqdl(text),
        (error: unknown) => {
          assert.ok(StrataError.is(error, 'DQDL_SYNTAX_ERROR'), `expected DQDL_SYNTAX_ERROR, got ${String(error)}`);
          assert.equal(error.message.startsWith(message), true, `message was: ${error.message}`);
          assert.equal(error.details['line'], line);
          assert.equal(error.details['column'], column);
          assert.equal(typeof error.details['offset'], 'number');
          return true;
        },
      );
    });
  }

  test('details carry what was found and expected', () => {
    assert.throws(
      () => parseDqdl('Rules = [ RowCount > ]'),
      (error: unknown) =>
        StrataError.is(error, 'DQDL_SYNTAX_ERROR') &&
        error.details['found'] === ']' &&
        error.details['expected'] === 'a number, a string or now()' &&
        error.details['offset'] === 21,
    );
  });
});

describe('formatCondition / formatRule', () => {
  test('print conditions back in DQDL form', () => {
    const conditionOf = (text: string): Condition => rule(text).condition as Condition;
    assert.equal(formatCondition(conditionOf('RowCount > avg(last(10)) * 0.8')), '> avg(last(10)) * 0.8');
    assert.equal(formatCondition(conditionOf('ColumnValues "d" > (now() - 3 days)')), '> (now() - 3 days)');
    assert.equal(formatCondition(conditionOf('ColumnValues "a" not in ["x", NULL, 3]')), 'not in ["x", NULL, 3]');
    assert.equal(formatCondition(conditionOf('ColumnValues "a" matches "say \\"hi\\""')), 'matches "say \\"hi\\""');
    assert.equal(formatCondition(conditionOf('Sum "a" < 10 - (4 - 1)')), '< 10 - (4 - 1)');
    assert.equal(formatCondition(conditionOf('Sum "a" not between -1 and 2.5')), 'not between -1 and 2.5');
  });

  test('formatted rules parse back to the same tree', () => {
    const text = [
      'Rules = [',
      '  (IsComplete "id") and ((Completeness "email" >= 0.9) or (RowCount > 0)),',
      `  ColumnValues "amount" >= 0 where "channel = 'web'" with threshold > 0.95,`,
      '  DataFreshness "ts" <= 24 hours,',
      '  Mean "x" between min(last(5)) - 1 and max(last(5)) + 1',
      ']',
    ].join('\n');
    const strip = (node: RuleNode): unknown =>
      node.kind === 'composite'
        ? { operator: node.operator, operands: node.operands.map(strip) }
        : { ...node, position: undefined, text: undefined };
    const first = parseDqdl(text).rules;
    const again = parseDqdl(`Rules = [ ${first.map(formatRule).join(', ')} ]`).rules;
    assert.deepEqual(again.map(strip), first.map(strip));
  });
});
