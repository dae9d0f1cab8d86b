/**
 * `S3ObjectStore`: the lake on AWS S3 or any S3-compatible server (MinIO, Ceph RGW, moto, …), on
 * AWS SDK v3.
 *
 * - `put` sends one PutObject for small byte bodies and a multipart `Upload` for streams and for
 *   bodies above `multipartThresholdBytes`. S3 makes an object visible only when the PUT (or the
 *   multipart completion) succeeds, so readers never see a partial object.
 * - `putIfAbsent` is a conditional write (`If-None-Match: *`). 412 PreconditionFailed means the key
 *   exists → `false` (unless the SDK had retried and the stored bytes are ours: then `true`). 409 ConditionalRequestConflict means another conditional write to the key is
 *   in flight; it is retried a few times (the retry then gets 412 or succeeds) and reported as
 *   `false` if the conflict persists. The server must support conditional writes (AWS S3 since
 *   2024-08, recent MinIO and moto); one that ignores the header would make this method unsafe.
 * - With a custom `endpoint`, request checksums are only sent when an operation requires them,
 *   because many S3-compatible servers reject the SDK's default CRC32 trailers.
 *
 * @example
 *   const store = new S3ObjectStore({ bucket: 'lake', prefix: 'prod', region: 'us-east-1' });
 *   store.uri('raw/a.json'); // 's3://lake/prod/raw/a.json'
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError, messageOf } from '../core/index.ts';
import { assertValidKey, assertValidPrefix, directoryPrefix } from './object-key.ts';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.ts';

const MIN_PART_SIZE = 5 * 1024 * 1024;
const DELETE_BATCH = 1000;
const CONFLICT_RETRIES = 5;

export interface S3ObjectStoreConfig {
  readonly bucket: string;
  /** Key prefix inside the bucket ('' or e.g. 'lake/'); a trailing '/' is added when missing. */
  readonly prefix?: string;
  /** For S3-compatible servers, e.g. 'http://127.0.0.1:9000'. Omit for AWS S3. */
  readonly endpoint?: string;
  readonly region: string;
  /** Omit to use the SDK's default chain (env vars, profiles, instance roles). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style URLs (`endpoint/bucket/key`); most self-hosted servers need this. */
  readonly forcePathStyle?: boolean;
  /** Byte bodies larger than this use multipart upload. Default 16 MiB. */
  readonly multipartThresholdBytes?: number;
  /** Multipart part size, at least 5 MiB (S3's minimum). Default 8 MiB. */
  readonly partSizeBytes?: number;
  /** An existing client to share; the connection options above are then ignored. */
  readonly client?: S3Client;
}

interface AwsErrorShape {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function awsError(error: unknown): { name: string; status: number | undefined } {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  return { name: shape.name ?? shape.Code ?? '', status: shape.$metadata?.httpStatusCode };
}

function isNotFound(error: unknown): boolean {
  const { name, status } = awsError(error);
  if (name === 'NoSuchBucket') return false; // a configuration problem, not a missing object
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  /** '' or a prefix ending in '/'. */
  readonly prefix: string;
  readonly client: S3Client;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(config: S3ObjectStoreConfig) {
    if (!config.bucket) {
      throw new StrataError('INVALID_CONFIG', 'S3ObjectStore needs a bucket name.', {});
    }
    this.bucket = config.bucket;
    this.prefix = directoryPrefix(config.prefix ?? '');
    this.partSize = config.partSizeBytes ?? 8 * 1024 * 1024;
    this.multipartThreshold = config.multipartThresholdBytes ?? 16 * 1024 * 1024;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new StrataError(
        'INVALID_CONFIG',
        `S3 partSizeBytes must be an integer of at least ${MIN_PART_SIZE} (5 MiB); got ${this.partSize}.`,
        { partSizeBytes: this.partSize },
      );
    }
    if (!Number.isInteger(this.multipartThreshold) || this.multipartThreshold < 0) {
      throw new StrataError(
        'INVALID_CONFIG',
        `S3 multipartThresholdBytes must be a non-negative integer; got ${this.multipartThreshold}.`,
        { multipartThresholdBytes: this.multipartThreshold },
      );
    }
    this.client = config.client ?? new S3Client(clientConfig(config));
  }

