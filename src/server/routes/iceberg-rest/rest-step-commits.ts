/**
 * Exactly-once for engines that commit through the REST catalog (Spark). A pipeline step's
 * commit carries its run and step ids in the snapshot summary (src/pipeline/runner/commit-marker.ts);
 * on the embedded engine the step's commit retry loop refuses a second commit of the same run and
 * step. Spark's commit retry loop runs in Spark, so the catalog does the same check: a commit that
 * adds a snapshot marked with a run and step already present on the branch it targets is refused.
 *
 * The refusal is a 400 (ValidationException-like), not a 409: a 409 tells Iceberg clients to
 * refresh and retry, and retrying a duplicate can only be refused again.
 */
import { StrataError } from '../../../core/index.ts';
import { MARKER, findStepCommit } from '../../../pipeline/index.ts';
import type { MetadataUpdate, TableMetadata } from '../../../table/index.ts';

export function refuseDuplicateStepCommits(base: TableMetadata, updates: readonly MetadataUpdate[]): void {
  for (const update of updates) {
    if (update.action !== 'add-snapshot') continue;
    const runId = update.snapshot.summary[MARKER.runId];
    const stepId = update.snapshot.summary[MARKER.stepId];
    if (runId === undefined || stepId === undefined) continue;
    const snapshotId = update.snapshot.snapshotId;
    const refs = updates.flatMap((u) => (u.action === 'set-snapshot-ref' && u.ref.snapshotId === snapshotId ? [u.refName] : []));
    for (const branch of refs.length === 0 ? ['main'] : refs) {
      const earlier = findStepCommit(base, { runId, stepId }, branch);
      if (!earlier) continue;
      throw new StrataError(
        'VALIDATION_FAILED',
        `Step ${stepId} of run ${runId} already committed snapshot ${earlier.snapshotId} to ${branch}; a second commit of the same step is refused (exactly-once)`,
        { runId, stepId, branch, snapshotId: String(earlier.snapshotId), duplicate: true },
      );
    }
  }
}
