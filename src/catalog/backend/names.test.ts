 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import {
  NAMESPACE_SEPARATOR,
  decodeNamespace,
  encodeNamespace,
  encodeParent,
  formatTableIdentifier,
  validateNamespace,
  validateTableIdentifier,
} from './names.ts';

const invalid = (fn: () => void) => assert.throws(fn, (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));

describe('namespace and table names', () => {
  test('accepts ordinary and unicode names', () => {
    validateNamespace(['sales']);
    validateNamespace(['sales', 'eu', 'données']);
    validateTableIdentifier({ namespace: ['sales'], name: 'orders v2' });
  });

  test('refuses empty namespaces, empty levels, dots and control characters', () => {
    invalid(() => validateNamespace([]));
    invalid(() => validateNamespace(['']));
    invalid(() => validateNamespace(['sales.eu']));
    invalid(() => validateNamespace(['sa\nles']));
    invalid(() => validateNamespace([`a${NAMESPACE_SEPARATOR}b`]));
    invalid(() => validateNamespace(['a\u007f']));
  });

  test('refuses empty table names and control characters in them', () => {
    invalid(() => validateTableIdentifier({ namespace: ['sales'], name: '' }));
    invalid(() => validateTableIdentifier({ namespace: ['sales'], name: 'or\tders' }));
    invalid(() => validateTableIdentifier({ namespace: [], name: 'orders' }));
  });

  test('encoding round-trips nested namespaces and knows the parent', () => {
    const ns = ['a', 'b b', 'c'];
    assert.deepEqual(decodeNamespace(encodeNamespace(ns)), ns);
    assert.equal(encodeParent(['a']), null);
    assert.equal(encodeParent(ns), encodeNamespace(['a', 'b b']));
    assert.equal(formatTableIdentifier({ namespace: ['a', 'b'], name: 't' }), 'a.b.t');
  });
});
