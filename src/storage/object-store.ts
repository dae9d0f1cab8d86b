/**
 * `ObjectStore`: the lake's only way to touch bytes. Everything above storage (Iceberg metadata,
 * manifests, Parquet files, raw ingests) goes through this interface, so the same code runs on a
 * local directory and on any S3-compatible bucket.
 *
 * Semantics every implementation guarantees (and `object-store-contract.ts` tests):
 * - Keys follow `object-key.ts`: relative, '/'-separated, never escaping the store.
 * - `put` replaces atomically for readers: a concurrent `get` sees the old object or the new one,
 *   never a prefix of either.
 * - `putIfAbsent` is the lake's compare-and-swap: exactly one of any number of concurrent callers
 *   (threads, processes, machines on S3) gets `true`, and the object then holds that caller's bytes.
 *   Iceberg commits and append-only raw ingests are built on it.
 * - `list` is recursive and sorted by key (UTF-8 byte order, as S3 returns it).
 * - Expected failures throw `StrataError`: 'OBJECT_NOT_FOUND', 'INVALID_ARGUMENT',
 *   'STORAGE_ERROR' (with the key and the underlying cause).
 *
 * @example
 *   const store = new LocalObjectStore('/var/lake');
 *   if (!(await store.putIfAbsent('tables/t/metadata/v2.json', bytes))) throw conflict();
 *   for await (const info of store.list('tables/t/metadata/')) console.log(info.key, info.size);
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  /** The key relative to the store it was listed from. */
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export type ObjectBody = Uint8Array | Readable;

export interface ObjectStore {
  /** The whole object. Throws 'OBJECT_NOT_FOUND' (details.key) when it does not exist. */
  get(key: string): Promise<Uint8Array>;

  /**
   * The object as a stream, for objects too large to hold in memory. The existence check happens
   * before this resolves: a missing key rejects with 'OBJECT_NOT_FOUND' rather than erroring later
   * on the stream.
   */
  getStream(key: string): Promise<Readable>;

  /** Creates or replaces the object; readers never observe a partial write. */
  put(key: string, body: ObjectBody): Promise<void>;

  /**
   * Writes the object only if the key does not exist yet. Resolves `true` when this call created
   * it, `false` when the key already existed (its content is left untouched). Race-free across
   * processes and hosts.
   */
  putIfAbsent(key: string, body: Uint8Array): Promise<boolean>;

  /** Size and modification time, or `undefined` when the object does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;

  /** Every object whose key starts with `prefix` (recursively), sorted by key. */
  list(prefix?: string): AsyncIterable<ObjectInfo>;

  /** Deletes the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;

  /** Deletes many objects (missing ones are ignored); uses batch APIs where the backend has them. */
  deleteMany(keys: readonly string[]): Promise<void>;

  /** A URI naming the object: `file:///abs/path` or `s3://bucket/prefix/key`. Does not check existence. */
  uri(key: string): string;

  /**
   * The local filesystem path of the object, for tools that read and write paths directly (DuckDB),
   * or `undefined` when the object does not live on a local filesystem (S3).
   */
  localPath(key: string): string | undefined;

  /** The key for a URI that `uri()` could have produced, or `undefined` for URIs outside this store. */
  keyFromUri(uri: string): string | undefined;
}
