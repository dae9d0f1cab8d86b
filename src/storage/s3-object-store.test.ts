/**
 * S3ObjectStore against a real S3-compatible server: S3Proxy started on loopback by
 * `testing/s3-test-server.ts` (skipped with a message when Java or the jar is missing, a failure in
 * CI), or an external server when all of these are set:
 *   STRATA_TEST_S3_ENDPOINT           e.g. http://127.0.0.1:9000
 *   STRATA_TEST_S3_BUCKET             an existing bucket, or one the credentials may create
 *   STRATA_TEST_S3_ACCESS_KEY_ID, STRATA_TEST_S3_SECRET_ACCESS_KEY
 *   STRATA_TEST_S3_REGION             optional, default us-east-1
 * Every test works under a fresh random prefix and deletes it afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { StrataError } from '../core/index.ts';
import { describeObjectStoreContract } from './object-store-contract.ts';
import { S3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store.ts';
import { s3ForTests, type S3TestConnection } from './testing/s3-test-server.ts';

const env = process.env;
const external = {
  endpoint: env['STRATA_TEST_S3_ENDPOINT'],
  bucket: env['STRATA_TEST_S3_BUCKET'],
  accessKeyId: env['STRATA_TEST_S3_ACCESS_KEY_ID'],
  secretAccessKey: env['STRATA_TEST_S3_SECRET_ACCESS_KEY'],
  region: env['STRATA_TEST_S3_REGION'] ?? 'us-east-1',
};

/** The external server when STRATA_TEST_S3_* is complete, else a local S3Proxy (or a skip). */
async function connect(): Promise<{ connection: S3TestConnection | undefined; skip: string | false }> {
  const { endpoint, bucket, accessKeyId, secretAccessKey, region } = external;
  if (endpoint && bucket && accessKeyId && secretAccessKey) {
    return { connection: { endpoint, bucket, accessKeyId, secretAccessKey, region }, skip: false };
  }
  const s3 = await s3ForTests();
  after(() => s3.server?.stop());
  return { connection: s3.server, skip: s3.skip };
}

const { connection: server, skip } = await connect();

void describe('S3ObjectStore (offline)', () => {
  const store = new S3ObjectStore({ bucket: 'lake', prefix: 'prod', region: 'us-east-1' });

  void test('uri and keyFromUri use s3://bucket/prefix/key', () => {
    assert.equal(store.uri('raw/a.json'), 's3://lake/prod/raw/a.json');
    assert.equal(store.keyFromUri('s3://lake/prod/raw/a.json'), 'raw/a.json');
    assert.equal(store.keyFromUri('s3://lake/other/raw/a.json'), undefined);
    assert.equal(store.keyFromUri('s3://lakehouse/prod/raw/a.json'), undefined);
    assert.equal(store.localPath('raw/a.json'), undefined);
  });

  void test('rejects a part size below S3 minimum and an empty bucket', () => {
    assert.throws(
      () => new S3ObjectStore({ bucket: 'b', region: 'us-east-1', partSizeBytes: 1024 }),
      (e: unknown) => StrataError.is(e, 'INVALID_CONFIG'),
    );
    assert.throws(
      () => new S3ObjectStore({ bucket: '', region: 'us-east-1' }),
      (e: unknown) => StrataError.is(e, 'INVALID_CONFIG'),
    );
  });
});

if (server === undefined) {
  void test('S3ObjectStore against a real S3-compatible server', { skip: skip || 'no server' }, () => {});
} else {
  const { bucket } = server;
  const connection: S3ObjectStoreConfig = {
    bucket,
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
    partSizeBytes: 5 * 1024 * 1024,
    multipartThresholdBytes: 6 * 1024 * 1024,
  };

  async function ensureBucket(client: S3Client): Promise<void> {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  }

  async function freshStore(): Promise<{ store: S3ObjectStore; cleanup: () => Promise<void> }> {
    const prefix = `strata-test/${randomBytes(6).toString('hex')}`;
    const store = new S3ObjectStore({ ...connection, prefix });
    await ensureBucket(store.client);
    return {
      store,
      cleanup: async () => {
        const keys: string[] = [];
        for await (const info of store.list('')) keys.push(info.key);
        await store.deleteMany(keys);
        store.client.destroy();
      },
    };
  }

  describeObjectStoreContract(`S3ObjectStore at ${server.endpoint}`, freshStore);

  void describe('S3ObjectStore specifics', () => {
    void test('8 writers with their own clients race putIfAbsent on 20 fresh keys: one winner per key, its bytes stored', async () => {
      const { store, cleanup } = await freshStore();
      const writers = Array.from({ length: 8 }, () => new S3ObjectStore({ ...connection, prefix: store.prefix }));
      try {
        for (let round = 0; round < 20; round++) {
          const key = `race/${round}`;
          const won = await Promise.all(writers.map((w, i) => w.putIfAbsent(key, Buffer.from(`writer-${i}`))));
          const winners = won.flatMap((ok, i) => (ok ? [i] : []));
          assert.equal(winners.length, 1, `round ${round}: winners ${winners.join(',')}`);
          assert.equal(Buffer.from(await store.get(key)).toString(), `writer-${winners[0]}`);
        }
      } finally {
        for (const w of writers) w.client.destroy();
        await cleanup();
      }
    });

    void test('a byte body above the multipart threshold is uploaded in parts and reads back whole', async () => {
      const { store, cleanup } = await freshStore();
      try {
        const body = randomBytes(11 * 1024 * 1024);
        await store.put('multi/bytes.bin', body);
        assert.equal((await store.head('multi/bytes.bin'))?.size, body.byteLength);
        assert.ok(Buffer.from(await store.get('multi/bytes.bin')).equals(body));
      } finally {
        await cleanup();
      }
    });

    void test('list paginates past 1000 keys', async () => {
      const { store, cleanup } = await freshStore();
      try {
        const keys = Array.from({ length: 1005 }, (_, i) => `page/${String(i).padStart(4, '0')}`);
        for (let i = 0; i < keys.length; i += 50) {
          await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, Buffer.from(key))));
        }
        const listed: string[] = [];
        for await (const info of store.list('page/')) listed.push(info.key);
        assert.deepEqual(listed, keys);
      } finally {
        await cleanup();
      }
    });

    void test('errors other than not-found become STORAGE_ERROR naming the key', async () => {
      const store = new S3ObjectStore({ ...connection, bucket: `strata-missing-${randomBytes(4).toString('hex')}` });
      try {
        await assert.rejects(store.put('k', Readable.from([Buffer.from('x')])), (e: unknown) => {
          assert.ok(StrataError.is(e, 'STORAGE_ERROR'));
          assert.equal(e.details['key'], 'k');
          assert.ok(e.cause !== undefined);
          return true;
        });
      } finally {
        store.client.destroy();
      }
    });
  });
}