  async get(key: string): Promise<Uint8Array> {
    const fullKey = this.full(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }),
      );
      if (response.Body === undefined) return new Uint8Array(0);
      return await response.Body.transformToByteArray();
    } catch (error) {
      throw this.mapError(error, key, 'get');
    }
  }

  async getStream(key: string): Promise<Readable> {
    const fullKey = this.full(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }),
      );
      const body: unknown = response.Body;
      if (body === undefined) return Readable.from([]);
      if (body instanceof Readable) return body;
      // Outside Node's HTTP handler the SDK may hand back a web stream.
      return Readable.fromWeb(response.Body!.transformToWebStream() as WebReadableStream);
    } catch (error) {
      throw this.mapError(error, key, 'getStream');
    }
  }

  async put(key: string, body: ObjectBody): Promise<void> {
    const fullKey = this.full(key);
    try {
      if (body instanceof Uint8Array && body.byteLength <= this.multipartThreshold) {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: fullKey,
            Body: body,
            ContentLength: body.byteLength,
          }),
        );
        return;
      }
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: fullKey, Body: body },
        partSize: this.partSize,
        queueSize: 4,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (error) {
      throw this.mapError(error, key, 'put');
    }
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const fullKey = this.full(key);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: fullKey,
            Body: body,
            ContentLength: body.byteLength,
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        const { name, status } = awsError(error);
        if (status === 412 || name === 'PreconditionFailed') {
          // The SDK retries transient failures itself. If an earlier attempt of this very call
          // wrote the object before its response was lost, the retry sees 412: recognise our
          // own bytes and report the win instead of a phantom conflict.
          const attempts = (error as AwsErrorShape).$metadata?.attempts ?? 1;
          return attempts > 1 && (await this.holds(key, body));
        }
        if (status === 409 || name === 'ConditionalRequestConflict') {
          if (attempt >= CONFLICT_RETRIES) return false;
          await sleep(25 * 2 ** attempt);
          continue;
        }
        throw this.mapError(error, key, 'putIfAbsent');
      }
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const fullKey = this.full(key);
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }),
      );
      return {
        key,
        size: response.ContentLength ?? 0,
        lastModified: response.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.mapError(error, key, 'head');
    }
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    let token: string | undefined;
    do {
      let response;
      try {
        response = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
      } catch (error) {
        throw this.mapError(error, prefix, 'list');
      }
      for (const object of response.Contents ?? []) {
        if (object.Key === undefined || object.Key.endsWith('/')) continue; // folder markers
        yield {
          key: object.Key.slice(this.prefix.length),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      token = response.IsTruncated ? response.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string): Promise<void> {
    const fullKey = this.full(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.mapError(error, key, 'delete');
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    const fullKeys = keys.map((key) => this.full(key));
    for (let i = 0; i < fullKeys.length; i += DELETE_BATCH) {
      const batch = fullKeys.slice(i, i + DELETE_BATCH);
      let response;
      try {
        response = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (error) {
        throw this.mapError(error, batch[0] ?? '', 'deleteMany');
      }
      const failures = (response.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failures.length > 0) {
        throw new StrataError(
          'STORAGE_ERROR',
          `S3 could not delete ${failures.length} object(s) in bucket ${this.bucket}, first '${failures[0]?.Key}': ${failures[0]?.Code} ${failures[0]?.Message}. Check the credentials' delete permission and retry.`,
          {
            bucket: this.bucket,
            keys: failures.map((f) => f.Key),
            errors: failures.map((f) => ({ key: f.Key, code: f.Code, message: f.Message })),
          },
        );
      }
    }
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.full(key)}`;
  }

  localPath(key: string): undefined {
    assertValidKey(key);
    return undefined;
  }

  keyFromUri(uri: string): string | undefined {
    const head = `s3://${this.bucket}/${this.prefix}`;
    if (!uri.startsWith(head)) return undefined;
    const key = uri.slice(head.length);
    try {
      return assertValidKey(key);
    } catch {
      return undefined;
    }
  }

  /** True when the object at `key` currently holds exactly `body`. */
  private async holds(key: string, body: Uint8Array): Promise<boolean> {
    try {
      return Buffer.from(await this.get(key)).equals(body);
    } catch (error) {
      if (StrataError.is(error, 'OBJECT_NOT_FOUND')) return false;
      throw error;
    }
  }

  private full(key: string): string {
    return this.prefix + assertValidKey(key);
  }

  private mapError(error: unknown, key: string, operation: string): StrataError {
    if (StrataError.is(error)) return error;
    const { name, status } = awsError(error);
    if (isNotFound(error)) {
      return new StrataError(
        'OBJECT_NOT_FOUND',
        `Object '${key}' does not exist in s3://${this.bucket}/${this.prefix}.`,
        { key, bucket: this.bucket, prefix: this.prefix },
        { cause: error },
      );
    }
    return new StrataError(
      'STORAGE_ERROR',
      `S3 ${operation} of '${key}' in bucket ${this.bucket} failed: ${name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${messageOf(error)}. Check the endpoint, credentials and bucket, then retry.`,
      { key, bucket: this.bucket, prefix: this.prefix, operation, awsError: name, httpStatus: status },
      { cause: error },
    );
  }
}

function clientConfig(config: S3ObjectStoreConfig): S3ClientConfig {
  return {
    region: config.region,
    ...(config.endpoint === undefined
      ? {}
      : {
          endpoint: config.endpoint,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    ...(config.forcePathStyle === undefined ? {} : { forcePathStyle: config.forcePathStyle }),
  };
}
