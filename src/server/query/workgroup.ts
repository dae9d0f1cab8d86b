/**
 * A workgroup: where a query runs and under which limits — Athena's workgroups. Every query names
 * one (`primary` when it names none); a principal may use `primary` and any workgroup it, one of
 * its groups or one of its roles was granted USE on (administrators use all).
 *
 * Limits (`null` = none):
 * - `scanCapBytes`: a query planned to read more (after partition and file pruning) is refused
 *   before it runs (SCAN_LIMIT_EXCEEDED).
 * - `timeoutMs`: a query running longer is cancelled (QUERY_TIMEOUT); queued time does not count.
 * - `concurrency`: queries running at once; the rest wait in a fair queue.
 * - `budgetBytesPerHour` / `budgetBytesPerDay`: bytes scanned by the workgroup's queries in the
 *   last hour / 24 hours; once spent, new queries are refused (QUOTA_EXCEEDED) until it frees up.
 */
import { StrataError } from '../../core/index.ts';
import type { Grantee } from '../../governance/index.ts';

/** Where a workgroup's queries run: the embedded engine, or the Spark cluster the server was given. */
export const WORKGROUP_ENGINES = ['duckdb', 'spark'] as const;
export type WorkgroupEngine = (typeof WORKGROUP_ENGINES)[number];

export interface Workgroup {
  readonly name: string;
  readonly engine: WorkgroupEngine;
  readonly description: string;
  readonly scanCapBytes: number | null;
  readonly timeoutMs: number | null;
  readonly concurrency: number;
  readonly budgetBytesPerHour: number | null;
  readonly budgetBytesPerDay: number | null;
  readonly createdAt: number;
}

/** What a caller may set when creating or changing a workgroup. */
export interface WorkgroupSettings {
  readonly engine?: WorkgroupEngine;
  readonly description?: string;
  readonly scanCapBytes?: number | null;
  readonly timeoutMs?: number | null;
  readonly concurrency?: number;
  readonly budgetBytesPerHour?: number | null;
  readonly budgetBytesPerDay?: number | null;
}

export type WorkgroupGrantee = Grantee;

export const DEFAULT_CONCURRENCY = 4;
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export function validateWorkgroupName(name: string): void {
  if (!NAME.test(name)) {
    throw new StrataError('INVALID_ARGUMENT', `Workgroup name ${JSON.stringify(name)} is invalid: use 1-63 lowercase letters, digits, _ or -, starting with a letter`, {
      workgroup: name,
    });
  }
}

/** Checks limits: whole positive numbers (or null where "none" is allowed). */
export function validateSettings(settings: WorkgroupSettings): void {
  const positive = (key: keyof WorkgroupSettings, value: number | null | undefined, nullable: boolean): void => {
    if (value === undefined || (value === null && nullable)) return;
    if (value === null || !Number.isSafeInteger(value) || value < 1) {
      throw new StrataError('INVALID_ARGUMENT', `${key} must be a whole number of at least 1${nullable ? ', or null for none' : ''}`, { [key]: value });
    }
  };
  positive('scanCapBytes', settings.scanCapBytes, true);
  positive('timeoutMs', settings.timeoutMs, true);
  positive('concurrency', settings.concurrency, false);
  positive('budgetBytesPerHour', settings.budgetBytesPerHour, true);
  positive('budgetBytesPerDay', settings.budgetBytesPerDay, true);
  if (settings.engine !== undefined && !(WORKGROUP_ENGINES as readonly string[]).includes(settings.engine)) {
    throw new StrataError('INVALID_ARGUMENT', `engine must be one of ${WORKGROUP_ENGINES.join(', ')}`, { engine: settings.engine });
  }
}
