import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StrataError } from '../core/index.ts';
import { closeLakeStore, openLakeStore, parseLakeUri } from './lake-store.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

describe('openLakeStore', () => {
  test('an empty lake.uri is the local lake in <home>/lake', () => {
    const store = openLakeStore('/srv/strata', { uri: ' ' });
    assert.ok(store instanceof LocalObjectStore);
    assert.equal(store.rootDir, join('/srv/strata', 'lake'));
    assert.equal(store.uri('curated/x'), 'file:///srv/strata/lake/curated/x');
  });

  test('s3://bucket/prefix is that prefix of the bucket, with the S3 settings applied', async () => {
    const store = openLakeStore('/srv/strata', { uri: 's3://lake/prod/', s3: { endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', forcePathStyle: true } });
    try {
      assert.ok(store instanceof S3ObjectStore);
      assert.equal(store.uri('curated/x'), 's3://lake/prod/curated/x');
      assert.equal(await store.client.config.region(), 'eu-west-1');
      assert.equal(store.client.config.forcePathStyle, true);
      const endpoint = await store.client.config.endpoint?.();
      assert.equal(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`, 'http://127.0.0.1:9000');
    } finally {
      closeLakeStore(store);
    }
    const bare = openLakeStore('/srv/strata', { uri: 's3://lake' });
    assert.equal(bare.uri('raw/a'), 's3://lake/raw/a');
    closeLakeStore(bare);
  });

  test('refuses anything but empty or s3://bucket[/prefix], naming the config key', () => {
    assert.deepEqual(parseLakeUri('s3://my.bucket-1/a/b'), { bucket: 'my.bucket-1', prefix: 'a/b' });
    for (const uri of ['/data/lake', 'file:///data/lake', 's3://', 's3:///x', 'gs://b/x', 's3://UPPER/x']) {
      assert.throws(
        () => openLakeStore('/srv/strata', { uri }),
        (e: unknown) => StrataError.is(e, 'INVALID_CONFIG') && e.details['key'] === 'lake.uri',
        uri,
      );
    }
  });
});
