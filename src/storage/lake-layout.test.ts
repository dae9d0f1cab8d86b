import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { StrataError } from '../core/index.ts';
import { LakeLayout, ZONES } from './lake-layout.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const isCode = (code: string) => (e: unknown) => StrataError.is(e) && e.code === code;

void describe('LakeLayout', () => {
  let root: string;
  let rootStore: LocalObjectStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-layout-'));
    rootStore = new LocalObjectStore(root);
  });
  after(() => rm(root, { recursive: true, force: true }));

  void test('default zones are prefixes of the root store', async () => {
    const layout = new LakeLayout({ root: rootStore });
    for (const zone of ZONES) {
      assert.deepEqual(layout.zone(zone), { store: rootStore, prefix: `${zone}/` });
    }
    await layout.storeFor('curated').put('x/y.txt', bytes('hi'));
    assert.equal(new TextDecoder().decode(await rootStore.get('curated/x/y.txt')), 'hi');
    const processed = [];
    for await (const info of layout.storeFor('processed').list()) processed.push(info.key);
    assert.deepEqual(processed, [], 'zones do not see each other');
  });

  void test('tableLocation uses <namespace>.db directories inside the zone', () => {
    const layout = new LakeLayout({ root: rootStore });
    assert.equal(layout.tableLocation('curated', ['sales'], 'orders'), 'curated/sales.db/orders');
    assert.equal(layout.tableLocation('processed', ['sales', 'eu'], 'orders'), 'processed/sales.db/eu.db/orders');
    assert.equal(
      layout.tableUri('curated', ['sales'], 'orders'),
      pathToFileURL(join(root, 'curated', 'sales.db', 'orders')).href,
    );
    assert.throws(() => layout.tableLocation('curated', [], 'orders'), isCode('INVALID_ARGUMENT'));
    for (const bad of ['', '..', 'a/b', 'a\\b', 'tab\tname']) {
      assert.throws(() => layout.tableLocation('curated', ['sales'], bad), isCode('INVALID_ARGUMENT'));
      assert.throws(() => layout.tableLocation('curated', [bad], 'orders'), isCode('INVALID_ARGUMENT'));
    }
  });

  void test('tableStore is scoped to the table directory', async () => {
    const layout = new LakeLayout({ root: rootStore });
    await layout.tableStore('curated', ['sales'], 'orders').put('metadata/v1.metadata.json', bytes('{}'));
    assert.ok(await rootStore.head('curated/sales.db/orders/metadata/v1.metadata.json'));
  });

  void test('rawIngestKey partitions by UTC ingest date', () => {
    const layout = new LakeLayout({ root: rootStore });
    // 23:30 on Jan 31 at UTC-5 is Feb 1 in UTC.
    const date = new Date('2026-01-31T23:30:00-05:00');
    assert.equal(layout.rawIngestKey('shop-api', date, 'orders-1.json'), 'raw/shop-api/ingest_date=2026-02-01/orders-1.json');
    assert.throws(() => layout.rawIngestKey('shop/api', date, 'f'), isCode('INVALID_ARGUMENT'));
    assert.throws(() => layout.rawIngestKey('s', date, '../f'), isCode('INVALID_ARGUMENT'));
    assert.throws(() => layout.rawIngestKey('s', new Date('nonsense'), 'f'), isCode('INVALID_ARGUMENT'));
  });

  void test('a zone can have a custom prefix or its own store (another bucket)', async () => {
    const results = new LocalObjectStore(join(root, 'elsewhere'));
    const curatedBucket = new S3ObjectStore({ bucket: 'gold', region: 'us-east-1' });
    const layout = new LakeLayout({
      root: rootStore,
      zones: { raw: { prefix: 'landing' }, results: { store: results }, curated: { store: curatedBucket } },
    });
    assert.equal(layout.rawIngestKey('s', new Date('2026-03-04T00:00:00Z'), 'f'), 'landing/s/ingest_date=2026-03-04/f');
    assert.equal(layout.tableLocation('curated', ['sales'], 'orders'), 'sales.db/orders');
    assert.equal(layout.tableUri('curated', ['sales'], 'orders'), 's3://gold/sales.db/orders');
    assert.equal(layout.storeFor('curated'), curatedBucket);
    assert.equal(layout.storeFor('processed').uri('t'), rootStore.uri('processed/t'));
    await layout.storeFor('results').put('q1/result.parquet', bytes('r'));
    assert.ok(await results.head('q1/result.parquet'));
    assert.equal(await rootStore.head('results/q1/result.parquet'), undefined);
  });

  void test('fails closed on overlapping zones and unknown zones', () => {
    assert.throws(
      () => new LakeLayout({ root: rootStore, zones: { raw: { prefix: 'data' }, curated: { prefix: 'data/curated' } } }),
      isCode('INVALID_CONFIG'),
    );
    assert.throws(
      () => new LakeLayout({ root: rootStore, zones: { processed: { prefix: 'raw' } } }),
      isCode('INVALID_CONFIG'),
    );
    assert.throws(
      () => new LakeLayout({ root: rootStore, zones: { gold: { prefix: 'gold' } } as never }),
      isCode('INVALID_CONFIG'),
    );
    assert.throws(
      () => new LakeLayout({ root: rootStore, zones: { raw: { prefix: '../up' } } }),
      isCode('INVALID_ARGUMENT'),
    );
  });
});
