import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FairQueue } from './fair-queue.ts';

describe('FairQueue', () => {
  test('one owner with many waiting items does not starve another with one', () => {
    const queue = new FairQueue<string>();
    queue.served('a'); // a1 started at once
    for (const id of ['a2', 'a3', 'a4', 'a5']) queue.push('a', id);
    queue.push('b', 'b1');
    assert.deepEqual([queue.shift(), queue.shift(), queue.shift()], ['b1', 'a2', 'a3']);
  });

  test('round-robin across owners, oldest first within one owner', () => {
    const queue = new FairQueue<string>();
    for (const [owner, id] of [['a', 'a1'], ['a', 'a2'], ['b', 'b1'], ['b', 'b2'], ['c', 'c1']] as const) queue.push(owner, id);
    const order: (string | undefined)[] = [];
    while (queue.size > 0) order.push(queue.shift());
    assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'b2']);
    assert.equal(queue.shift(), undefined);
  });

  test('remove takes a waiting item out', () => {
    const queue = new FairQueue<string>();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    assert.equal(queue.remove('a1'), true);
    assert.equal(queue.remove('a1'), false);
    assert.equal(queue.size, 1);
    assert.equal(queue.shift(), 'b1');
  });
});
