/**
 * The `ObjectStore` contract as a reusable test suite: every implementation (local, prefixed, S3)
 * runs the same tests, so the semantics in `object-store.ts` hold on every backend.
 *
 * @example
 *   describeObjectStoreContract('LocalObjectStore', async () => ({ store, cleanup }));
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { StrataError } from '../core/index.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

export interface ContractFixture {
  /** An empty store (or one scoped to an empty prefix). */
  readonly store: ObjectStore;
  readonly cleanup?: () => Promise<void>;
}

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

async function keys(store: ObjectStore, prefix?: string): Promise<string[]> {
  return (await collect(store.list(prefix))).map((info) => info.key);
}

async function rejectsWith(promise: Promise<unknown>, code: string, key?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(StrataError.is(error), `expected a StrataError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (key !== undefined) assert.equal(error.details['key'], key);
    return true;
  });
}

/** A deterministic pseudo-random stream of `size` bytes, produced in 64 KiB chunks. */
function patternedStream(size: number, seed: number): { stream: Readable; sha256: string } {
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let state = seed;
  for (let offset = 0; offset < size; offset += 65536) {
    const chunk = new Uint8Array(Math.min(65536, size - offset));
    for (let i = 0; i < chunk.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      chunk[i] = state >>> 24;
    }
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { stream: Readable.from(chunks), sha256: hash.digest('hex') };
}

async function sha256OfStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const data = chunk as Uint8Array;
    hash.update(data);
    size += data.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

export function describeObjectStoreContract(
  name: string,
  setup: () => Promise<ContractFixture>,
  options: { largeObjectBytes?: number } = {},
): void {
  const largeObjectBytes = options.largeObjectBytes ?? 20 * 1024 * 1024;

  void describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: ObjectStore;
    before(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    after(async () => {
      await fixture?.cleanup?.();
    });

    void test('put then get returns the same bytes; put again replaces them', async () => {
      await store.put('rt/a.bin', bytes('first version'));
      assert.equal(text(await store.get('rt/a.bin')), 'first version');
      await store.put('rt/a.bin', bytes('second'));
      assert.equal(text(await store.get('rt/a.bin')), 'second');
    });

    void test('an empty object round-trips', async () => {
      await store.put('rt/empty', new Uint8Array(0));
      assert.equal((await store.get('rt/empty')).byteLength, 0);
      assert.equal((await store.head('rt/empty'))?.size, 0);
    });

    void test('get and getStream of a missing key throw OBJECT_NOT_FOUND naming the key', async () => {
      await rejectsWith(store.get('missing/nope.json'), 'OBJECT_NOT_FOUND', 'missing/nope.json');
      await rejectsWith(store.getStream('missing/nope.json'), 'OBJECT_NOT_FOUND', 'missing/nope.json');
    });

    void test(`a ${Math.round(largeObjectBytes / 1048576)} MiB stream round-trips through put and getStream`, async () => {
      const { stream, sha256 } = patternedStream(largeObjectBytes, 7);
      await store.put('big/object.bin', stream);
      const info = await store.head('big/object.bin');
      assert.equal(info?.size, largeObjectBytes);
      const read = await sha256OfStream(await store.getStream('big/object.bin'));
      assert.equal(read.size, largeObjectBytes);
      assert.equal(read.sha256, sha256);
      const whole = await store.get('big/object.bin');
      assert.equal(createHash('sha256').update(whole).digest('hex'), sha256);
    });

    void test('a small stream body is stored like bytes', async () => {
      await store.put('rt/stream.txt', Readable.from([bytes('hello '), bytes('world')]));
      assert.equal(text(await store.get('rt/stream.txt')), 'hello world');
    });

    void test('head reports size and modification time, undefined when missing', async () => {
      const before = Date.now();
      await store.put('head/x.txt', bytes('12345'));
      const info = await store.head('head/x.txt');
      assert.ok(info);
      assert.equal(info.key, 'head/x.txt');
      assert.equal(info.size, 5);
      assert.ok(info.lastModified instanceof Date);
      // Allow clock skew and second granularity (S3 reports whole seconds).
      assert.ok(Math.abs(info.lastModified.getTime() - before) < 120_000);
      assert.equal(await store.head('head/missing.txt'), undefined);
      assert.equal(await store.head('head'), undefined, 'a "directory" is not an object');
    });

    void test('list is recursive, filtered by prefix and sorted by key', async () => {
      const written = ['ls/b/2.txt', 'ls/a/1.txt', 'ls/a-b', 'ls/a/z/deep.txt', 'ls/c', 'lsx/other'];
      for (const key of written) await store.put(key, bytes(key));
      assert.deepEqual(await keys(store, 'ls/'), [
        'ls/a-b',
        'ls/a/1.txt',
        'ls/a/z/deep.txt',
        'ls/b/2.txt',
        'ls/c',
      ]);
      assert.deepEqual(await keys(store, 'ls/a/'), ['ls/a/1.txt', 'ls/a/z/deep.txt']);
      assert.deepEqual(await keys(store, 'ls/a'), ['ls/a-b', 'ls/a/1.txt', 'ls/a/z/deep.txt']);
      assert.deepEqual(await keys(store, 'ls'), [
        'ls/a-b',
        'ls/a/1.txt',
        'ls/a/z/deep.txt',
        'ls/b/2.txt',
        'ls/c',
        'lsx/other',
      ]);
      assert.deepEqual(await keys(store, 'ls/nothing/'), []);
      assert.deepEqual(await keys(store, 'nowhere'), []);
      const infos = await collect(store.list('ls/b/'));
      assert.equal(infos[0]?.size, 'ls/b/2.txt'.length);
      const all = await keys(store);
      assert.ok(all.includes('lsx/other') && all.includes('ls/c'));
      assert.deepEqual(all, [...all].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    });

    void test('delete removes an object and is idempotent; deleteMany removes many', async () => {
      await store.put('del/one', bytes('1'));
      await store.delete('del/one');
      assert.equal(await store.head('del/one'), undefined);
      await store.delete('del/one');
      await store.delete('del/never-existed');
      const many = Array.from({ length: 40 }, (_, i) => `del/many/${String(i).padStart(2, '0')}`);
      for (const key of many) await store.put(key, bytes(key));
      await store.put('del/keep', bytes('keep'));
      await store.deleteMany([...many, 'del/not-there']);
      assert.deepEqual(await keys(store, 'del/'), ['del/keep']);
    });

    void test('putIfAbsent writes once and then refuses, leaving the first content', async () => {
      assert.equal(await store.putIfAbsent('pia/v1.json', bytes('first')), true);
      assert.equal(await store.putIfAbsent('pia/v1.json', bytes('second')), false);
      assert.equal(text(await store.get('pia/v1.json')), 'first');
    });

    void test('20 concurrent putIfAbsent calls on one key: exactly one wins and its bytes are stored', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.putIfAbsent('pia/race', bytes(`writer-${i}`))),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(',')}`);
      assert.equal(text(await store.get('pia/race')), `writer-${winners[0]}`);
    });

    void test('keys that escape the store or are malformed are rejected with INVALID_ARGUMENT', async () => {
      for (const bad of ['../escape', 'a/../../escape', '/etc/passwd', 'a//b', 'a/./b', 'a/', '', 'a\\b', 'a\0b']) {
        await rejectsWith(store.put(bad, bytes('x')), 'INVALID_ARGUMENT');
        await rejectsWith(store.get(bad), 'INVALID_ARGUMENT');
        await rejectsWith(store.putIfAbsent(bad, bytes('x')), 'INVALID_ARGUMENT');
        await rejectsWith(store.delete(bad), 'INVALID_ARGUMENT');
        assert.throws(() => store.uri(bad), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
      }
      await rejectsWith(collect(store.list('../')), 'INVALID_ARGUMENT');
    });

    void test('uri and keyFromUri are inverses; foreign URIs map to undefined', async () => {
      const key = 'uri/some dir/file.parquet';
      const uri = store.uri(key);
      assert.match(uri, /^(file|s3):\/\//);
      assert.equal(store.keyFromUri(uri), key);
      assert.equal(store.keyFromUri('s3://some-other-bucket/x'), undefined);
      assert.equal(store.keyFromUri('file:///definitely/not/in/this/store'), undefined);
      assert.equal(store.keyFromUri('https://example.com/x'), undefined);
    });
  });
}
