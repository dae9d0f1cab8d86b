/**
 * `PrefixedObjectStore`: a view of another store scoped to one "directory". Key `k` on the view is
 * key `<prefix>k` on the inner store; listings, heads and URIs come back relative to the view.
 * Lake zones and per-table stores are built from it.
 *
 * Gotcha: scoping is by key validation, not by permission: the view cannot name anything outside
 * its prefix (keys with '..' are rejected), but code holding the inner store still can.
 *
 * @example
 *   const curated = new PrefixedObjectStore(root, 'curated');
 *   await curated.put('sales.db/orders/data/f.parquet', bytes); // root key 'curated/sales.db/…'
 */
import type { Readable } from 'node:stream';
import { StrataError } from '../core/index.ts';
import { assertValidKey, assertValidPrefix, directoryPrefix } from './object-key.ts';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.ts';

export class PrefixedObjectStore implements ObjectStore {
  readonly inner: ObjectStore;
  /** '' or a prefix ending in '/'. */
  readonly prefix: string;

  constructor(inner: ObjectStore, prefix: string) {
    this.inner = inner;
    this.prefix = directoryPrefix(prefix);
  }

  async get(key: string): Promise<Uint8Array> {
    const full = this.full(key);
    try {
      return await this.inner.get(full);
    } catch (error) {
      throw this.relativise(error, key);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const full = this.full(key);
    try {
      return await this.inner.getStream(full);
    } catch (error) {
      throw this.relativise(error, key);
    }
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    await this.inner.put(this.full(key), body);
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    return this.inner.putIfAbsent(this.full(key), body);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.inner.head(this.full(key));
    return info === undefined ? undefined : { ...info, key };
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    for await (const info of this.inner.list(this.prefix + prefix)) {
      yield { ...info, key: info.key.slice(this.prefix.length) };
    }
  }

  async delete(key: string): Promise<void> {
    await this.inner.delete(this.full(key));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    await this.inner.deleteMany(keys.map((key) => this.full(key)));
  }

  uri(key: string): string {
    return this.inner.uri(this.full(key));
  }

  localPath(key: string): string | undefined {
    return this.inner.localPath(this.full(key));
  }

  keyFromUri(uri: string): string | undefined {
    const innerKey = this.inner.keyFromUri(uri);
    if (innerKey === undefined || !innerKey.startsWith(this.prefix)) return undefined;
    const key = innerKey.slice(this.prefix.length);
    return key === '' ? undefined : key;
  }

  private full(key: string): string {
    return this.prefix + assertValidKey(key);
  }

  /** Not-found errors name the key the caller used; the store's own key stays in details. */
  private relativise(error: unknown, key: string): unknown {
    if (!StrataError.is(error, 'OBJECT_NOT_FOUND')) return error;
    return new StrataError(
      'OBJECT_NOT_FOUND',
      error.message,
      { ...error.details, key, storeKey: this.prefix + key },
      { cause: error },
    );
  }
}
