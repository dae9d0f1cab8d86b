/**
 * Write-audit-publish on Iceberg branches. A gated step writes to its own branch
 * (`wap-<run>-<step>`), its rules are evaluated on that branch, and main fast-forwards to the
 * branch only when they pass — so readers of main never see unvalidated data. A pipeline with a
 * publish step stages its tables on one branch per run (`run-<run>`) instead, and the publish step
 * fast-forwards them together.
 *
 * A failed gate leaves its branch in place, so the rejected data can be inspected
 * (`SELECT … FROM db.t FOR VERSION AS OF 'wap-…'`); a retry or redrive starts a fresh branch.
 */
import { StrataError } from '../../core/index.ts';
import type { Table } from '../../table/index.ts';

export function wapBranch(runId: string, stepId: string): string {
  return `wap-${runId}-${stepId}`;
}

export function runBranch(runId: string): string {
  return `run-${runId}`;
}

/**
 * Makes `branch` exist, starting at main's head. `fresh` drops an existing branch first (what an
 * earlier attempt left there was never published). A table without any snapshot gets an empty
 * one on main first: a branch needs a snapshot to start from, and an empty table shows nothing.
 */
export async function openBranch(table: Table, branch: string, options: { readonly fresh: boolean }): Promise<void> {
  let metadata = await table.refresh();
  if (metadata.refs['main'] === undefined) {
    await table.appendFiles([], { summary: { 'strata.wap-base': 'true' } });
    metadata = await table.refresh();
  }
  if (metadata.refs[branch] !== undefined) {
    if (!options.fresh) return;
    await table.refs.removeBranch(branch);
  }
  await table.refs.createBranch(branch, metadata.refs['main']?.snapshotId);
}

/** Main fast-forwards to the branch's head; the branch is removed. */
export async function publishBranch(table: Table, branch: string): Promise<bigint | undefined> {
  const metadata = await table.refresh();
  if (metadata.refs[branch] === undefined) return metadata.refs['main']?.snapshotId;
  try {
    await table.refs.fastForward('main', branch);
  } catch (error) {
    // Main moved while the step was auditing: retry the step on a fresh branch from the new head.
    if (!StrataError.is(error, 'VALIDATION_FAILED')) throw error;
    throw new StrataError('COMMIT_CONFLICT', `${table.name} changed on main while ${branch} was audited; the step retries on a fresh branch`, { branch }, { cause: error });
  }
  await table.refs.removeBranch(branch);
  return (await table.refresh()).refs['main']?.snapshotId;
}

/** Removes `branch` when it exists (a redrive starting over). */
export async function dropBranch(table: Table, branch: string): Promise<void> {
  if ((await table.refresh()).refs[branch] !== undefined) await table.refs.removeBranch(branch);
}
