/**
 * DuckDB reads local paths. Objects in a local store are read in place; objects in a remote store
 * (S3) are downloaded once into a cache directory keyed by URI — data files are immutable, so a
 * cached copy never goes stale.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../../storage/index.ts';
import { keyOf } from '../metadata/metadata-io.ts';

export async function localPathFor(store: ObjectStore, uri: string, cacheDir: string): Promise<string> {
  const key = keyOf(store, uri);
  const local = store.localPath(key);
  if (local !== undefined) return local;
  mkdirSync(cacheDir, { recursive: true });
  const name = createHash('sha256').update(uri).digest('hex').slice(0, 32) + '.parquet';
  const path = join(cacheDir, name);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.${Date.now()}.part`;
    await pipeline(await store.getStream(key), createWriteStream(partial));
    renameSync(partial, path);
  }
  return path;
}
