import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readAvroContainer } from './avro-container.ts';
import { ManifestContent } from './manifest-file.ts';
import type { ManifestFile } from './manifest-file.ts';
import { decodeManifestList, encodeManifestList } from './manifest-list.ts';
import { BIG_SNAPSHOT } from './manifest-fixtures.ts';

const PATH = 's3://lake/t/metadata/snap-1.avro';

const manifests: ManifestFile[] = [
  {
    manifestPath: 's3://lake/t/metadata/m0.avro',
    manifestLength: 2 ** 40 + 3,
    partitionSpecId: 3,
    content: ManifestContent.Data,
    sequenceNumber: 2n ** 54n,
    minSequenceNumber: 2n ** 54n - 9n,
    addedSnapshotId: BIG_SNAPSHOT,
    addedFilesCount: 7,
    existingFilesCount: 2,
    deletedFilesCount: 1,
    addedRowsCount: 2 ** 50,
    existingRowsCount: 20,
    deletedRowsCount: 10,
    partitions: [
      { containsNull: true, containsNan: false, lowerBound: Uint8Array.of(1, 0, 0, 0), upperBound: Uint8Array.of(9, 0, 0, 0) },
      { containsNull: true },
      { containsNull: false, lowerBound: new Uint8Array(0), upperBound: Uint8Array.of(255) },
    ],
    keyMetadata: Uint8Array.of(1, 2),
  },
  {
    manifestPath: 's3://lake/t/metadata/m1.avro',
    manifestLength: 100,
    partitionSpecId: 0,
    content: ManifestContent.Deletes,
    sequenceNumber: 1n,
    minSequenceNumber: 0n,
    addedSnapshotId: -BIG_SNAPSHOT,
    addedFilesCount: 0,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 0,
    existingRowsCount: 0,
    deletedRowsCount: 0,
    partitions: [],
  },
  {
    manifestPath: 's3://lake/t/metadata/m2.avro',
    manifestLength: 1,
    partitionSpecId: 1,
    content: ManifestContent.Data,
    sequenceNumber: 0n,
    minSequenceNumber: 0n,
    addedSnapshotId: 1n,
    addedFilesCount: 0,
    existingFilesCount: 1,
    deletedFilesCount: 0,
    addedRowsCount: 0,
    existingRowsCount: 1,
    deletedRowsCount: 0,
  },
];

describe('encodeManifestList / decodeManifestList', () => {
  test('round-trips bigint snapshot ids and sequence numbers beyond 2^53, summaries and key metadata', () => {
    const bytes = encodeManifestList({ snapshotId: BIG_SNAPSHOT, parentSnapshotId: BIG_SNAPSHOT - 1n, sequenceNumber: 2n ** 54n, manifests });
    assert.deepStrictEqual(decodeManifestList(bytes, PATH), manifests);
  });

  test('writes the snapshot header metadata and the manifest_file schema with field ids', () => {
    const withParent = readAvroContainer(
      encodeManifestList({ snapshotId: BIG_SNAPSHOT, parentSnapshotId: 42n, sequenceNumber: 9n, manifests }),
      PATH,
    );
    assert.equal(withParent.metadata.get('snapshot-id'), BIG_SNAPSHOT.toString());
    assert.equal(withParent.metadata.get('parent-snapshot-id'), '42');
    assert.equal(withParent.metadata.get('sequence-number'), '9');
    assert.equal(withParent.metadata.get('format-version'), '2');
    const root = readAvroContainer(encodeManifestList({ snapshotId: 1n, parentSnapshotId: null, sequenceNumber: 1n, manifests: [] }), PATH);
    assert.equal(root.metadata.get('parent-snapshot-id'), 'null');

    const schema = JSON.parse(withParent.schemaJson) as { name: string; fields: { name: string; 'field-id': number; type: unknown }[] };
    assert.equal(schema.name, 'manifest_file');
    assert.deepStrictEqual(
      schema.fields.map((f) => [f.name, f['field-id']]),
      [
        ['manifest_path', 500],
        ['manifest_length', 501],
        ['partition_spec_id', 502],
        ['content', 517],
        ['sequence_number', 515],
        ['min_sequence_number', 516],
        ['added_snapshot_id', 503],
        ['added_files_count', 504],
        ['existing_files_count', 505],
        ['deleted_files_count', 506],
        ['added_rows_count', 512],
        ['existing_rows_count', 513],
        ['deleted_rows_count', 514],
        ['partitions', 507],
        ['key_metadata', 519],
      ],
    );
    assert.match(withParent.schemaJson, /"element-id":508/);
    assert.match(withParent.schemaJson, /"name":"r508","fields":\[\{"name":"contains_null","type":"boolean","field-id":509\}/);
    for (const id of [518, 510, 511]) assert.match(withParent.schemaJson, new RegExp(`"field-id":${id}\\b`));
  });

  test('an empty manifest list round-trips', () => {
    const bytes = encodeManifestList({ snapshotId: 1n, parentSnapshotId: null, sequenceNumber: 1n, manifests: [] });
    assert.deepStrictEqual(decodeManifestList(bytes, PATH), []);
  });
});
