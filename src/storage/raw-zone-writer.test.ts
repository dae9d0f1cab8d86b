import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StrataError } from '../core/index.ts';
import { LakeLayout } from './lake-layout.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { RawZoneWriter } from './raw-zone-writer.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

void describe('RawZoneWriter', () => {
  let root: string;
  let store: LocalObjectStore;
  let layout: LakeLayout;
  let writer: RawZoneWriter;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-raw-'));
    store = new LocalObjectStore(root);
    layout = new LakeLayout({ root: store });
    writer = new RawZoneWriter(layout);
  });
  after(() => rm(root, { recursive: true, force: true }));

  void test('appends new files under the ingest-date partition', async () => {
    const key = await writer.appendFile('shop', 'orders-1.json', bytes('[1]'), new Date('2026-05-06T10:00:00Z'));
    assert.equal(key, 'raw/shop/ingest_date=2026-05-06/orders-1.json');
    assert.equal(text(await store.get(key)), '[1]');
  });

  void test('never overwrites: a second write of the same key fails and keeps the original', async () => {
    const key = layout.rawIngestKey('shop', new Date('2026-05-07T00:00:00Z'), 'orders-2.json');
    await writer.append(key, bytes('original'));
    await assert.rejects(writer.append(key, bytes('replacement')), (e: unknown) => {
      assert.ok(StrataError.is(e, 'OBJECT_ALREADY_EXISTS'));
      assert.equal(e.details['key'], key);
      return true;
    });
    assert.equal(text(await store.get(key)), 'original');
  });

  void test('concurrent appends of one key: one succeeds, the rest get OBJECT_ALREADY_EXISTS', async () => {
    const key = layout.rawIngestKey('shop', new Date('2026-05-08T00:00:00Z'), 'dup.json');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => writer.append(key, bytes(`w${i}`))),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) {
      if (o.status === 'rejected') assert.ok(StrataError.is(o.reason, 'OBJECT_ALREADY_EXISTS'));
    }
  });

  void test('refuses keys outside the raw zone', async () => {
    await assert.rejects(writer.append('curated/sales.db/orders/x', bytes('x')), (e: unknown) =>
      StrataError.is(e, 'INVALID_ARGUMENT'),
    );
    assert.equal(await store.head('curated/sales.db/orders/x'), undefined);
  });
});
