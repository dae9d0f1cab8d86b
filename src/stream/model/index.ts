// The stream plane's shared model: definitions, rows, sources, operators, state, dead letters, progress.
export type { StreamRow, RowFields } from './stream-row.ts';
export * from './stream-definition.ts';
export { recordsBetween, hasNewRecords, type SourceOffsets, type SourceRecord, type StreamSource, type SourceKind, type SourceContext } from './source.ts';
export type { DeadLetter, DeadLetterReason } from './dead-letter.ts';
export type { KeyedState, StateStats, CheckpointInfo, StateStore } from './state-store.ts';
export type { BatchContext, StreamOperator } from './operator.ts';
export type { BatchProgress } from './progress.ts';
export { STREAM_MARKER, batchCommitSummary, batchCommitOf, lastBatchCommit, refuseCommittedBatch, type BatchCommit } from './batch-commit.ts';
export { rememberPosition, positionOf } from './row-position.ts';
