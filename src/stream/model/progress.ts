/** The record of one micro-batch, written after its sink commit (`strata stream status`, metrics). */
import type { SourceOffsets } from './source.ts';

export interface BatchProgress {
  readonly stream: string;
  readonly batchId: number;
  readonly startOffsets: SourceOffsets;
  readonly endOffsets: SourceOffsets;
  /** µs since the epoch, as decimal text (bigint in JSON); absent without event time. */
  readonly watermark?: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly deadLetters: number;
  /** ms */
  readonly durations: { readonly read: number; readonly process: number; readonly checkpoint: number; readonly commit: number; readonly total: number };
  readonly stateRows: number;
  readonly stateBytes: number;
  /** Sink snapshot committed by this batch. */
  readonly snapshotId?: string;
  readonly startedAt: number;
  readonly finishedAt: number;
}
