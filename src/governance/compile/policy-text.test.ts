import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { assertSelfContained, replaceValueIdentifier } from './policy-text.ts';

describe('replaceValueIdentifier', () => {
  const cases: readonly [string, string][] = [
    ['upper(value)', 'upper(c."x")'],
    ["CASE WHEN VALUE IS NULL THEN 'none' ELSE Value END", `CASE WHEN c."x" IS NULL THEN 'none' ELSE c."x" END`],
    ['"value" || value', `"value" || c."x"`],
    ["t.value + value.f + value('v') + 'value'", `t.value + value.f + value('v') + 'value'`],
    ['values + value_2 + value -- value', `values + value_2 + c."x" -- value`],
  ];
  for (const [input, output] of cases) {
    test(`${input} → ${output}`, () => {
      assert.equal(replaceValueIdentifier(input, 'c."x"'), output);
    });
  }
});

describe('assertSelfContained', () => {
  test('accepts balanced expressions, comments and quotes', () => {
    for (const ok of ["(a = 1) AND (b IN ('x)', 'y('))", 'a = 1 -- trailing )', '"we(ird" = 1 /* ( */', "s = 'it''s'"]) {
      assert.doesNotThrow(() => assertSelfContained(ok, 'Row filter'), ok);
    }
  });

  test('should not accept text that could escape its parentheses', () => {
    for (const bad of [
      'true) OR (true',
      '(a = 1',
      "a = 'open",
      'a = "open',
      'a = 1 /* open',
      '/* /* */ ) OR true OR ( /* /* */ ) */',
      "$$($$) OR true OR ($$)$$",
      "E'\\'') OR (true",
      'a = 1; DROP TABLE t',
      '   ',
      '-- only a comment',
    ]) {
      assert.throws(() => assertSelfContained(bad, 'Row filter'), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'), bad);
    }
  });
});
