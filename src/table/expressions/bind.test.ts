import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import type { BoundExpression, BoundPredicate } from './expression.ts';
import { Expressions as E, expressionToString } from './expression.ts';
import { bind } from './bind.ts';

const s = schema(1, [
  field(1, 'id', Types.long, true),
  field(2, 'n', Types.int),
  field(3, 'price', Types.decimal(9, 2)),
  field(4, 'day', Types.date),
  field(5, 'ts', Types.timestamp),
  field(6, 'tstz', Types.timestamptz),
  field(7, 'name', Types.string),
  field(8, 'f', Types.float),
  field(9, 'd', Types.double),
  field(10, 'u', Types.uuid),
  field(11, 'loc', Types.struct([field(12, 'lat', Types.double), field(13, 'lon', Types.double)])),
  field(14, 'tags', Types.list(15, Types.string)),
  field(16, 't', Types.time),
]);

function pred(e: BoundExpression): BoundPredicate {
  assert.equal(e.kind, 'predicate');
  return e as BoundPredicate;
}

describe('bind: literal conversion', () => {
  test('numbers become bigint for long columns', () => {
    const p = pred(bind(E.equal('id', 5), s));
    assert.deepEqual([p.fieldId, p.literals], [1, [5n]]);
  });
  test('dates from strings and Dates', () => {
    assert.deepEqual(pred(bind(E.equal('day', '2017-11-16'), s)).literals, [17486]);
    assert.deepEqual(pred(bind(E.equal('day', new Date('1969-12-31T23:00:00Z')), s)).literals, [-1]);
  });
  test('timestamps keep microseconds and honour offsets', () => {
    assert.deepEqual(pred(bind(E.equal('ts', '2017-11-16T22:31:08.000001'), s)).literals, [1510871468000001n]);
    assert.deepEqual(pred(bind(E.equal('tstz', '2017-11-16T14:31:08-08:00'), s)).literals, [1510871468000000n]);
    assert.deepEqual(pred(bind(E.equal('tstz', new Date(1000)), s)).literals, [1_000_000n]);
    assert.deepEqual(pred(bind(E.equal('t', '22:31:08'), s)).literals, [81_068_000_000n]);
  });
  test('decimal strings become unscaled bigints', () => {
    assert.deepEqual(pred(bind(E.equal('price', '12.34'), s)).literals, [1234n]);
    assert.deepEqual(pred(bind(E.equal('price', -0.5), s)).literals, [-50n]);
    assert.deepEqual(pred(bind(E.equal('price', 7n), s)).literals, [700n]);
  });
  test('uuids are lowercased; nested struct fields bind by dotted name', () => {
    assert.deepEqual(pred(bind(E.equal('u', 'F79C3E09-677C-4BBD-A479-3F349CB785E7'), s)).literals, ['f79c3e09-677c-4bbd-a479-3f349cb785e7']);
    assert.equal(pred(bind(E.lessThan('loc.lat', 10), s)).fieldId, 12);
    assert.equal(pred(bind(E.lessThan('LOC.LAT', 10), s, false)).fieldId, 12);
  });
  test('float literals that rounding changes widen the operator', () => {
    const lt = pred(bind(E.lessThan('f', 0.1), s));
    assert.deepEqual([lt.op, lt.literals], ['ltEq', [Math.fround(0.1)]]);
    const exact = pred(bind(E.lessThan('f', 0.5), s));
    assert.deepEqual([exact.op, exact.literals], ['lt', [0.5]]);
    assert.equal(bind(E.notEqual('f', 0.1), s).kind, 'true');
  });
  test('in/notIn: dedupe, singletons and empties simplify', () => {
    assert.equal(pred(bind(E.in('n', [1, 1]), s)).op, 'eq');
    assert.deepEqual(pred(bind(E.notIn('n', [1, 2, 2]), s)).literals, [1, 2]);
    assert.equal(bind(E.in('n', []), s).kind, 'false');
    assert.equal(bind(E.notIn('n', []), s).kind, 'true');
  });
  test('expressionToString reads like the filter', () => {
    assert.equal(expressionToString(bind(E.and(E.greaterThan('n', 1), E.isNull('name')), s)), '(n > 1 and isNull(name))');
  });
});

describe('bind: errors name the column and the expected type', () => {
  const fails = (expr: Parameters<typeof bind>[0], ...fragments: string[]) =>
    assert.throws(
      () => bind(expr, s),
      (e) => StrataError.is(e, 'INVALID_ARGUMENT') && fragments.every((f) => e.message.includes(f)),
    );
  test('unknown column suggests the closest name', () => {
    fails(E.equal('nmae', 'x'), '"nmae"', 'did you mean "name"');
    fails(E.equal('Price', 1), 'did you mean "price"');
  });
  test('literals that cannot convert', () => {
    fails(E.equal('n', 'abc'), '"n"', 'int');
    fails(E.equal('n', 2 ** 31), 'int range');
    fails(E.equal('n', 1.5), 'integer');
    fails(E.equal('price', '1.234'), 'decimal(9, 2)', '2 decimal places');
    fails(E.equal('day', '2023-02-30'), 'date');
    fails(E.equal('ts', 1_000), 'timestamp', 'ambiguous');
    fails(E.equal('ts', '2024-01-01T00:00:00Z'), 'offset');
    fails(E.equal('u', 'not-a-uuid'), 'uuid');
    fails(E.equal('d', Number.NaN), 'isNaN');
  });
  test('operators that do not apply', () => {
    fails(E.isNaN('n'), 'float and double');
    fails(E.startsWith('n', '1'), 'string columns');
    fails(E.equal('loc', 1), 'primitive');
    fails(E.equal('tags.element', 'x'), 'list or map');
  });
});
