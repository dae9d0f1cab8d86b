/**
 * Exactly-once bookkeeping in the sink's snapshot summary. Every micro-batch's sink commit carries
 * the stream's name, the batch id, the source offsets the batch ended at and the watermark after
 * it. Iceberg keeps summaries with the snapshots, so the sink table itself says how far the stream
 * got: a restart resumes after the newest marked snapshot on main and never re-commits a batch
 * (the same check runs inside the commit's retry loop, so two runners racing cannot both land).
 * The dead-letter table's commits carry the same markers, for the same reason.
 */
import { StrataError } from '../../core/index.ts';
import { ancestorsOf, type Snapshot, type TableMetadata } from '../../table/index.ts';
import type { SourceOffsets } from './source.ts';

export const STREAM_MARKER = {
  stream: 'strata.stream',
  batchId: 'strata.stream.batch-id',
  offsets: 'strata.stream.offsets',
  watermark: 'strata.stream.watermark',
} as const;

export interface BatchCommit {
  readonly stream: string;
  readonly batchId: number;
  /** Where the batch ended: the next batch starts here. */
  readonly offsets: SourceOffsets;
  /** µs, after the batch. */
  readonly watermark?: bigint;
}

export function batchCommitSummary(commit: BatchCommit): Record<string, string> {
  return {
    [STREAM_MARKER.stream]: commit.stream,
    [STREAM_MARKER.batchId]: String(commit.batchId),
    [STREAM_MARKER.offsets]: JSON.stringify(commit.offsets),
    ...(commit.watermark === undefined ? {} : { [STREAM_MARKER.watermark]: String(commit.watermark) }),
  };
}

/** The batch a snapshot committed for `stream`, if it is one of its commits. */
export function batchCommitOf(snapshot: Snapshot, stream: string): BatchCommit | undefined {
  const summary = snapshot.summary;
  if (summary[STREAM_MARKER.stream] !== stream) return undefined;
  const batchId = Number(summary[STREAM_MARKER.batchId]);
  const offsets = JSON.parse(summary[STREAM_MARKER.offsets] ?? '{}') as SourceOffsets;
  const watermark = summary[STREAM_MARKER.watermark];
  return { stream, batchId, offsets, ...(watermark === undefined ? {} : { watermark: BigInt(watermark) }) };
}

/** The newest batch of `stream` committed on the table's main branch, with its snapshot id. */
export function lastBatchCommit(metadata: TableMetadata, stream: string): (BatchCommit & { readonly snapshotId: bigint }) | undefined {
  for (const snapshot of ancestorsOf(metadata, metadata.refs['main']?.snapshotId)) {
    const commit = batchCommitOf(snapshot, stream);
    if (commit) return { ...commit, snapshotId: snapshot.snapshotId };
  }
  return undefined;
}

/**
 * A commit validation (`WriteOptions.validate`): refuses to commit batch `batchId` when main already
 * has a commit of this stream at or past it (another runner, or an earlier attempt, got there first).
 */
export function refuseCommittedBatch(stream: string, batchId: number) {
  return (base: TableMetadata): Promise<void> => {
    const last = lastBatchCommit(base, stream);
    if (last !== undefined && last.batchId >= batchId) {
      return Promise.reject(
        new StrataError('COMMIT_CONFLICT', `Batch ${batchId} of stream ${stream} is already committed (snapshot ${last.snapshotId} has batch ${last.batchId})`, {
          stream,
          batchId,
          committedBatchId: last.batchId,
          duplicate: true,
        }),
      );
    }
    return Promise.resolve();
  };
}
