/**
 * Test fixtures shared by this folder's tests (not used by production code): a table schema, a
 * partition spec whose partition type covers every Iceberg primitive, and entries that exercise
 * nulls, negative longs beyond 2^53, decimals, uuids, binary and every metrics map.
 */
import type { PartitionSpec } from '../partition/partition-spec.ts';
import type { Schema } from '../schema/schema.ts';
import { schema } from '../schema/schema.ts';
import type { StructType } from '../schema/types.ts';
import { Types, field } from '../schema/types.ts';
import type { DataFile, ManifestEntry } from './data-file.ts';
import { EntryStatus, FileContent } from './data-file.ts';

const PRIMITIVES = [
  ['p_bool', Types.boolean],
  ['p_int', Types.int],
  ['p_long', Types.long],
  ['p_float', Types.float],
  ['p_double', Types.double],
  ['p_date', Types.date],
  ['p_time', Types.time],
  ['p_ts', Types.timestamp],
  ['p_tstz', Types.timestamptz],
  ['p_string', Types.string],
  ['p_uuid', Types.uuid],
  ['p_fixed', Types.fixed(3)],
  ['p_binary', Types.binary],
  ['p_dec_small', Types.decimal(9, 2)],
  ['p_dec_big', Types.decimal(38, 10)],
] as const;

/** One table column per primitive (ids 1..15), all identity-partitioned (ids 1000..1014). */
export const tableSchema: Schema = schema(
  7,
  PRIMITIVES.map(([name, type], i) => field(i + 1, name.slice(2), type, i === 0)),
);

export const allTypesSpec: PartitionSpec = {
  specId: 3,
  fields: PRIMITIVES.map(([name], i) => ({ sourceId: i + 1, fieldId: 1000 + i, name, transform: 'identity' })),
};

export const allTypesPartition: StructType = Types.struct(PRIMITIVES.map(([name, type], i) => field(1000 + i, name, type)));

export const BIG_NEGATIVE = -(2n ** 60n) - 12345n; // far below -2^53
export const BIG_SNAPSHOT = 2n ** 62n + 987654321n; // far above 2^53

export const fullValues = [
  true,
  -2147483648,
  BIG_NEGATIVE,
  1.5,
  -0.1,
  19723,
  86_399_999_999n,
  1_700_000_000_000_000n,
  -1_700_000_000_000_000n,
  'héllo ✓',
  'f79c3e09-677c-4bbd-a479-3f349cb785e7',
  Uint8Array.of(0, 255, 7),
  Uint8Array.of(1, 2, 3, 4, 5),
  -12345n,
  -(10n ** 38n - 1n),
] as const;

export const nullValues = PRIMITIVES.map(() => null);

export function dataFile(path: string, partition: DataFile['partition'], extra: Partial<DataFile> = {}): DataFile {
  return {
    content: FileContent.Data,
    filePath: path,
    fileFormat: 'PARQUET',
    specId: allTypesSpec.specId,
    partition,
    recordCount: 1000,
    fileSizeInBytes: 2 ** 40,
    ...extra,
  };
}

/** Every status; one entry carries every optional metric, one carries none. */
export const fullEntries: ManifestEntry[] = [
  {
    status: EntryStatus.Added,
    snapshotId: null,
    sequenceNumber: null,
    fileSequenceNumber: null,
    dataFile: dataFile('s3://lake/t/data/a.parquet', [...fullValues], {
      columnSizes: new Map([
        [1, 100],
        [2, 2 ** 45],
      ]),
      valueCounts: new Map([[1, 1000]]),
      nullValueCounts: new Map([[1, 0]]),
      nanValueCounts: new Map([[4, 3]]),
      lowerBounds: new Map([[1, Uint8Array.of(0)]]),
      upperBounds: new Map([[1, Uint8Array.of(1)]]),
      keyMetadata: Uint8Array.of(9, 9, 9),
      splitOffsets: [4, 2 ** 40],
      sortOrderId: 1,
    }),
  },
  {
    status: EntryStatus.Existing,
    snapshotId: BIG_SNAPSHOT,
    sequenceNumber: 3n,
    fileSequenceNumber: 4n,
    dataFile: dataFile('s3://lake/t/data/b.parquet', nullValues),
  },
  {
    status: EntryStatus.Deleted,
    snapshotId: -BIG_SNAPSHOT,
    sequenceNumber: 2n ** 55n,
    fileSequenceNumber: 2n ** 55n + 1n,
    dataFile: dataFile('s3://lake/t/data/c.orc', [...fullValues], { fileFormat: 'ORC', recordCount: 0 }),
  },
];
