import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { RECORD_COUNT_KEY, readAvroContainer, writeAvroContainer } from './avro-container.ts';
import { ManifestContent } from './manifest-file.ts';
import type { ManifestFile } from './manifest-file.ts';
import { decodeManifestList, encodeManifestList } from './manifest-list.ts';
import { decodeManifest } from './manifest-reader.ts';
import { encodeManifest } from './manifest-writer.ts';
import { BIG_SNAPSHOT, allTypesPartition, allTypesSpec, fullEntries, tableSchema } from './manifest-fixtures.ts';

const PATH = 's3://lake/t/metadata/snap-1-m0.avro';

const manifestBytes = encodeManifest({
  schema: tableSchema,
  spec: allTypesSpec,
  partitionType: allTypesPartition,
  content: ManifestContent.Data,
  entries: fullEntries,
});

const manifest: ManifestFile = {
  manifestPath: 's3://lake/t/metadata/m0.avro',
  manifestLength: 1234,
  partitionSpecId: 0,
  content: ManifestContent.Data,
  sequenceNumber: 1n,
  minSequenceNumber: 1n,
  addedSnapshotId: BIG_SNAPSHOT,
  addedFilesCount: 1,
  existingFilesCount: 0,
  deletedFilesCount: 0,
  addedRowsCount: 10,
  existingRowsCount: 0,
  deletedRowsCount: 0,
};
const listBytes = encodeManifestList({ snapshotId: BIG_SNAPSHOT, parentSnapshotId: null, sequenceNumber: 1n, manifests: [manifest] });

const DECODERS = [
  ['decodeManifest', manifestBytes, (b: Uint8Array) => decodeManifest(b, PATH, allTypesPartition)],
  ['decodeManifestList', listBytes, (b: Uint8Array) => decodeManifestList(b, PATH)],
] as const;

function assertCorrupt(fn: () => unknown, label: string): void {
  assert.throws(
    fn,
    (e: unknown) => StrataError.is(e, 'CORRUPT_FILE') && e.message.includes(PATH),
    `${label}: expected CORRUPT_FILE naming ${PATH}`,
  );
}

function syncOffset(bytes: Uint8Array): number {
  const sync = bytes.subarray(bytes.length - 16);
  return Buffer.from(bytes).indexOf(Buffer.from(sync));
}

for (const [name, valid, decode] of DECODERS) {
  describe(`${name} on corrupt input`, () => {
    test('the untouched file decodes (control)', () => {
      assert.doesNotThrow(() => decode(valid));
    });

    test('every truncation, byte by byte, is CORRUPT_FILE naming the path', () => {
      for (let length = 0; length < valid.length; length++) {
        assertCorrupt(() => decode(valid.subarray(0, length)), `truncated to ${length} of ${valid.length} bytes`);
      }
    });

    test('a flipped byte in the header sync marker or the block sync marker is CORRUPT_FILE', () => {
      const header = syncOffset(valid);
      assert.ok(header > 0 && header < valid.length - 16);
      for (const at of [header, header + 15, valid.length - 16, valid.length - 1]) {
        const copy = Uint8Array.from(valid);
        copy[at] = (copy[at] ?? 0) ^ 0xff;
        assertCorrupt(() => decode(copy), `byte ${at} flipped`);
      }
    });

    test('garbage, an empty file and trailing garbage are CORRUPT_FILE', () => {
      assertCorrupt(() => decode(new Uint8Array(0)), 'empty');
      assertCorrupt(() => decode(Uint8Array.from({ length: 500 }, (_, i) => (i * 7919) % 256)), 'garbage');
      assertCorrupt(() => decode(new TextEncoder().encode('{"not":"avro"}')), 'json');
      const magicThenGarbage = Uint8Array.from([0x4f, 0x62, 0x6a, 0x01, ...Array.from({ length: 64 }, (_, i) => (i * 37) % 256)]);
      assertCorrupt(() => decode(magicThenGarbage), 'magic then garbage');
      assertCorrupt(() => decode(Uint8Array.from([...valid, 1, 2, 3])), 'trailing garbage');
    });
  });
}

