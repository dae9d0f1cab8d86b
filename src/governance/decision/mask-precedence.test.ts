import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MaskFunction } from '../model.ts';
import { MASK_KINDS } from '../model.ts';
import { mask, onColumn } from './decision-fixtures.ts';
import { chooseMask, maskStrictness } from './mask-precedence.ts';

const ORDER: MaskFunction[] = [
  { kind: 'null' },
  { kind: 'redact' },
  { kind: 'hash' },
  { kind: 'expression', sql: 'value' },
  { kind: 'partial', keepLast: 4 },
  { kind: 'bucket', unit: 'month' },
  { kind: 'round', digits: -2 },
];

describe('maskStrictness', () => {
  test('null > redact > hash > expression > partial > bucket > round (lower is stricter)', () => {
    assert.deepEqual(
      ORDER.map(maskStrictness),
      ORDER.map((_, i) => i),
    );
  });
  test('ranks every mask kind', () => {
    for (const kind of MASK_KINDS) assert.ok(maskStrictness({ kind } as MaskFunction) >= 0, kind);
  });
});

describe('chooseMask', () => {
  const target = [onColumn('a', 'b', 'c')];
  test('nothing applies: no mask', () => {
    assert.equal(chooseMask([]), undefined);
  });
  test('the strictest wins whatever the input order; losers are listed strictest first', () => {
    const candidates = ORDER.map((fn, i) => ({ mask: mask(`m${6 - i}`, fn, target), via: 'tags' as const })).reverse();
    const chosen = chooseMask(candidates);
    assert.equal(chosen?.policy, 'm6');
    assert.deepEqual(chosen?.function, { kind: 'null' });
    assert.deepEqual(chosen?.outranked, ['m5', 'm4', 'm3', 'm2', 'm1', 'm0']);
  });
  test('equal kinds: the name that sorts first wins (code-point order, so upper case first)', () => {
    const chosen = chooseMask([
      { mask: mask('b', { kind: 'hash' }, target), via: 'column' },
      { mask: mask('a', { kind: 'hash' }, target), via: 'tags' },
      { mask: mask('B', { kind: 'hash' }, target), via: 'tags' },
    ]);
    assert.equal(chosen?.policy, 'B');
    assert.deepEqual(chosen?.outranked, ['a', 'b']);
  });
});
