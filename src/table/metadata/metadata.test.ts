import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import { applyUpdates, checkRequirements, newTableMetadata, PREVIOUS_VERSIONS_MAX } from './metadata-builder.ts';
import { metadataFromJson, metadataToJson } from './metadata-json.ts';
import type { Snapshot } from './snapshot.ts';
import { snapshotAsOf, type TableMetadata } from './table-metadata.ts';

const BIG_ID = 9_007_199_254_740_993n; // 2^53 + 1: not representable as a JS number

const base = newTableMetadata({
  location: 'file:///lake/t',
  schema: schema(0, [field(1, 'id', Types.long, true), field(2, 'payload', Types.struct([field(3, 'a', Types.string)]))]),
  spec: { specId: 0, fields: [{ sourceId: 1, fieldId: 1000, name: 'id_bucket_8', transform: 'bucket[8]' }] },
  properties: { owner: 'strata' },
  nowMs: 1_700_000_000_000,
});

function snapshot(id: bigint, seq: bigint, ts: number, parent?: bigint): Snapshot {
  return {
    snapshotId: id,
    ...(parent !== undefined ? { parentSnapshotId: parent } : {}),
    sequenceNumber: seq,
    timestampMs: ts,
    manifestList: `file:///lake/t/metadata/snap-${id}.avro`,
    summary: { operation: 'append', 'added-records': '1' },
    schemaId: 0,
  };
}

function commit(meta: TableMetadata, id: bigint, ts: number, location: string): TableMetadata {
  const parent = meta.currentSnapshotId ?? undefined;
  return applyUpdates(
    meta,
    [
      { action: 'add-snapshot', snapshot: snapshot(id, meta.lastSequenceNumber + 1n, ts, parent) },
      { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: id, type: 'branch' } },
    ],
    { nowMs: ts, baseLocation: location },
  );
}

describe('table metadata JSON', () => {
  test('round-trips exactly, including snapshot ids above 2^53', () => {
    const meta = commit(commit(base, BIG_ID, 1_700_000_001_000, 'file:///lake/t/metadata/v1.json'), 2n ** 62n, 1_700_000_002_000, 'v2');
    const text = metadataToJson(meta);
    assert.match(text, /"current-snapshot-id": 4611686018427387904/);
    assert.match(text, /"snapshot-id": 9007199254740993/);
    assert.doesNotMatch(text, /"9007199254740993"/, 'ids are JSON numbers, not strings');
    const parsed = metadataFromJson(text, 'mem://v3');
    assert.deepEqual(parsed, meta);
    assert.equal(metadataToJson(parsed), text);
  });

  test('has the fields the spec requires for format v2', () => {
    const json = JSON.parse(metadataToJson(base)) as Record<string, unknown>;
    for (const key of [
      'format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms', 'last-column-id',
      'schemas', 'current-schema-id', 'partition-specs', 'default-spec-id', 'last-partition-id',
      'sort-orders', 'default-sort-order-id',
    ]) {
      assert.ok(key in json, `missing ${key}`);
    }
    assert.equal(json['format-version'], 2);
    assert.equal(json['last-partition-id'], 1000);
    assert.equal(json['last-column-id'], 3);
  });

  test('corrupt metadata is reported with the file name', () => {
    const check = (text: string) =>
      assert.throws(() => metadataFromJson(text, 'file:///lake/t/metadata/v9.metadata.json'), (e) => {
        return StrataError.is(e, 'CORRUPT_FILE') && e.message.includes('v9.metadata.json');
      });
    check('{ not json');
    check('{}');
    check(metadataToJson(base).replace('"schemas"', '"schemaz"'));
    check(metadataToJson(base).slice(0, 200));
    assert.throws(() => metadataFromJson(metadataToJson(base).replace('"format-version": 2', '"format-version": 3'), 'x'), (e) =>
      StrataError.is(e, 'CORRUPT_FILE') || StrataError.is(e, 'UNSUPPORTED_FEATURE'),
    );
  });
});

