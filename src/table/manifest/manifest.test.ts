import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { Types, field } from '../schema/types.ts';
import { readAvroContainer } from './avro-container.ts';
import { EntryStatus, FileContent } from './data-file.ts';
import type { ManifestEntry } from './data-file.ts';
import { ManifestContent } from './manifest-file.ts';
import { decodeManifest } from './manifest-reader.ts';
import { encodeManifest } from './manifest-writer.ts';
import { allTypesPartition, allTypesSpec, dataFile, fullEntries, fullValues, tableSchema } from './manifest-fixtures.ts';

const PATH = 's3://lake/t/metadata/m0.avro';

function encodeFull(): Uint8Array {
  return encodeManifest({
    schema: tableSchema,
    spec: allTypesSpec,
    partitionType: allTypesPartition,
    content: ManifestContent.Data,
    entries: fullEntries,
  });
}

/** Every `field-id` / `element-id` in a schema JSON, in order of appearance. */
function idsIn(json: unknown, key: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === key && typeof x === 'number') out.push(x);
        else walk(x);
      }
    }
  };
  walk(json);
  return out;
}

describe('encodeManifest / decodeManifest', () => {
  test('round-trips every partition value type, nulls, every status and every metrics map', () => {
    const decoded = decodeManifest(encodeFull(), PATH, allTypesPartition);
    assert.deepStrictEqual(decoded.entries, fullEntries);
    assert.equal(decoded.specId, 3);
    assert.deepStrictEqual(decoded.specFields, allTypesSpec);
    assert.deepStrictEqual(decoded.schema, tableSchema);
    assert.equal(decoded.formatVersion, 2);
    assert.equal(decoded.content, ManifestContent.Data);
  });

  test('without a partition type, derives the tuple from the file’s own Avro schema', () => {
    const decoded = decodeManifest(encodeFull(), PATH);
    assert.deepStrictEqual(decoded.entries, fullEntries);
  });

  test('projects the partition tuple by field id onto the caller’s partition type', () => {
    const projected = Types.struct([
      field(1013, 'renamed_dec', Types.decimal(9, 2)),
      field(1002, 'p_long', Types.long),
      field(1999, 'added_later', Types.int),
    ]);
    const decoded = decodeManifest(encodeFull(), PATH, projected);
    assert.deepStrictEqual(decoded.entries[0]?.dataFile.partition, [fullValues[13], fullValues[2], null]);
  });

  test('the header carries the exact schema with field ids and the required metadata', () => {
    const container = readAvroContainer(encodeFull(), PATH);
    const avroSchema = JSON.parse(container.schemaJson) as unknown;
    const ids = idsIn(avroSchema, 'field-id');
    for (const id of [0, 1, 3, 4, 2, 134, 100, 101, 102, 103, 104, 108, 117, 118, 109, 119, 120, 110, 121, 122, 137, 138, 139]) {
      assert.ok(ids.includes(id), `field-id ${id} missing from the header schema`);
    }
    for (const id of [125, 126, 127, 128, 129, 130, 131, 132, 135, 140, 1000, 1014]) assert.ok(ids.includes(id), `field-id ${id}`);
    assert.deepStrictEqual(idsIn(avroSchema, 'element-id'), [133, 136]);
    assert.match(container.schemaJson, /"name":"r2"/);
    assert.match(container.schemaJson, /"name":"r102"/);
    assert.match(container.schemaJson, /"logicalType":"map","items":\{"type":"record","name":"k117_v118"/);
    assert.match(container.schemaJson, /"logicalType":"timestamp-micros","adjust-to-utc":true/);
    assert.match(container.schemaJson, /"size":16,"logicalType":"decimal","precision":38,"scale":10/);
    assert.match(container.schemaJson, /"size":4,"logicalType":"decimal","precision":9,"scale":2/);
    assert.equal(container.codec, 'deflate');
    const meta = container.metadata;
    assert.equal(meta.get('format-version'), '2');
    assert.equal(meta.get('content'), 'data');
    assert.equal(meta.get('schema-id'), '7');
    assert.equal(meta.get('partition-spec-id'), '3');
    const specFields = JSON.parse(meta.get('partition-spec') ?? 'null') as unknown[];
    assert.deepStrictEqual(specFields[0], { 'source-id': 1, 'field-id': 1000, name: 'p_bool', transform: 'identity' });
    assert.equal((JSON.parse(meta.get('schema') ?? '{}') as { 'schema-id': number })['schema-id'], 7);
  });

  test('delete manifests keep position and equality delete files', () => {
    const entries: ManifestEntry[] = [
      {
        status: EntryStatus.Added,
        snapshotId: 5n,
        sequenceNumber: 6n,
        fileSequenceNumber: 6n,
        dataFile: dataFile('s3://lake/t/data/pos.parquet', [...fullValues], { content: FileContent.PositionDeletes }),
      },
      {
        status: EntryStatus.Added,
        snapshotId: 5n,
        sequenceNumber: 6n,
        fileSequenceNumber: 6n,
        dataFile: dataFile('s3://lake/t/data/eq.avro', [...fullValues], {
          content: FileContent.EqualityDeletes,
          fileFormat: 'AVRO',
          equalityIds: [1, 3],
        }),
      },
    ];
    const bytes = encodeManifest({
      schema: tableSchema,
      spec: allTypesSpec,
      partitionType: allTypesPartition,
      content: ManifestContent.Deletes,
      entries,
    });
    const decoded = decodeManifest(bytes, PATH, allTypesPartition);
    assert.equal(decoded.content, ManifestContent.Deletes);
    assert.equal(readAvroContainer(bytes, PATH).metadata.get('content'), 'deletes');
    assert.deepStrictEqual(decoded.entries, entries);
  });

  test('an unpartitioned, empty manifest round-trips', () => {
    const bytes = encodeManifest({
      schema: tableSchema,
      spec: { specId: 0, fields: [] },
      partitionType: Types.struct([]),
      content: ManifestContent.Data,
      entries: [],
    });
    const decoded = decodeManifest(bytes, PATH);
    assert.deepStrictEqual(decoded.entries, []);
    assert.deepStrictEqual(decoded.specFields, { specId: 0, fields: [] });
  });

  test('refuses a data file in a delete manifest and a partition value of the wrong type', () => {
    const base = { schema: tableSchema, spec: allTypesSpec, partitionType: allTypesPartition };
    assert.throws(
      () => encodeManifest({ ...base, content: ManifestContent.Deletes, entries: fullEntries }),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'),
    );
    const wrong = [...fullValues] as unknown[];
    wrong[2] = 5; // a long must be a bigint
    const entry = { ...fullEntries[1]!, dataFile: dataFile('x', wrong as never) };
    assert.throws(
      () => encodeManifest({ ...base, content: ManifestContent.Data, entries: [entry] }),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT') && e.message.includes('p_long'),
    );
  });
});
