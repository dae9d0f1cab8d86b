/**
 * One entry of a manifest list: where a manifest is, which spec its partitions use, how many files
 * it adds/keeps/deletes, and per-partition-field summaries that let planning skip it whole.
 */
export const ManifestContent = { Data: 0, Deletes: 1 } as const;
export type ManifestContent = (typeof ManifestContent)[keyof typeof ManifestContent];

export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean;
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
}

export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: number;
  readonly partitionSpecId: number;
  readonly content: ManifestContent;
  readonly sequenceNumber: bigint;
  readonly minSequenceNumber: bigint;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: number;
  readonly existingRowsCount: number;
  readonly deletedRowsCount: number;
  readonly partitions?: readonly FieldSummary[];
  readonly keyMetadata?: Uint8Array;
}
