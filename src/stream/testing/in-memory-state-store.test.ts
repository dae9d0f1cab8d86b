import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryStateStore, type InMemoryCheckpoints } from './in-memory-state-store.ts';

test('values round-trip as copies, bigint and bytes included', () => {
  const store = new InMemoryStateStore();
  const ns = store.namespace<{ n: bigint; b: Uint8Array; list: number[] }>('1:window');
  const value = { n: 2n ** 70n, b: new Uint8Array([1, 2]), list: [1, 2] };
  ns.put('k', value);
  value.list.push(3);
  const read = ns.get('k');
  assert.deepEqual(read, { n: 2n ** 70n, b: new Uint8Array([1, 2]), list: [1, 2] }, 'a later change to the put object does not leak in');
  read?.list.push(4);
  assert.deepEqual(ns.get('k')?.list, [1, 2], 'a read is a copy');
  assert.equal(store.namespace('1:window'), ns, 'same name, same state');
  assert.equal(store.namespace('2:dedup').size, 0, 'namespaces are separate');
  assert.deepEqual(store.stats().rows, 1);
});

test('refuses values the codec cannot round-trip', () => {
  const ns = new InMemoryStateStore().namespace<unknown>('x');
  for (const bad of [new Map(), { at: new Date(0) }, [undefined], { x: Number.NaN }, { $b: '1' }, () => 1]) {
    assert.throws(() => ns.put('k', bad), { code: 'INVALID_ARGUMENT', message: /state values must be plain data/ });
  }
  assert.equal(ns.size, 0);
});

test('writing while iterating entries() is refused; after the iteration it is allowed', () => {
  const ns = new InMemoryStateStore().namespace<number>('x');
  ns.put('a', 1);
  ns.put('b', 2);
  assert.throws(() => {
    for (const [key] of ns.entries()) ns.delete(key);
  }, { code: 'INVALID_ARGUMENT', message: /while its entries\(\) were being iterated/ });
  const keys = [...ns.entries()].map(([key]) => key);
  for (const key of keys) ns.delete(key);
  assert.equal(ns.size, 0);
});

test('checkpoint and restore: a second store sharing the checkpoints rebuilds the state of a batch; later attempts are dropped', async () => {
  const checkpoints: InMemoryCheckpoints = new Map();
  const first = new InMemoryStateStore({ checkpoints });
  const ns = first.namespace<bigint>('w');
  ns.put('a', 1n);
  await first.checkpoint(0);
  ns.put('a', 2n);
  ns.put('b', 3n);
  await first.checkpoint(1);
  ns.delete('a');
  await first.checkpoint(2);
  await first.close();
  assert.throws(() => first.namespace('w'), { code: 'INVALID_ARGUMENT' });

  const second = new InMemoryStateStore({ checkpoints });
  await second.restore(1);
  assert.deepEqual([...second.namespace<bigint>('w').entries()].sort(), [['a', 2n], ['b', 3n]]);
  assert.deepEqual([...checkpoints.keys()], [0, 1], 'the checkpoint of batch 2 (never committed) is gone');
  second.namespace<bigint>('w').put('c', 4n);
  await second.restore(0);
  assert.deepEqual([...second.namespace<bigint>('w').entries()], [['a', 1n]], 'restore replaces local state; the checkpoint copy was not changed by later writes');
  await second.restore(undefined);
  assert.equal(second.stats().rows, 0);
  await assert.rejects(second.restore(9), { code: 'STATE_CORRUPT' });
});

test('TTL: expireIdle drops entries written (beginBatch stamps) before now − ttl, and the stamps survive a restore', async () => {
  const store = new InMemoryStateStore({ ttlMs: 1_000 });
  const ns = store.namespace<number>('d');
  store.beginBatch(0, 10_000);
  ns.put('old', 1);
  store.beginBatch(1, 10_600);
  ns.put('new', 1);
  await store.checkpoint(1);
  assert.equal(store.expireIdle(11_000), 0, 'exactly ttl old is kept');
  assert.equal(store.expireIdle(11_001), 1);
  assert.deepEqual([...ns.entries()].map(([k]) => k), ['new']);
  await store.restore(1);
  assert.equal(store.expireIdle(11_001), 1, 'the restored entry kept its stamp');
  assert.equal(new InMemoryStateStore().expireIdle(1e12), 0, 'no TTL, no expiry');
});
