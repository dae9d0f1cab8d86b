import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupKey } from './group-key.ts';

test('equal tuples give equal keys across representations; distinct values give distinct keys', () => {
  assert.equal(groupKey([Buffer.from([1, 2, 3])]), groupKey([new Uint8Array([1, 2, 3])]), 'a Buffer and a Uint8Array of the same bytes');
  assert.notEqual(groupKey([Number.NaN]), groupKey([null]), 'NaN is not the null group');
  assert.notEqual(groupKey([Infinity]), groupKey([-Infinity]));
  assert.notEqual(groupKey([1n, 'a']), groupKey(['a', 1n]));
  assert.equal(groupKey([12345678901234567890n, null]), '["12345678901234567890n",null]');
  assert.equal(groupKey([new Map([['k', 1]])]), groupKey([new Map([['k', 1]])]));
});
