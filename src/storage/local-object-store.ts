/**
 * `LocalObjectStore`: the embedded lake, one directory on the local filesystem, with the same
 * atomicity guarantees as S3.
 *
 * How the guarantees are kept (the order matters; each step is there for a crash or a race):
 * - `put`: write a temp file `.<name>.<16 hex>.tmp` in the target's directory, fsync it, rename it
 *   over the target, fsync the directory. rename(2) is atomic on POSIX filesystems, so readers see
 *   the old file or the new one; the fsyncs make the new content survive a power loss once `put`
 *   resolves. A process killed mid-write leaves only a temp file, which `list` never shows.
 * - `putIfAbsent`: write and fsync a temp file, then link(2) it to the target name. link fails
 *   with EEXIST when the name exists, atomically and across processes, so exactly one caller wins,
 *   and the target appears with its complete content (unlike O_CREAT|O_EXCL, which would expose
 *   an empty file to readers until the write finished).
 * - Readers open a file descriptor once, so a concurrent rename never mixes two versions.
 *
 * Gotchas: the root must be on a filesystem with POSIX rename/link semantics (local disks are;
 * some network or FUSE mounts are not). Empty directories left by `delete` are not removed, because
 * removing them would race with a concurrent `put` into the same directory.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { link, mkdir, open, type FileHandle, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { StrataError, messageOf } from '../core/index.ts';
import {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  isTempName,
} from './object-key.ts';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.ts';

const DELETE_CONCURRENCY = 32;

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new StrataError('INVALID_ARGUMENT', 'Stream bodies must produce bytes (Buffer/Uint8Array) or strings.', {});
}

async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.byteLength; ) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}

export class LocalObjectStore implements ObjectStore {
  /** Absolute path of the lake directory. */
  readonly rootDir: string;

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || rootDir === '') {
      throw new StrataError('INVALID_CONFIG', 'LocalObjectStore needs a root directory path.', {});
    }
    this.rootDir = resolve(rootDir);
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    try {
      const buffer = await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      throw this.readError(error, key);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      const handle = await open(path, 'r');
      try {
        if (!(await handle.stat()).isFile()) throw this.notFound(key);
      } catch (error) {
        await handle.close();
        throw error;
      }
      // The stream owns the handle from here and closes it on end, error or destroy. Holding the
      // descriptor means a concurrent put (rename) cannot change what this stream returns.
      return handle.createReadStream();
    } catch (error) {
      throw this.readError(error, key);
    }
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const path = this.pathOf(key);
    const temp = await this.writeTemp(key, path, body);
    try {
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw this.writeError(error, key, 'put');
    }
    await this.syncDir(dirname(path), key);
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const path = this.pathOf(key);
    const temp = await this.writeTemp(key, path, body);
    try {
      await link(temp, path);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return false;
      throw this.writeError(error, key, 'putIfAbsent');
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await this.syncDir(dirname(path), key);
    return true;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw this.storageError(error, key, 'head');
    }
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const startKey = slash >= 0 ? prefix.slice(0, slash) : '';
    yield* this.walk(startKey, prefix);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw this.storageError(error, key, 'delete');
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) assertValidKey(key);
    for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
      await Promise.all(keys.slice(i, i + DELETE_CONCURRENCY).map((key) => this.delete(key)));
    }
  }

  /**
   * `file://` + the absolute path, verbatim (not percent-encoded). Iceberg readers take a location's
   * path literally (PyIceberg opens `urlparse(uri).path`; Java's Hadoop `Path` quotes `%` instead of
   * decoding it), as S3 keys are literal. Partition directories such as `ts=2024-01-01T10%3A00`
   * (Iceberg's form-encoded partition paths) must therefore exist on disk with the `%3A` in the name.
   */
  uri(key: string): string {
    return `file://${this.pathOf(key)}`;
  }

  localPath(key: string): string {
    return this.pathOf(key);
  }

  keyFromUri(uri: string): string | undefined {
    // Literal, like uri(): `file:///abs/path` or Java's `file:/abs/path`; no percent-decoding.
    const path = uri.startsWith('file://') ? uri.slice('file://'.length) : uri.startsWith('file:') ? uri.slice('file:'.length) : undefined;
    if (path === undefined || !isAbsolute(path)) return undefined;
    const rel = relative(this.rootDir, resolve(path));
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
    const key = rel.split(sep).join('/');
    try {
      return assertValidKey(key);
    } catch {
      return undefined;
    }
  }

  /** Recursively yields files under `dirKey` whose key starts with `prefix`, in key order. */
  private async *walk(dirKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    const dirPath = dirKey === '' ? this.rootDir : join(this.rootDir, ...dirKey.split('/'));
    let entries: Dirent[];
    try {
      entries = await readdir(dirPath, { withFileTypes: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw this.storageError(error, dirKey, 'list');
    }
    // Sorting each directory's entries by "name" for files and "name/" for directories yields
    // keys in global byte order: 'a-b' < 'a/x' because '-' < '/'.
    const sorted = entries
      .filter((entry) => entry.isDirectory() || (entry.isFile() && !isTempName(entry.name)))
      .map((entry) => {
        const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
        return { key, sortKey: entry.isDirectory() ? `${key}/` : key, isDir: entry.isDirectory() };
      })
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const entry of sorted) {
      if (entry.isDir) {
        const childPrefix = entry.sortKey;
        if (childPrefix.startsWith(prefix) || prefix.startsWith(childPrefix)) {
          yield* this.walk(entry.key, prefix);
        }
      } else if (entry.key.startsWith(prefix)) {
        const info = await this.head(entry.key);
        if (info !== undefined) yield info; // deleted between readdir and stat: skip it
      }
    }
  }

  /** Writes `body` to a fsynced temp file beside `path` and returns the temp file's path. */
  private async writeTemp(key: string, path: string, body: ObjectBody): Promise<string> {
    const dir = dirname(path);
    await this.ensureDir(dir, key);
    // Truncated so the temp name stays under the 255-byte file-name limit even for long keys.
    const name = path.slice(dir.length + 1).slice(0, 40);
    const temp = join(dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
    let handle;
    try {
      handle = await open(temp, 'wx');
    } catch (error) {
      throw this.writeError(error, key, 'write');
    }
    try {
      if (body instanceof Uint8Array) {
        await handle.writeFile(body);
      } else if (body instanceof Readable) {
        // Plain writes instead of handle.createWriteStream: a FileHandle stream with autoClose
        // off keeps a reference that makes the later handle.close() wait forever.
        for await (const chunk of body) await writeAll(handle, toBytes(chunk));
      } else {
        throw new StrataError('INVALID_ARGUMENT', `Body for ${key} must be a Uint8Array or a Readable.`, { key });
      }
      await handle.sync();
      await handle.close();
      return temp;
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      if (StrataError.is(error)) throw error;
      throw this.writeError(error, key, 'write');
    }
  }

  /** mkdir -p, then fsyncs the parents of every directory it created so the new names persist. */
  private async ensureDir(dir: string, key: string): Promise<void> {
    let first: string | undefined;
    try {
      first = await mkdir(dir, { recursive: true });
    } catch (error) {
      throw this.writeError(error, key, 'mkdir');
    }
    if (first === undefined) return;
    const created: string[] = [];
    for (let d = dir; d.length >= first.length; d = dirname(d)) created.push(d);
    // `dir` itself is fsynced after the object is renamed into it.
    for (const d of created.slice(1)) await this.syncDir(d, key);
    await this.syncDir(dirname(first), key);
  }

  private async syncDir(dir: string, key: string): Promise<void> {
    try {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      // Some filesystems refuse fsync on directories (EINVAL/EISDIR); the rename already happened.
      const code = errnoCode(error);
      if (code === 'EINVAL' || code === 'EISDIR' || code === 'EPERM') return;
      throw this.storageError(error, key, 'fsync directory');
    }
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.rootDir, ...key.split('/'));
  }

  private notFound(key: string): StrataError {
    return new StrataError(
      'OBJECT_NOT_FOUND',
      `Object '${key}' does not exist in the local lake at ${this.rootDir}.`,
      { key, root: this.rootDir },
    );
  }

  private readError(error: unknown, key: string): StrataError {
    if (StrataError.is(error)) return error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return this.notFound(key);
    return this.storageError(error, key, 'read');
  }

  private writeError(error: unknown, key: string, operation: string): StrataError {
    const code = errnoCode(error);
    if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
      return new StrataError(
        'STORAGE_ERROR',
        `Cannot write object '${key}': a parent path or the key itself is the wrong kind of entry (${code}). Keys cannot be both an object and a prefix of another object on the local store.`,
        { key, root: this.rootDir, operation, errno: code },
        { cause: error },
      );
    }
    return this.storageError(error, key, operation);
  }

  private storageError(error: unknown, key: string, operation: string): StrataError {
    return new StrataError(
      'STORAGE_ERROR',
      `Local store ${operation} of '${key}' failed: ${messageOf(error)}. Check that ${this.rootDir} is writable and has free space.`,
      { key, root: this.rootDir, operation, errno: errnoCode(error) },
      { cause: error },
    );
  }
}
