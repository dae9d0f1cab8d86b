import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StrataError } from '../core/index.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { describeObjectStoreContract } from './object-store-contract.ts';
import { PrefixedObjectStore } from './prefixed-object-store.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describeObjectStoreContract('PrefixedObjectStore over LocalObjectStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'strata-prefixed-'));
  const inner = new LocalObjectStore(root);
  // Neighbours just outside the view, whose keys share the view's prefix as a string.
  await inner.put('lake/zone-other/ls/x', bytes('not in the view'));
  await inner.put('lake/zonels/x', bytes('not in the view'));
  return {
    store: new PrefixedObjectStore(inner, 'lake/zone'),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

void describe('PrefixedObjectStore', () => {
  let root: string;
  let inner: LocalObjectStore;
  let view: PrefixedObjectStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-prefixed-'));
    inner = new LocalObjectStore(root);
    view = new PrefixedObjectStore(inner, 'curated/');
  });
  after(() => rm(root, { recursive: true, force: true }));

  void test('keys map to <prefix><key> in the inner store and come back relative', async () => {
    await view.put('sales.db/orders/f1', bytes('one'));
    assert.equal(new TextDecoder().decode(await inner.get('curated/sales.db/orders/f1')), 'one');
    await inner.put('curated-not/f2', bytes('neighbour'));
    const listed = [];
    for await (const info of view.list()) listed.push(info.key);
    assert.deepEqual(listed, ['sales.db/orders/f1']);
    assert.equal((await view.head('sales.db/orders/f1'))?.key, 'sales.db/orders/f1');
    assert.equal(view.localPath('sales.db/orders/f1'), inner.localPath('curated/sales.db/orders/f1'));
    assert.equal(view.uri('a'), inner.uri('curated/a'));
    assert.equal(view.keyFromUri(inner.uri('curated/a/b')), 'a/b');
    assert.equal(view.keyFromUri(inner.uri('curated-not/f2')), undefined);
  });

  void test('not-found errors name the key the caller used', async () => {
    await assert.rejects(view.get('nope'), (e: unknown) => {
      assert.ok(StrataError.is(e, 'OBJECT_NOT_FOUND'));
      assert.equal(e.details['key'], 'nope');
      assert.equal(e.details['storeKey'], 'curated/nope');
      return true;
    });
  });

  void test('prefixes normalise to one trailing slash and reject escapes', () => {
    assert.equal(new PrefixedObjectStore(inner, 'a/b').prefix, 'a/b/');
    assert.equal(new PrefixedObjectStore(inner, 'a/b/').prefix, 'a/b/');
    assert.equal(new PrefixedObjectStore(inner, '').prefix, '');
    for (const bad of ['../x', '/abs', 'a//b', 'a/../b']) {
      assert.throws(() => new PrefixedObjectStore(inner, bad), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
    }
  });
});
