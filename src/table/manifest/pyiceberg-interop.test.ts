// Proves a real Iceberg reader accepts Strata's manifests and Strata reads a real writer's, using
// PyIceberg (python3 + pyiceberg). Skipped, with the reason, where PyIceberg is not installed.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryStatus } from './data-file.ts';
import { ManifestContent } from './manifest-file.ts';
import { decodeManifestList, encodeManifestList } from './manifest-list.ts';
import { decodeManifest } from './manifest-reader.ts';
import { encodeManifest } from './manifest-writer.ts';
import { BIG_SNAPSHOT, allTypesPartition, allTypesSpec, fullEntries, tableSchema } from './manifest-fixtures.ts';
import { summarizePartitions } from './partition-summary.ts';

const probe = spawnSync('python3', ['-c', 'import pyiceberg.manifest, pyiceberg.io.pyarrow'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : 'python3 with pyiceberg and pyarrow is not installed';

function python(script: string, ...args: string[]): string {
  const run = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, `python failed:\n${run.stderr}`);
  return run.stdout;
}

const READ_SCRIPT = `
import json, sys
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.manifest import read_manifest_list
io = PyArrowFileIO()
out = []
for mf in read_manifest_list(io.new_input(sys.argv[1])):
    entries = []
    for e in mf.fetch_manifest_entry(io, discard_deleted=False):
        f = e.data_file
        entries.append({
            'status': int(e.status), 'snapshot_id': str(e.snapshot_id),
            'sequence_number': str(e.sequence_number), 'file_sequence_number': str(e.file_sequence_number),
            'content': int(f.content), 'file_path': f.file_path, 'file_format': str(f.file_format.name),
            'partition': [None if v is None else (v.hex() if isinstance(v, bytes) else str(v)) for v in f.partition],
            'record_count': f.record_count, 'file_size_in_bytes': f.file_size_in_bytes,
            'column_sizes': None if f.column_sizes is None else {str(k): v for k, v in dict(f.column_sizes).items()},
            'lower_bounds': None if f.lower_bounds is None else {str(k): v.hex() for k, v in dict(f.lower_bounds).items()},
            'key_metadata': None if f.key_metadata is None else f.key_metadata.hex(),
            'split_offsets': f.split_offsets, 'sort_order_id': f.sort_order_id,
        })
    out.append({
        'path': mf.manifest_path, 'length': mf.manifest_length, 'spec_id': mf.partition_spec_id,
        'content': int(mf.content), 'sequence_number': str(mf.sequence_number),
        'added_snapshot_id': str(mf.added_snapshot_id), 'added_files_count': mf.added_files_count,
        'partitions': [[p.contains_null, p.contains_nan, None if p.lower_bound is None else p.lower_bound.hex()] for p in mf.partitions],
        'entries': entries,
    })
print(json.dumps(out))
`;

const WRITE_SCRIPT = `
import sys
from decimal import Decimal
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat, ManifestEntry, ManifestEntryStatus, write_manifest, write_manifest_list
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform, DayTransform
from pyiceberg.typedef import Record
from pyiceberg.types import NestedField, LongType, TimestamptzType, StringType, DecimalType
d = sys.argv[1]
io = PyArrowFileIO()
schema = Schema(NestedField(1, 'id', LongType(), required=True), NestedField(2, 'ts', TimestamptzType()),
                NestedField(3, 'name', StringType()), NestedField(4, 'amount', DecimalType(10, 2)), schema_id=4)
spec = PartitionSpec(PartitionField(3, 1000, IdentityTransform(), 'name'), PartitionField(2, 1001, DayTransform(), 'ts_day'),
                     PartitionField(4, 1002, IdentityTransform(), 'amount'), spec_id=2)
snap = 2**62 + 5
with write_manifest(2, spec, schema, io.new_output(d + '/py-m.avro'), snap, 'deflate') as w:
    w.add(ManifestEntry.from_args(status=ManifestEntryStatus.ADDED, snapshot_id=snap, data_file=DataFile.from_args(
        content=DataFileContent.DATA, file_path='s3://b/t/data/f.parquet', file_format=FileFormat.PARQUET,
        partition=Record('x', 19000, Decimal('-12.34')), record_count=10, file_size_in_bytes=1000,
        column_sizes={1: 10}, lower_bounds={1: b'\\x01'}, split_offsets=[4], sort_order_id=0)))
with write_manifest_list(2, io.new_output(d + '/py-ml.avro'), snap, None, 7, 'deflate') as lw:
    lw.add_manifests([w.to_manifest_file()])
`;

describe('PyIceberg interoperability', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-manifest-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('PyIceberg reads a Strata manifest list and manifest, inheriting sequence numbers', () => {
    const manifestPath = join(dir, 'm0.avro');
    const manifest = encodeManifest({
      schema: tableSchema,
      spec: allTypesSpec,
      partitionType: allTypesPartition,
      content: ManifestContent.Data,
      entries: fullEntries,
    });
    writeFileSync(manifestPath, manifest);
    const listPath = join(dir, 'snap.avro');
    writeFileSync(
      listPath,
      encodeManifestList({
        snapshotId: BIG_SNAPSHOT,
        parentSnapshotId: null,
        sequenceNumber: 5n,
        manifests: [
          {
            manifestPath,
            manifestLength: manifest.length,
            partitionSpecId: allTypesSpec.specId,
            content: ManifestContent.Data,
            sequenceNumber: 5n,
            minSequenceNumber: 3n,
            addedSnapshotId: BIG_SNAPSHOT,
            addedFilesCount: 1,
            existingFilesCount: 1,
            deletedFilesCount: 1,
            addedRowsCount: 1000,
            existingRowsCount: 1000,
            deletedRowsCount: 1000,
            partitions: summarizePartitions(allTypesPartition, fullEntries.map((e) => e.dataFile)),
          },
        ],
      }),
    );

    type Entry = Record<string, unknown> & { partition: (string | null)[] };
    const [list] = JSON.parse(python(READ_SCRIPT, listPath)) as (Record<string, unknown> & { entries: Entry[]; partitions: unknown[][] })[];
    assert.ok(list);
    assert.equal(list['path'], manifestPath);
    assert.equal(list['length'], manifest.length);
    assert.equal(list['spec_id'], 3);
    assert.equal(list['added_snapshot_id'], BIG_SNAPSHOT.toString());
    assert.deepStrictEqual(list.partitions[0], [true, null, '01']); // p_bool: a null in entry 1, min true
    assert.deepStrictEqual(list.partitions[3], [true, false, '0000c03f']); // p_float: 1.5

    const [added, existing, deleted] = list.entries;
    // Added entry: null snapshot id and sequence numbers inherited from the manifest list.
    assert.deepStrictEqual(
      [added?.['status'], added?.['snapshot_id'], added?.['sequence_number'], added?.['file_sequence_number']],
      [EntryStatus.Added, BIG_SNAPSHOT.toString(), '5', '5'],
    );
    assert.deepStrictEqual([existing?.['snapshot_id'], existing?.['sequence_number']], [BIG_SNAPSHOT.toString(), '3']);
    assert.deepStrictEqual([deleted?.['status'], deleted?.['snapshot_id']], [EntryStatus.Deleted, (-BIG_SNAPSHOT).toString()]);
    assert.equal(deleted?.['file_format'], 'ORC');

    const p = added?.partition ?? [];
    // PyIceberg 0.12's Cython decoder reads doubles at float precision, so index 4 (-0.1) is left out.
    assert.deepStrictEqual(
      [...p.slice(0, 4), ...p.slice(5)],
      [
        'True',
        '-2147483648',
        '-1152921504606859321',
        '1.5',
        '19723',
        '86399999999',
        '1700000000000000',
        '-1700000000000000',
        'héllo ✓',
        'f79c3e09-677c-4bbd-a479-3f349cb785e7',
        '00ff07',
        '0102030405',
        '-123.45',
        '-9999999999999999999999999999.9999999999',
      ],
    );
    assert.ok(Math.abs(Number(p[4]) + 0.1) < 1e-6);
    assert.deepStrictEqual(existing?.partition, Array(15).fill(null));
    assert.deepStrictEqual(added?.['column_sizes'], { '1': 100, '2': 2 ** 45 });
    assert.deepStrictEqual(added?.['lower_bounds'], { '1': '00' });
    assert.equal(added?.['key_metadata'], '090909');
    assert.deepStrictEqual(added?.['split_offsets'], [4, 2 ** 40]);
    assert.equal(added?.['file_size_in_bytes'], 2 ** 40);
  });

  test('Strata reads a manifest list and manifest written by PyIceberg', () => {
    python(WRITE_SCRIPT, dir);
    const [manifestFile] = decodeManifestList(readFileSync(join(dir, 'py-ml.avro')), 'py-ml.avro');
    assert.ok(manifestFile);
    assert.equal(manifestFile.addedSnapshotId, 2n ** 62n + 5n);
    assert.equal(manifestFile.sequenceNumber, 7n);
    assert.equal(manifestFile.partitionSpecId, 2);
    assert.equal(manifestFile.addedFilesCount, 1);
    assert.equal(manifestFile.partitions?.length, 3);

    const decoded = decodeManifest(readFileSync(manifestFile.manifestPath), manifestFile.manifestPath);
    assert.equal(decoded.specId, 2);
    assert.equal(decoded.schema.schemaId, 4);
    assert.deepStrictEqual(
      decoded.specFields.fields.map((f) => [f.fieldId, f.name, f.transform]),
      [
        [1000, 'name', 'identity'],
        [1001, 'ts_day', 'day'],
        [1002, 'amount', 'identity'],
      ],
    );
    const [entry] = decoded.entries;
    assert.equal(entry?.snapshotId, 2n ** 62n + 5n);
    assert.equal(entry?.dataFile.filePath, 's3://b/t/data/f.parquet');
    assert.deepStrictEqual(entry?.dataFile.partition, ['x', 19000, -1234n]);
    assert.deepStrictEqual(entry?.dataFile.columnSizes, new Map([[1, 10]]));
    assert.deepStrictEqual(entry?.dataFile.lowerBounds, new Map([[1, Uint8Array.of(1)]]));
    assert.deepStrictEqual(entry?.dataFile.splitOffsets, [4]);
  });
});
