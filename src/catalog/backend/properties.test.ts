 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { applyPropertyChanges, parseProperties, serializeProperties } from './properties.ts';

describe('properties', () => {
  test('serialization is key-order independent and round-trips', () => {
    const a = serializeProperties({ b: '2', a: '1' });
    assert.equal(a, serializeProperties({ a: '1', b: '2' }));
    assert.deepEqual(parseProperties(a), { a: '1', b: '2' });
  });

  test('a __proto__ key stays an ordinary own key', () => {
    const parsed = parseProperties(serializeProperties(JSON.parse('{"__proto__":"x"}') as Record<string, string>));
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.entries(parsed), [['__proto__', 'x']]);
  });

  test('applies removals and updates and reports updated, removed and missing keys', () => {
    const { next, result } = applyPropertyChanges({ a: '1', b: '2', c: '3' }, ['a', 'zz', 'a'], { c: '30', d: '4' });
    assert.deepEqual(next, { b: '2', c: '30', d: '4' });
    assert.deepEqual(result, { updated: ['c', 'd'], removed: ['a'], missing: ['zz'] });
  });

  test('refuses a key that is both removed and updated, and non-string values', () => {
    assert.throws(
      () => applyPropertyChanges({}, ['a'], { a: '1' }),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => applyPropertyChanges({}, [], { a: 1 as unknown as string }),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'),
    );
  });
});
