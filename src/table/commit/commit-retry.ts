/**
 * The optimistic-concurrency loop every table change goes through:
 *
 *   read latest metadata → derive the change from it → check its requirements → apply → swap
 *
 * A swap that loses the race (another writer committed first) re-reads and re-derives the change
 * from the new latest metadata, so the other writer's commit is kept; a requirement that no longer
 * holds (e.g. the schema changed under a schema update) is a real conflict and fails at once.
 * Waits between attempts use exponential backoff with full jitter. Settings use Iceberg's property
 * names; Strata's defaults allow more retries because embedded writers commit often and fast.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { emitCommitEvent } from './commit-events.ts';
import { StrataError, messageOf } from '../../core/index.ts';
import { applyUpdates, checkRequirements } from '../metadata/metadata-builder.ts';
import type { TableChange } from '../metadata/metadata-update.ts';
import type { TableMetadata } from '../metadata/table-metadata.ts';
import type { TableOperations } from './table-operations.ts';

export const COMMIT_NUM_RETRIES = 'commit.retry.num-retries';
export const COMMIT_MIN_WAIT_MS = 'commit.retry.min-wait-ms';
export const COMMIT_MAX_WAIT_MS = 'commit.retry.max-wait-ms';

const DEFAULTS = { [COMMIT_NUM_RETRIES]: 20, [COMMIT_MIN_WAIT_MS]: 5, [COMMIT_MAX_WAIT_MS]: 2000 };

export interface CommitAttempt {
  /** The latest metadata this attempt builds on. */
  readonly base: TableMetadata;
  /** 0 for the first try, then 1, 2, ... */
  readonly attempt: number;
}

export interface Committer {
  /** Derive the change from the latest metadata; called once per attempt. */
  build(attempt: CommitAttempt): Promise<TableChange>;
  /** Called after a lost race, before the next attempt, to delete what the failed attempt wrote. */
  cleanupAttempt?(attempt: number): Promise<void>;
  /**
   * Called when the commit has definitely failed (it will never be committed), to delete every file
   * written for it. Never called when the outcome is unknown (the pointer swap itself failed).
   */
  cleanupAll?(): Promise<void>;
}

/** Commit with retries; returns the metadata that was committed. */
export async function commitWithRetry(ops: TableOperations, committer: Committer): Promise<TableMetadata> {
  let base = ops.current() ?? (await ops.refresh());
  const setting = (key: keyof typeof DEFAULTS) => {
    const raw = base.properties[key];
    const value = raw === undefined ? NaN : Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : DEFAULTS[key];
  };
  const retries = setting(COMMIT_NUM_RETRIES);
  const tableUuid = base.tableUuid;
  for (let attempt = 0; ; attempt++) {
    let next: TableMetadata;
    try {
      if (base.tableUuid !== tableUuid) {
        throw new StrataError(
          'COMMIT_CONFLICT',
          `Table ${ops.name} was dropped and re-created while this commit was retrying; nothing was committed to the new table`,
          { expectedUuid: tableUuid, actualUuid: base.tableUuid },
        );
      }
      const change = await committer.build({ base, attempt });
      checkRequirements(base, change.requirements);
      next = applyUpdates(base, change.updates, baseLocationOption(ops));
    } catch (error) {
      await committer.cleanupAll?.();
      throw error;
    }
    try {
      await ops.commit(base, next);
      emitCommitEvent({ kind: 'committed', table: ops.name, attempts: attempt + 1 });
      return next;
    } catch (error) {
      if (StrataError.is(error, 'TABLE_NOT_FOUND')) {
        await committer.cleanupAll?.();
        emitCommitEvent({ kind: 'failed', table: ops.name, code: 'TABLE_NOT_FOUND' });
        throw error;
      }
      // Any other failure than a lost race leaves the outcome unknown: keep every file, since the
      // new metadata may reference them, and say so.
      if (!StrataError.is(error, 'COMMIT_CONFLICT')) {
        emitCommitEvent({ kind: 'failed', table: ops.name, code: 'COMMIT_STATE_UNKNOWN' });
        throw commitStateUnknown(ops, error);
      }
      emitCommitEvent({ kind: 'conflict', table: ops.name, attempt });
      await committer.cleanupAttempt?.(attempt);
      if (attempt >= retries) {
        emitCommitEvent({ kind: 'failed', table: ops.name, code: 'COMMIT_FAILED' });
        await committer.cleanupAll?.();
        throw new StrataError(
          'COMMIT_FAILED',
          `Commit to ${ops.name} failed after ${attempt + 1} attempts because other writers kept committing first; ` +
            `retry later or raise the table property ${COMMIT_NUM_RETRIES}`,
          { attempts: attempt + 1 },
          { cause: error },
        );
      }
      const ceiling = Math.min(setting(COMMIT_MAX_WAIT_MS), setting(COMMIT_MIN_WAIT_MS) * 2 ** attempt);
      await sleep(Math.random() * ceiling);
      base = await ops.refresh();
    }
  }
}

function commitStateUnknown(ops: TableOperations, error: unknown): StrataError {
  return new StrataError(
    'COMMIT_STATE_UNKNOWN',
    `The commit to ${ops.name} may or may not have landed: ${messageOf(error)}. Refresh the table and check its ` +
      `latest snapshot before retrying; no file of this commit was deleted.`,
    {},
    { cause: error },
  );
}

function baseLocationOption(ops: TableOperations): { baseLocation?: string } {
  const location = ops.currentLocation();
  return location === undefined ? {} : { baseLocation: location };
}
