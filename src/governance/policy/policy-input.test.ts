import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import type { Securable, TagExpression } from '../model.ts';
import { normalizeGrantees, normalizeSecurable, normalizeTagExpression } from './policy-input.ts';
import { normalizeObjectName, normalizeTagWord, validatePolicyName } from './policy-names.ts';

const invalid = (error: unknown) => StrataError.is(error, 'INVALID_ARGUMENT');

describe('policy input normalisation', () => {
  test('tag expressions keep their shape and lose their upper case; malformed ones are refused', () => {
    const e: TagExpression = { kind: 'or', left: { kind: 'in', key: 'Domain', values: ['ADS', 'growth'] }, right: { kind: 'in', key: 'pii', values: ['False'] } };
    assert.deepEqual(normalizeTagExpression(e), {
      kind: 'or',
      left: { kind: 'in', key: 'domain', values: ['ads', 'growth'] },
      right: { kind: 'in', key: 'pii', values: ['false'] },
    });
    assert.throws(() => normalizeTagExpression({ kind: 'in', key: 'a', values: [] }), invalid);
    assert.throws(() => normalizeTagExpression({ kind: 'not' } as unknown as TagExpression), invalid);
    assert.throws(() => normalizeTagExpression({ kind: 'in', key: 'a', values: ['two words'] }), invalid);
    let deep: TagExpression = { kind: 'in', key: 'a', values: ['1'] };
    for (let i = 0; i < 40; i++) deep = { kind: 'and', left: deep, right: { kind: 'in', key: 'a', values: ['1'] } };
    assert.throws(() => normalizeTagExpression(deep), invalid);
  });

  test('securables: names are lowercased, fields of other kinds dropped, columns are SELECT only', () => {
    assert.deepEqual(normalizeSecurable({ kind: 'column', database: 'A', table: 'B', column: 'C', extra: 1 } as Securable, 'SELECT'), {
      kind: 'column',
      database: 'a',
      table: 'b',
      column: 'c',
    });
    assert.deepEqual(normalizeSecurable({ kind: 'catalog', database: 'x' } as unknown as Securable, 'ADMIN'), { kind: 'catalog' });
    assert.throws(() => normalizeSecurable({ kind: 'column', database: 'a', table: 'b', column: 'c' }, 'DELETE'), invalid);
    assert.throws(() => normalizeSecurable({ kind: 'table', database: 'a', table: 'b\u0000' }, 'SELECT'), invalid);
  });

  test('grantee lists drop duplicates and keep their order', () => {
    assert.deepEqual(
      normalizeGrantees('x', [
        { kind: 'role', name: 'r' },
        { kind: 'principal', name: 'r' },
        { kind: 'role', name: 'r' },
      ]),
      [
        { kind: 'role', name: 'r' },
        { kind: 'principal', name: 'r' },
      ],
    );
    assert.throws(() => normalizeGrantees('x', [{ kind: 'team', name: 'r' } as never]), invalid);
  });

  test('names: policies are lowercase identity-style names; tag words fold; object names fold', () => {
    validatePolicyName('mask', 'pii_mask.v2');
    assert.throws(() => validatePolicyName('mask', 'PII'), invalid);
    assert.throws(() => validatePolicyName('row filter', '-x'), invalid);
    assert.throws(() => validatePolicyName('row filter', 'x'.repeat(129)), invalid);
    assert.equal(normalizeTagWord('tag value', 'EU-West:1'), 'eu-west:1');
    assert.throws(() => normalizeTagWord('tag key', ''), invalid);
    assert.equal(normalizeObjectName('table', 'Orders'), 'orders');
    assert.throws(() => normalizeObjectName('column', ''), invalid);
  });
});
