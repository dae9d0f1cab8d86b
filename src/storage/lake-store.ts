/**
 * The object store a home's lake lives in, from the config key `lake.uri`: empty for the local
 * filesystem lake `<home>/lake`, or `s3://bucket[/prefix]` for a bucket on AWS S3 or any
 * S3-compatible server. (No local lake outside the home: the sandboxed DuckDB of the server and of
 * non-admin sessions may read only `<home>/lake` and the scratch space, where S3 files are cached.)
 *
 * Credentials never come from here or from `strata.yaml`: without explicit `credentials` (a
 * program's choice, e.g. a test's), the AWS SDK's default chain is used — `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY`, profiles, instance roles.
 *
 * @example
 *   const store = openLakeStore('/data/strata', { uri: 's3://lake/prod', s3: { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true } });
 *   store.uri('curated/x'); // 's3://lake/prod/curated/x'
 *
 * Gotcha: an S3 store holds an HTTP client with keep-alive sockets; `closeLakeStore` releases it.
 */
import { join, resolve } from 'node:path';
import { StrataError } from '../core/index.ts';
import { LocalObjectStore } from './local-object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store.ts';

export interface LakeS3Options {
  /** For S3-compatible servers, e.g. 'http://127.0.0.1:9000'; empty or absent for AWS S3. */
  readonly endpoint?: string;
  /** Default us-east-1. */
  readonly region?: string;
  /** Path-style URLs (`endpoint/bucket/key`); most self-hosted servers need this. */
  readonly forcePathStyle?: boolean;
  /** Explicit credentials; absent: the AWS SDK's default chain. */
  readonly credentials?: S3ObjectStoreConfig['credentials'];
}

export interface LakeStoreOptions {
  /** Empty or absent: `<home>/lake`. Otherwise `s3://bucket[/prefix]`. */
  readonly uri?: string;
  readonly s3?: LakeS3Options;
}

/** The bucket and key prefix of an `s3://bucket[/prefix]` lake URI; INVALID_CONFIG for anything else. */
export function parseLakeUri(uri: string): { bucket: string; prefix: string } {
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]*)(?:\/(.*))?$/.exec(uri.trim());
  if (s3) return { bucket: s3[1] ?? '', prefix: (s3[2] ?? '').replace(/^\/+|\/+$/g, '') };
  throw new StrataError(
    'INVALID_CONFIG',
    `lake.uri must be empty (the lake in <home>/lake) or s3://bucket[/prefix]; got ${JSON.stringify(uri)}. Fix the config key lake.uri (env STRATA_LAKE_URI).`,
    { key: 'lake.uri', value: uri },
  );
}

export function openLakeStore(home: string, options: LakeStoreOptions = {}): ObjectStore {
  const uri = options.uri?.trim() ?? '';
  if (uri === '') return new LocalObjectStore(join(resolve(home), 'lake'));
  const parsed = parseLakeUri(uri);
  const s3 = options.s3 ?? {};
  const endpoint = s3.endpoint?.trim() ?? '';
  return new S3ObjectStore({
    bucket: parsed.bucket,
    prefix: parsed.prefix,
    region: s3.region ?? 'us-east-1',
    ...(endpoint === '' ? {} : { endpoint }),
    ...(s3.forcePathStyle === undefined ? {} : { forcePathStyle: s3.forcePathStyle }),
    ...(s3.credentials === undefined ? {} : { credentials: s3.credentials }),
  });
}

/** Releases what a store opened by `openLakeStore` holds (an S3 client's sockets). */
export function closeLakeStore(store: ObjectStore): void {
  if (store instanceof S3ObjectStore) store.client.destroy();
}
