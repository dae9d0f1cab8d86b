/**
 * Branches and tags (write-audit-publish builds on them): create, remove, fast-forward, roll back.
 * Each function derives a metadata change from the latest metadata; `Table.manageSnapshots`
 * commits it through the retry loop.
 */
import { StrataError } from '../../core/index.ts';
import type { TableChange } from '../metadata/metadata-update.ts';
import { MAIN_BRANCH, type SnapshotRef } from '../metadata/snapshot.ts';
import { ancestorsOf, snapshotById, type TableMetadata } from '../metadata/table-metadata.ts';

export interface RefRetention {
  readonly minSnapshotsToKeep?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly maxRefAgeMs?: number;
}

function headOf(meta: TableMetadata, name: string): bigint {
  const ref = meta.refs[name];
  if (!ref) throw new StrataError('REF_NOT_FOUND', `Table has no branch or tag named "${name}"`, { ref: name });
  return ref.snapshotId;
}

function defaultSnapshot(meta: TableMetadata, snapshotId: bigint | undefined, what: string): bigint {
  const id = snapshotId ?? meta.currentSnapshotId;
  if (id === null) throw new StrataError('SNAPSHOT_NOT_FOUND', `Cannot create ${what}: the table has no snapshot yet; commit data first`);
  snapshotById(meta, id);
  return id;
}

function createRef(meta: TableMetadata, name: string, ref: SnapshotRef): TableChange {
  if (meta.refs[name]) {
    throw new StrataError('INVALID_ARGUMENT', `A ${meta.refs[name]?.type} named "${name}" already exists`, { ref: name });
  }
  if (!name || /\s/.test(name)) throw new StrataError('INVALID_ARGUMENT', `"${name}" is not a valid branch or tag name`);
  return {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: name, snapshotId: null }],
    updates: [{ action: 'set-snapshot-ref', refName: name, ref }],
  };
}

export function createBranch(meta: TableMetadata, name: string, snapshotId?: bigint, retention: RefRetention = {}): TableChange {
  return createRef(meta, name, { ...retention, snapshotId: defaultSnapshot(meta, snapshotId, `branch ${name}`), type: 'branch' });
}

export function createTag(meta: TableMetadata, name: string, snapshotId?: bigint, retention: RefRetention = {}): TableChange {
  const { maxRefAgeMs } = retention;
  return createRef(meta, name, {
    snapshotId: defaultSnapshot(meta, snapshotId, `tag ${name}`),
    type: 'tag',
    ...(maxRefAgeMs !== undefined ? { maxRefAgeMs } : {}),
  });
}

export function removeRef(meta: TableMetadata, name: string, type: 'branch' | 'tag'): TableChange {
  if (name === MAIN_BRANCH) throw new StrataError('INVALID_ARGUMENT', 'The main branch cannot be removed');
  const ref = meta.refs[name];
  if (!ref || ref.type !== type) throw new StrataError('REF_NOT_FOUND', `Table has no ${type} named "${name}"`, { ref: name });
  return {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: name, snapshotId: ref.snapshotId }],
    updates: [{ action: 'remove-snapshot-ref', refName: name }],
  };
}

/** Point `branch` at `snapshotId` (any snapshot); the branch is created if missing. */
export function setBranchSnapshot(meta: TableMetadata, branch: string, snapshotId: bigint): TableChange {
  snapshotById(meta, snapshotId);
  const previous = meta.refs[branch];
  if (previous && previous.type !== 'branch') throw new StrataError('INVALID_ARGUMENT', `"${branch}" is a tag, not a branch`);
  return {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: branch, snapshotId: previous?.snapshotId ?? null }],
    updates: [{ action: 'set-snapshot-ref', refName: branch, ref: { ...(previous ?? {}), snapshotId, type: 'branch' } }],
  };
}

/**
 * Move `branch` forward to the head of `to` (a branch or tag). Only allowed when the branch's
 * head is an ancestor of the target, so no commit on `branch` is lost — write-audit-publish's
 * "publish" step.
 */
export function fastForward(meta: TableMetadata, branch: string, to: string): TableChange {
  const target = headOf(meta, to);
  const current = meta.refs[branch]?.snapshotId;
  if (current !== undefined && !ancestorsOf(meta, target).some((s) => s.snapshotId === current)) {
    throw new StrataError(
      'VALIDATION_FAILED',
      `Cannot fast-forward ${branch} to ${to}: ${branch} has commits that ${to} does not; merge or replace the branch instead`,
      { branch, to },
    );
  }
  return setBranchSnapshot(meta, branch, target);
}

/** Roll main (or a branch) back to an ancestor of its current head. */
export function rollbackTo(meta: TableMetadata, snapshotId: bigint, branch = MAIN_BRANCH): TableChange {
  const head = headOf(meta, branch);
  if (!ancestorsOf(meta, head).some((s) => s.snapshotId === snapshotId)) {
    throw new StrataError(
      'VALIDATION_FAILED',
      `Snapshot ${snapshotId} is not an ancestor of ${branch}; use setCurrentSnapshot to jump to an unrelated snapshot`,
      { snapshotId: snapshotId.toString() },
    );
  }
  return setBranchSnapshot(meta, branch, snapshotId);
}
