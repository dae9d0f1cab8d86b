/**
 * Data-usage budgets: bytes scanned per workgroup over the last hour and the last 24 hours.
 *
 * The ledger lives in memory and is seeded from `system.query_history` when the service starts,
 * so a restart does not reset a spent budget. Several servers sharing one catalog each count only
 * their own queries since they started (plus what the history held at start) — a known limit.
 */
import { StrataError } from '../../core/index.ts';
import type { Workgroup } from './workgroup.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Entry {
  readonly at: number;
  readonly bytes: number;
}

export class UsageLedger {
  readonly #entries = new Map<string, Entry[]>();

  /** Records `bytes` scanned by a query of `workgroup` that finished at `at`. */
  record(workgroup: string, at: number, bytes: number): void {
    if (bytes <= 0) return;
    const list = this.#entries.get(workgroup) ?? [];
    list.push({ at, bytes });
    this.#entries.set(workgroup, list);
  }

  /** Bytes scanned by `workgroup` in `(now - windowMs, now]`. */
  used(workgroup: string, windowMs: number, now: number): number {
    return this.#window(workgroup, windowMs, now).reduce((sum, e) => sum + e.bytes, 0);
  }

  /** Throws QUOTA_EXCEEDED when the hourly or daily budget is spent, saying when it frees up. */
  check(workgroup: Workgroup, now: number): void {
    this.#forget(workgroup.name, now);
    for (const [window, windowMs, budget] of [
      ['hour', HOUR, workgroup.budgetBytesPerHour],
      ['day', DAY, workgroup.budgetBytesPerDay],
    ] as const) {
      if (budget === null) continue;
      const entries = this.#window(workgroup.name, windowMs, now).sort((a, b) => a.at - b.at);
      let used = entries.reduce((sum, e) => sum + e.bytes, 0);
      if (used < budget) continue;
      const spent = used;
      // Frees up once enough of the oldest usage leaves the window to go below the budget.
      let freesAt = now;
      for (const entry of entries) {
        used -= entry.bytes;
        freesAt = entry.at + windowMs;
        if (used < budget) break;
      }
      throw new StrataError(
        'QUOTA_EXCEEDED',
        `Workgroup ${workgroup.name} has spent its data-usage budget for the ${window} (${spent} of ${budget} bytes scanned); it frees up at ${new Date(freesAt).toISOString()}. ` +
          'Wait until then, use another workgroup, or ask an administrator to raise the budget',
        { workgroup: workgroup.name, window, usedBytes: spent, budgetBytes: budget, freesAt: new Date(freesAt).toISOString(), retryAfterMs: Math.max(0, freesAt - now) },
      );
    }
  }

  #window(workgroup: string, windowMs: number, now: number): Entry[] {
    return (this.#entries.get(workgroup) ?? []).filter((e) => e.at > now - windowMs && e.at <= now);
  }

  #forget(workgroup: string, now: number): void {
    const list = this.#entries.get(workgroup);
    if (list) this.#entries.set(workgroup, list.filter((e) => e.at > now - DAY));
  }
}