/** Rewrite a valid file's container with a changed schema or metadata. */
function rewrite(bytes: Uint8Array, change: (schema: Record<string, unknown>, meta: Record<string, string>) => void): Uint8Array {
  const c = readAvroContainer(bytes, PATH);
  const schema = JSON.parse(c.schemaJson) as Record<string, unknown>;
  const meta = Object.fromEntries(c.metadata);
  change(schema, meta);
  const records = c.blocks.length === 0 ? [] : [c.blocks[0]!.data]; // one record per block in these fixtures
  return writeAvroContainer({ schemaJson: JSON.stringify(schema), metadata: meta, records, codec: 'null' });
}

describe('schema and metadata problems', () => {
  test('a manifest schema without a required data_file field is CORRUPT_FILE naming the field', () => {
    const one = encodeManifest({
      schema: tableSchema,
      spec: allTypesSpec,
      partitionType: allTypesPartition,
      content: ManifestContent.Data,
      entries: [fullEntries[1]!],
    });
    const broken = rewrite(one, (schema) => {
      const dataFile = (schema['fields'] as { name: string; type: { fields: Record<string, unknown>[] } }[])[4]!;
      const filePath = dataFile.type.fields.find((f) => f['name'] === 'file_path')!;
      delete filePath['field-id'];
    });
    assert.throws(
      () => decodeManifest(broken, PATH),
      (e: unknown) => StrataError.is(e, 'CORRUPT_FILE') && e.message.includes(PATH) && e.message.includes('file_path'),
    );
  });

  test('a manifest without the schema metadata is CORRUPT_FILE', () => {
    const one = encodeManifest({
      schema: tableSchema,
      spec: allTypesSpec,
      partitionType: allTypesPartition,
      content: ManifestContent.Data,
      entries: [fullEntries[1]!],
    });
    assert.ok(readAvroContainer(one, PATH).metadata.has(RECORD_COUNT_KEY));
    const broken = rewrite(one, (_schema, meta) => {
      delete meta['schema'];
    });
    assert.throws(
      () => decodeManifest(broken, PATH),
      (e: unknown) => StrataError.is(e, 'CORRUPT_FILE') && e.message.includes('"schema"'),
    );
  });

  test('a null-codec file written from the same records still decodes', () => {
    const one = encodeManifest({
      schema: tableSchema,
      spec: allTypesSpec,
      partitionType: allTypesPartition,
      content: ManifestContent.Data,
      entries: [fullEntries[0]!],
    });
    const plain = rewrite(one, () => {});
    assert.equal(readAvroContainer(plain, PATH).codec, 'null');
    assert.deepStrictEqual(decodeManifest(plain, PATH, allTypesPartition).entries, [fullEntries[0]]);
  });

  test('a manifest list whose schema lacks manifest_path is CORRUPT_FILE', () => {
    const broken = rewrite(listBytes, (schema) => {
      const fields = schema['fields'] as Record<string, unknown>[];
      delete fields[0]!['field-id'];
    });
    assert.throws(
      () => decodeManifestList(broken, PATH),
      (e: unknown) => StrataError.is(e, 'CORRUPT_FILE') && e.message.includes('manifest_path'),
    );
  });

  test('an unsupported codec is UNSUPPORTED_FEATURE, not a silent misread', () => {
    const c = readAvroContainer(listBytes, PATH);
    const bytes = Uint8Array.from(listBytes);
    const at = Buffer.from(bytes).indexOf('deflate');
    assert.ok(at > 0 && c.codec === 'deflate');
    bytes.set(new TextEncoder().encode('snappyy'), at); // same length, so the header stays well-formed
    assert.throws(
      () => decodeManifestList(bytes, PATH),
      (e: unknown) => StrataError.is(e, 'UNSUPPORTED_FEATURE') && e.message.includes(PATH),
    );
  });
});
