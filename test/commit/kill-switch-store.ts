/**
 * An ObjectStore decorator that SIGKILLs its own process at a precise point of a commit, so the
 * crash tests need no hooks in production code. The point is "the n-th write whose key matches
 * `pattern`", either right after the write completed (`after`) or halfway through streaming its
 * bytes (`during`, for data-file uploads). SIGKILL gives no chance to clean up: exactly what a
 * power cut or an OOM kill does to a writer.
 */
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
      await this.#inner.put(key, dieHalfway(body));
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
 * The stream, passed through until its first chunk has gone into the store's temp file, then death:
 * the upload is torn mid-way. Only streamed bodies (data files) can be torn; others are a test bug.
 */
function dieHalfway(body: ObjectBody): Readable {
  if (body instanceof Uint8Array) throw new Error('KillSwitchStore: "during" needs a streamed body (a data file upload)');
  return body.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        callback(null, chunk);
        setImmediate(die);
      },
    }),
  );
}