describe('applying updates', () => {
  test('main commits go to the snapshot log; time travel resolves through it', () => {
    const m1 = commit(base, 11n, 1000, 'v0');
    const m2 = commit(m1, 12n, 2000, 'v1');
    assert.deepEqual(m2.snapshotLog.map((e) => e.snapshotId), [11n, 12n]);
    assert.equal(m2.lastSequenceNumber, 2n);
    assert.equal(snapshotAsOf(m2, 1500).snapshotId, 11n);
    assert.equal(snapshotAsOf(m2, 2000).snapshotId, 12n);
    assert.deepEqual(m2.metadataLog.map((e) => e.metadataFile), ['v0', 'v1']);
  });

  test('the metadata log is trimmed to write.metadata.previous-versions-max', () => {
    let meta = applyUpdates(base, [{ action: 'set-properties', updates: { [PREVIOUS_VERSIONS_MAX]: '2' } }]);
    for (let i = 1; i <= 5; i++) meta = commit(meta, BigInt(i), 1000 * i, `v${i}`);
    assert.deepEqual(meta.metadataLog.map((e) => e.metadataFile), ['v4', 'v5']);
  });

  test('an identical schema is reused instead of added twice', () => {
    const same = applyUpdates(base, [{ action: 'add-schema', schema: { ...base.schemas[0]!, schemaId: 7 } }, { action: 'set-current-schema', schemaId: -1 }]);
    assert.equal(same.schemas.length, 1);
    assert.equal(same.currentSchemaId, 0);
  });

  test('a branch commit does not move main or the snapshot log', () => {
    const m1 = commit(base, 11n, 1000, 'v0');
    const m2 = applyUpdates(m1, [
      { action: 'add-snapshot', snapshot: snapshot(21n, 2n, 2000, 11n) },
      { action: 'set-snapshot-ref', refName: 'audit', ref: { snapshotId: 21n, type: 'branch' } },
    ]);
    assert.equal(m2.currentSnapshotId, 11n);
    assert.equal(m2.snapshotLog.length, 1);
    assert.equal(m2.refs['audit']?.snapshotId, 21n);
  });

  test('requirements detect concurrent changes', () => {
    const m1 = commit(base, 11n, 1000, 'v0');
    assert.throws(() => checkRequirements(m1, [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null }]), (e) =>
      StrataError.is(e, 'COMMIT_CONFLICT'),
    );
    checkRequirements(m1, [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 11n }]);
    assert.throws(() => checkRequirements(m1, [{ type: 'assert-current-schema-id', currentSchemaId: 5 }]), (e) => StrataError.is(e, 'COMMIT_CONFLICT'));
    assert.throws(() => checkRequirements(m1, [{ type: 'assert-create' }]), (e) => StrataError.is(e, 'COMMIT_CONFLICT'));
    assert.throws(() => checkRequirements(m1, [{ type: 'assert-table-uuid', uuid: 'other' }]), (e) => StrataError.is(e, 'COMMIT_CONFLICT'));
  });

  test('removing a snapshot drops the history before it, so "as of" never answers with a wrong snapshot', () => {
    let meta = base;
    for (let i = 1; i <= 5; i++) meta = commit(meta, BigInt(i), 1000 * i, `v${i}`);
    meta = applyUpdates(meta, [{ action: 'remove-snapshots', snapshotIds: [3n] }]);
    assert.deepEqual(meta.snapshotLog.map((e) => e.snapshotId), [4n, 5n]);
    assert.throws(() => snapshotAsOf(meta, 3500), (e) => StrataError.is(e, 'SNAPSHOT_NOT_FOUND'));
    assert.equal(snapshotAsOf(meta, 4500).snapshotId, 4n);
  });

  test('last-updated-ms is never before the newest snapshot', () => {
    const future = commit(base, 11n, 5_000_000_000_000, 'v0');
    assert.equal(future.lastUpdatedMs, 5_000_000_000_000);
  });

  test('sort orders get fresh ids and "last added" resolves', () => {
    const order = { orderId: 0, fields: [{ transform: 'identity', sourceId: 1, direction: 'asc' as const, nullOrder: 'nulls-first' as const }] };
    const meta = applyUpdates(base, [{ action: 'add-sort-order', sortOrder: order }, { action: 'set-default-sort-order', sortOrderId: -1 }]);
    assert.deepEqual(meta.sortOrders.map((o) => o.orderId), [0, 1]);
    assert.equal(meta.defaultSortOrderId, 1);
    const again = applyUpdates(meta, [{ action: 'add-sort-order', sortOrder: { ...order, orderId: 7 } }]);
    assert.equal(again.sortOrders.length, 2, 'an identical order is reused');
  });

  test('invalid updates are refused', () => {
    const m1 = commit(base, 11n, 1000, 'v0');
    assert.throws(() => applyUpdates(m1, [{ action: 'set-snapshot-ref', refName: 'x', ref: { snapshotId: 99n, type: 'branch' } }]), (e) =>
      StrataError.is(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(() => applyUpdates(m1, [{ action: 'add-snapshot', snapshot: snapshot(12n, 1n, 2000, 11n) }]), (e) =>
      StrataError.is(e, 'COMMIT_CONFLICT'),
    );
    assert.throws(() => applyUpdates(m1, [{ action: 'remove-snapshots', snapshotIds: [11n] }]), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });
});
