import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { evaluateTagExpression, formatTagExpression, parseTagExpression, tagPairsOf } from './tag-expression.ts';

describe('tag expressions', () => {
  test('AND binds tighter than OR; key=value is IN with one value', () => {
    const e = parseTagExpression('domain=ads AND confidentiality IN (public, internal) OR team=growth');
    assert.equal(e.kind, 'or');
    assert.equal(formatTagExpression(e), 'domain=ads AND confidentiality IN (public, internal) OR team=growth');
    assert.equal(evaluateTagExpression(e, { domain: 'ads', confidentiality: 'internal' }), true);
    assert.equal(evaluateTagExpression(e, { domain: 'ads', confidentiality: 'secret' }), false);
    assert.equal(evaluateTagExpression(e, { team: 'growth' }), true);
  });

  test('parentheses, case folding of words and quoted values round-trip', () => {
    const e = parseTagExpression("(Domain=ADS or Team='Growth Hackers') and PII=false");
    assert.equal(formatTagExpression(e), "(domain=ads OR team='Growth Hackers') AND pii=false");
    assert.deepEqual(parseTagExpression(formatTagExpression(e)), e);
    assert.equal(evaluateTagExpression(e, { team: 'Growth Hackers', pii: 'false' }), true);
    assert.equal(evaluateTagExpression(e, { team: 'growth hackers', pii: 'false' }), false);
  });

  test('a missing key never matches, not even inherited prototype names', () => {
    const e = parseTagExpression('constructor=x');
    assert.equal(evaluateTagExpression(e, {}), false);
  });

  test('tagPairsOf lists every key and its values', () => {
    assert.deepEqual(tagPairsOf(parseTagExpression('a=1 OR b IN (2, 3)')), [
      { key: 'a', values: ['1'] },
      { key: 'b', values: ['2', '3'] },
    ]);
  });

  for (const bad of ['', 'domain', 'domain=', 'domain IN ()', 'domain IN (a', 'a=1 AND', 'a=1 b=2', "a='x", 'a=1; DROP', '(a=1']) {
    test(`refuses ${JSON.stringify(bad)} with INVALID_ARGUMENT`, () => {
      assert.throws(() => parseTagExpression(bad), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
    });
  }
});
