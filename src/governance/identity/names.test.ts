import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { parseAttributes, serializeAttributes, validateAttributes, validateName } from './names.ts';

describe('identity names and attributes', () => {
  test('accepts lowercase names, e-mail addresses and service names', () => {
    for (const name of ['alice', 'alice@example.com', 'etl-nightly', 'svc_2', 'a.b']) validateName('principal', name);
  });

  test('rejects names that could be confused or injected', () => {
    for (const name of ['', 'Alice', ' alice', 'a b', "a'b", '-x', '.x', 'x'.repeat(129), 'а']) {
      assert.throws(() => validateName('principal', name), (e) => StrataError.is(e, 'INVALID_ARGUMENT'), name);
    }
  });

  test('attribute keys are identifiers and values strings', () => {
    validateAttributes({ region: 'eu', cost_center: '42' });
    assert.throws(() => validateAttributes({ Region: 'eu' }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    assert.throws(() => validateAttributes({ region: 1 as unknown as string }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });

  test('attributes serialise sorted and round-trip', () => {
    assert.equal(serializeAttributes({ b: '2', a: '1' }), '{"a":"1","b":"2"}');
    assert.deepEqual(parseAttributes(serializeAttributes({ region: 'eu' })), { region: 'eu' });
  });
});
