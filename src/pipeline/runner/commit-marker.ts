/**
 * Exactly-once outputs. Every commit a pipeline step makes carries its pipeline, run id, step id,
 * logical partition and attempt in the snapshot summary (Iceberg keeps summaries forever, and
 * every engine shows them). Before a step writes, it looks for a commit of the same run and step
 * on the table's main history: if one is there, an earlier attempt already committed (and then
 * crashed, or lost its step record), so the step adopts that commit instead of writing again.
 * The same check runs inside the commit's retry loop (`validate`), so two attempts racing on a
 * dead lease cannot both land.
 *
 * Write-audit-publish commits land on a branch first; only the fast-forward makes them part of
 * main's history, which is why "already committed" means "on main".
 */
import { StrataError } from '../../core/index.ts';
import { ancestorsOf, snapshotForRef, type Snapshot, type Table, type TableMetadata } from '../../table/index.ts';

export const MARKER = {
  pipeline: 'strata.pipeline',
  runId: 'strata.run-id',
  stepId: 'strata.step-id',
  partition: 'strata.partition',
  attempt: 'strata.attempt',
} as const;

export interface StepCommitKey {
  readonly pipeline: string;
  readonly runId: string;
  readonly stepId: string;
  readonly partition: string;
  readonly attempt: number;
}

/** Snapshot summary properties that identify a step's commit. */
export function markerSummary(key: StepCommitKey): Record<string, string> {
  return {
    [MARKER.pipeline]: key.pipeline,
    [MARKER.runId]: key.runId,
    [MARKER.stepId]: key.stepId,
    [MARKER.partition]: key.partition,
    [MARKER.attempt]: String(key.attempt),
  };
}

function isCommitOf(snapshot: Snapshot, key: Pick<StepCommitKey, 'runId' | 'stepId'>): boolean {
  return snapshot.summary[MARKER.runId] === key.runId && snapshot.summary[MARKER.stepId] === key.stepId;
}

/** The newest commit of this run and step on `branch` (default main), if any. */
export function findStepCommit(metadata: TableMetadata, key: Pick<StepCommitKey, 'runId' | 'stepId'>, branch = 'main'): Snapshot | undefined {
  if (branch !== 'main' && !metadata.refs[branch]) return undefined;
  return ancestorsOf(metadata, snapshotForRef(metadata, branch)?.snapshotId).find((s) => isCommitOf(s, key));
}

/** Like `findStepCommit`, after refreshing the table. */
export async function committedBefore(table: Table, key: Pick<StepCommitKey, 'runId' | 'stepId'>): Promise<Snapshot | undefined> {
  return findStepCommit(await table.refresh(), key);
}

/**
 * A commit validation (`WriteOptions.validate`): refuses to commit when a concurrent commit of the
 * same run and step reached `branch` since this write started.
 */
export function refuseDuplicateCommit(key: Pick<StepCommitKey, 'runId' | 'stepId'>, branch = 'main') {
  return (base: TableMetadata, start: TableMetadata): Promise<void> => {
    const startHead = start.refs[branch]?.snapshotId;
    for (const snapshot of ancestorsOf(base, base.refs[branch]?.snapshotId)) {
      if (snapshot.snapshotId === startHead) break;
      if (isCommitOf(snapshot, key)) {
        return Promise.reject(
          new StrataError('COMMIT_CONFLICT', `Step ${key.stepId} of run ${key.runId} was committed by another attempt (snapshot ${snapshot.snapshotId})`, {
            snapshotId: String(snapshot.snapshotId),
            duplicate: true,
          }),
        );
      }
    }
    return Promise.resolve();
  };
}
