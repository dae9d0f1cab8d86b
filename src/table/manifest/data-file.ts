/**
 * The content of one manifest entry's `data_file` struct: a data file (or delete file) and the
 * column metrics that let scan planning skip it. Field ids in the maps are schema field ids.
 *
 * Counts and sizes are `number` (exact up to 2^53, i.e. 9 PB); bounds are in Iceberg's
 * single-value binary encoding (see serde/single-value.ts).
 */
import type { IcebergValue } from '../schema/values.ts';

export const FileContent = { Data: 0, PositionDeletes: 1, EqualityDeletes: 2 } as const;
export type FileContent = (typeof FileContent)[keyof typeof FileContent];

export type FileFormat = 'PARQUET' | 'AVRO' | 'ORC';

export interface DataFile {
  readonly content: FileContent;
  readonly filePath: string;
  readonly fileFormat: FileFormat;
  /** The spec id the partition tuple belongs to (not stored in the record; it is the manifest's). */
  readonly specId: number;
  /** Partition values in the spec's field order, typed by each transform's result type. */
  readonly partition: readonly IcebergValue[];
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
  readonly columnSizes?: ReadonlyMap<number, number>;
  readonly valueCounts?: ReadonlyMap<number, number>;
  readonly nullValueCounts?: ReadonlyMap<number, number>;
  readonly nanValueCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly keyMetadata?: Uint8Array;
  readonly splitOffsets?: readonly number[];
  readonly equalityIds?: readonly number[];
  readonly sortOrderId?: number;
}

export const EntryStatus = { Existing: 0, Added: 1, Deleted: 2 } as const;
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus];

/** One row of a manifest. Null snapshot id / sequence numbers are inherited from the manifest list. */
export interface ManifestEntry {
  readonly status: EntryStatus;
  readonly snapshotId: bigint | null;
  readonly sequenceNumber: bigint | null;
  readonly fileSequenceNumber: bigint | null;
  readonly dataFile: DataFile;
}
