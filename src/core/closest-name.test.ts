 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName, editDistance } from './closest-name.ts';

describe('editDistance', () => {
  test('counts inserts, deletes, substitutions and adjacent swaps', () => {
    assert.equal(editDistance('orders', 'orders'), 0);
    assert.equal(editDistance('ordrs', 'orders'), 1);
    assert.equal(editDistance('orderss', 'orders'), 1);
    assert.equal(editDistance('ordars', 'orders'), 1);
    assert.equal(editDistance('ordres', 'orders'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});

describe('closestName', () => {
  const tables = ['customers', 'orders', 'order_items', 'returns'];

  test('suggests the nearest candidate, ignoring case', () => {
    assert.equal(closestName('ordres', tables), 'orders');
    assert.equal(closestName('ORDERS', tables), 'orders');
    assert.equal(closestName('customer', tables), 'customers');
  });

  test('suggests nothing when no candidate is plausibly meant', () => {
    assert.equal(closestName('inventory', tables), undefined);
    assert.equal(closestName('x', ['ab']), undefined);
    assert.equal(closestName('orders', []), undefined);
  });

  test('breaks ties alphabetically', () => {
    assert.equal(closestName('tab', ['tax', 'tac']), 'tac');
  });
});
