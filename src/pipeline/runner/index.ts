// Running pipelines: the service (queue, scheduler, backfills, redrive) and the exactly-once and write-audit-publish helpers.
export { PipelineService, type PipelineServiceOptions, type FinishedRun } from './pipeline-service.ts';
export { MARKER, markerSummary, findStepCommit, type StepCommitKey } from './commit-marker.ts';
export { wapBranch, runBranch } from './write-audit-publish.ts';
export type { FaultInjector, FaultPoint, StepOutcome as StepResult, TableVersion, QualityOutcome } from './step-execution.ts';
export type { NotificationEvent } from './runner-deps.ts';
export { rowsOf } from './session-rows.ts';
export type { SparkCompute, LeasedEngine } from './run-sessions.ts';
