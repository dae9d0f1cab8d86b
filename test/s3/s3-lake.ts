/**
 * A Strata catalog whose lake is a bucket on a real S3-compatible server (S3Proxy on loopback,
 * src/storage/testing/s3-test-server.ts): the SQLite catalog and DuckDB's scratch space stay in a
 * temp directory, every table file (metadata JSON, Avro manifests, Parquet data) goes to S3. Each
 * lake lives under its own random key prefix, so tests sharing one server never see each other.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog, SqliteCatalogBackend } from '../../src/catalog/index.ts';
import { LakeLayout, S3ObjectStore, type LakeStoreOptions, type ObjectStore } from '../../src/storage/index.ts';
import { DuckDbRuntime } from '../../src/table/index.ts';
import type { S3TestServer } from '../../src/storage/testing/s3-test-server.ts';

export interface S3Lake {
  readonly dir: string;
  readonly store: S3ObjectStore;
  readonly catalog: Catalog;
  readonly runtime: DuckDbRuntime;
  /** Another catalog on the same catalog database and bucket prefix, with its own DuckDB and empty file cache. */
  reopen(): Promise<S3Lake>;
  close(): Promise<void>;
}

async function open(server: S3TestServer, dir: string, prefix: string, owner: boolean): Promise<S3Lake> {
  const store = new S3ObjectStore(server.storeConfig(prefix));
  const runtime = await DuckDbRuntime.create({ tempDirectory: await mkdtemp(join(dir, 'tmp-')), threads: 2 });
  const backend = await SqliteCatalogBackend.open(join(dir, 'catalog.db'));
  const catalog = new Catalog({ backend, lake: new LakeLayout({ root: store }), runtime });
  return {
    dir,
    store,
    catalog,
    runtime,
    reopen: () => open(server, dir, prefix, false),
    async close() {
      await backend.close();
      runtime.close();
      store.client.destroy();
      if (owner) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh lake under a random prefix of the server's bucket; `close()` deletes the local side. */
export async function openS3Lake(server: S3TestServer, label: string): Promise<S3Lake> {
  const dir = await mkdtemp(join(tmpdir(), `strata-s3-${label}-`));
  return open(server, dir, `${label}-${randomBytes(4).toString('hex')}`, true);
}

/** Every key (relative to the store) under `prefix`. */
export async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}

/**
 * `openStrataHome`'s `lake` option for a fresh random prefix of the server's bucket (also what a
 * child process needs, as JSON, to open the same lake).
 */
export function s3LakeOptions(server: S3TestServer, label: string): LakeStoreOptions {
  const config = server.storeConfig();
  return {
    uri: `s3://${server.bucket}/${label}-${randomBytes(4).toString('hex')}`,
    s3: { endpoint: server.endpoint, region: server.region, forcePathStyle: true, ...(config.credentials ? { credentials: config.credentials } : {}) },
  };
}
