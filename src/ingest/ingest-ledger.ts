/**
 * Which input files were ingested before, so re-ingesting the same content is skipped.
 *
 * The record lives in the snapshot summaries of the tables themselves, committed atomically with
 * the rows: every ingest run's append snapshot on the data table carries
 * `strata.ingest.files` = JSON `[{"path", "sha256", "size"}, …]` and `strata.ingest.run`. When a
 * run has no data table to commit to (no schema could be inferred because every record was bad),
 * the quarantine table's snapshot carries the list instead. A file is "already ingested" when its
 * SHA-256 appears in any snapshot of either table — under any path.
 *
 * Gotchas: expiring old snapshots forgets their files (they would be ingested again), and the list
 * grows the metadata by about 150 bytes per file, so prefer fewer, larger files.
 */
import type { Table } from '../table/index.ts';

export const FILES_KEY = 'strata.ingest.files';
export const RUN_KEY = 'strata.ingest.run';

export interface LedgerEntry {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** sha256 → the path it was first ingested under. */
export function ingestedFiles(tables: readonly (Table | undefined)[]): Map<string, string> {
  const seen = new Map<string, string>();
  for (const table of tables) {
    for (const snapshot of table?.snapshots() ?? []) {
      const text = snapshot.summary[FILES_KEY];
      if (text === undefined) continue;
      try {
        for (const entry of JSON.parse(text) as LedgerEntry[]) if (!seen.has(entry.sha256)) seen.set(entry.sha256, entry.path);
      } catch {
        // a summary written by someone else; not ours to interpret
      }
    }
  }
  return seen;
}

export function ledgerSummary(run: string, entries: readonly LedgerEntry[]): Record<string, string> {
  return { [RUN_KEY]: run, [FILES_KEY]: JSON.stringify(entries) };
}
