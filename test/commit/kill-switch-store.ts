/**
 * An ObjectStore decorator that SIGKILLs its own process at a precise point of a commit, so the
 * crash tests need no hooks in production code. The point is "the n-th write whose key matches
 * `pattern`", either right after the write completed (`after`) or halfway through streaming its
 * bytes (`during`, for data-file uploads). SIGKILL gives no chance to clean up: exactly what a
 * power cut or an OOM kill does to a writer.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { ObjectBody, ObjectInfo, ObjectStore } from '../../src/storage/index.ts';

export interface KillPoint {
  /** Regular expression source matched against the object key. */
  readonly pattern: string;
  readonly when: 'after' | 'during';
  /** Kill on the n-th matching write (1-based; default 1). */
  readonly nth?: number;
}

export class KillSwitchStore implements ObjectStore {
  readonly #inner: ObjectStore;
  readonly #point: KillPoint;
  readonly #pattern: RegExp;
  #matches = 0;

  constructor(inner: ObjectStore, point: KillPoint) {
    this.#inner = inner;
    this.#point = point;
    this.#pattern = new RegExp(point.pattern);
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const armed = this.#armed(key);
    if (armed && this.#point.when === 'during') {
      await this.#inner.put(key, dieHalfway(body, this.#inner.localPath(key)));
      return die();
    }
    await this.#inner.put(key, body);
    if (armed) return die();
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const armed = this.#armed(key);
    const created = await this.#inner.putIfAbsent(key, body);
    if (armed) return die();
    return created;
  }

  get(key: string): Promise<Uint8Array> {
    return this.#inner.get(key);
  }
  getStream(key: string): Promise<Readable> {
    return this.#inner.getStream(key);
  }
  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#inner.head(key);
  }
  list(prefix?: string): AsyncIterable<ObjectInfo> {
    return this.#inner.list(prefix);
  }
  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }
  deleteMany(keys: readonly string[]): Promise<void> {
    return this.#inner.deleteMany(keys);
  }
  uri(key: string): string {
    return this.#inner.uri(key);
  }
  localPath(key: string): string | undefined {
    return this.#inner.localPath(key);
  }
  keyFromUri(uri: string): string | undefined {
    return this.#inner.keyFromUri(uri);
  }

  #armed(key: string): boolean {
    if (!this.#pattern.test(key)) return false;
    this.#matches++;
    return this.#matches === (this.#point.nth ?? 1);
  }
}

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not stop the process');
}

/**
 * The stream, passed through until its first chunk has reached the store's temp file, then death:
 * the upload is torn mid-way. Death waits (up to 2 s) until the local store's temp file for the key
 * holds bytes, so the test does not depend on how fast the store opens and writes it.
 * Only streamed bodies (data files) can be torn; others are a test bug.
 */
function dieHalfway(body: ObjectBody, localPath: string | undefined): Readable {
  if (body instanceof Uint8Array) throw new Error('KillSwitchStore: "during" needs a streamed body (a data file upload)');
  let torn = false;
  return body.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (torn) return; // hold the rest back: the upload can never complete
        torn = true;
        // Only half of the first chunk goes through, so even a one-chunk file is cut short.
        callback(null, chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))));
        const deadline = Date.now() + 2000;
        const poll = () => (tempFileHasBytes(localPath) || Date.now() > deadline ? die() : setTimeout(poll, 1));
        setImmediate(poll);
      },
    }),
  );
}

/** True when a temp file of the local store for `path` (`.<name>.<random>.tmp`) exists with content. */
function tempFileHasBytes(path: string | undefined): boolean {
  if (path === undefined) return true;
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  try {
    return readdirSync(dir).some((f) => f.startsWith(prefix) && f.endsWith('.tmp') && statSync(join(dir, f)).size > 0);
  } catch {
    return false;
  }
}
