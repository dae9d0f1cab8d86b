import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../core/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../storage/index.ts';
import { DEFAULT_STATE, type StateSettings, type StateStore } from '../model/index.ts';
import { decodeState, encodeState } from './state-codec.ts';
import { openStateStore } from './local-state-store.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-state-'));
  dirs.push(dir);
  return dir;
}
async function open(lake: LocalObjectStore, settings: Partial<StateSettings> = {}): Promise<StateStore> {
  return openStateStore({ store: lake, localDir: await temp(), settings: { ...DEFAULT_STATE, ...settings } });
}
function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

test('the codec keeps bigint, bytes and nested data exactly', () => {
  const value = { a: 2n ** 70n, b: [-1n, 'x', null, 1.5], c: new Uint8Array([0, 255]), d: { e: true } };
  assert.deepEqual(decodeState(encodeState(value)), value);
  assert.equal(decodeState(encodeState(-5n)), -5n);
});

test('namespaces are separate; spill keeps every value; stats count both tiers', async () => {
  const state = await open(new LocalObjectStore(await temp()), { memoryBytes: 500 });
  const a = state.namespace<{ n: bigint; pad: string }>('a');
  const b = state.namespace<number>('b');
  for (let i = 0; i < 200; i++) a.put(`k${i}`, { n: BigInt(i), pad: 'x'.repeat(20) });
  b.put('k1', 42);
  assert.ok(state.stats().spilledRows > 100, `expected most rows spilled, got ${state.stats().spilledRows}`);
  assert.equal(state.stats().rows, 201);
  for (let i = 0; i < 200; i++) assert.equal(a.get(`k${i}`)?.n, BigInt(i));
  assert.equal(b.get('k1'), 42);
  assert.equal(b.get('k2'), undefined);
  assert.equal([...a.entries()].length, 200);
  assert.equal([...b.entries()].length, 1);
  a.delete('k5');
  assert.equal(a.has('k5'), false);
  assert.equal(a.size, 199);
  await state.close();
});

test('restore on a fresh store ("another machine") equals the state of the committed batch; newer checkpoints are discarded', async () => {
  const lake = new LocalObjectStore(await temp());
  const state = await open(lake, { snapshotEvery: 3, memoryBytes: 300 });
  const ns = state.namespace<number>('w');
  const history: Map<string, number>[] = [];
  for (let batch = 0; batch < 8; batch++) {
    state.beginBatch(batch, batch * 1000);
    ns.put(`k${batch}`, batch);
    if (batch > 0) ns.put('k0', batch);
    if (batch === 4) ns.delete('k2');
    await state.checkpoint(batch);
    history.push(new Map(ns.entries()));
  }
  for (const batch of [7, 5, 3, 0]) {
    const other = await open(lake);
    await other.restore(batch);
    assert.deepEqual(new Map(other.namespace<number>('w').entries()), history[batch], `batch ${batch}`);
    await other.close();
  }
  // The restores above (to 0) deleted everything after batch 0: batch 7 is gone now.
  const again = await open(lake);
  await again.restore(0);
  await assert.rejects(async () => {
    const late = await open(lake);
    await late.restore(7);
  }, { code: 'STATE_CORRUPT' });
  await again.close();
  await state.close();
});

test('retention keeps the newest snapshots and what restoring the previous batch needs', async () => {
  const lake = new LocalObjectStore(await temp());
  const state = await open(lake, { snapshotEvery: 2, retainSnapshots: 1 });
  const ns = state.namespace<number>('w');
  for (let batch = 0; batch < 9; batch++) {
    ns.put(`k${batch}`, batch);
    await state.checkpoint(batch);
  }
  const keys: string[] = [];
  for await (const info of lake.list('')) keys.push(info.key);
  assert.ok(!keys.includes('snapshot/000000000000.ndjson.gz'), `old snapshots pruned: ${keys.join(', ')}`);
  // Batch 8 was a snapshot; the chain to batch 7 must survive (batch 8 may not have committed).
  const other = await open(lake);
  await other.restore(7);
  assert.equal(other.namespace<number>('w').size, 8);
  await other.close();
  await state.close();
});

test('TTL expires keys by batch time stamps, and the stamps survive a restore', async () => {
  const lake = new LocalObjectStore(await temp());
  const state = await open(lake, { ttlMs: 10_000 });
  const ns = state.namespace<string>('d');
  state.beginBatch(0, 0);
  ns.put('old', 'x');
  await state.checkpoint(0);
  state.beginBatch(1, 8_000);
  ns.put('new', 'y');
  await state.checkpoint(1);
  const other = await open(lake, { ttlMs: 10_000 });
  await other.restore(1);
  assert.equal(other.expireIdle(12_000), 1);
  assert.deepEqual([...other.namespace<string>('d').entries()].map(([k]) => k), ['new']);
  await other.close();
  await state.close();
});

test('random operations, checkpoints and restores match a plain Map model', async () => {
  for (let seed = 1; seed <= 5; seed++) {
    const random = seeded(seed);
    const lake = new LocalObjectStore(await temp());
    let state = await open(lake, { snapshotEvery: 4, memoryBytes: 400 });
    const model = new Map<string, number>();
    const committed: Map<string, number>[] = [];
    for (let batch = 0; batch < 30; batch++) {
      state.beginBatch(batch, batch);
      const ns = state.namespace<number>('x');
      for (let i = 0; i < 10; i++) {
        const key = `k${Math.floor(random() * 40)}`;
        if (random() < 0.3) {
          ns.delete(key);
          model.delete(key);
        } else {
          const value = Math.floor(random() * 1000);
          ns.put(key, value);
          model.set(key, value);
        }
      }
      await state.checkpoint(batch);
      committed.push(new Map(model));
      if (random() < 0.2) {
        // crash: the next batch's changes are lost; restore the last commit on a fresh store
        await state.close();
        state = await open(lake, { snapshotEvery: 4, memoryBytes: 400 });
        await state.restore(batch);
        assert.deepEqual(new Map(state.namespace<number>('x').entries()), model, `seed ${seed} batch ${batch}`);
      }
    }
    await state.close();
  }
});
