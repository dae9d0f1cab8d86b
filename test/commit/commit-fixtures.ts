/**
 * Shared setup and invariant checks for the commit-path tests: a throwaway Strata home with one
 * table partitioned by `part`, id-range sources (each writer writes ids nobody else writes, so a
 * lost or duplicated row shows up as a set difference), and the history checks every concurrency
 * test ends with.
 *
 * Gotcha: `getRowObjectsJson` renders longs as strings, so ids are read back as numbers here.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import {
  COMMIT_MIN_WAIT_MS,
  COMMIT_MAX_WAIT_MS,
  Types,
  ancestorsOf,
  field,
  type Snapshot,
  type Table,
  type TableMetadata,
} from '../../src/table/index.ts';

export const TABLE = 'db.events';

export const FIELDS = [
  field(1, 'id', Types.long, true),
  field(2, 'part', Types.string, true),
  field(3, 'writer', Types.string, false),
];

/** Low retry waits: contention is the point of these tests, sleeping is not. */
export const FAST_RETRY = { [COMMIT_MIN_WAIT_MS]: '1', [COMMIT_MAX_WAIT_MS]: '50', 'commit.retry.num-retries': '100' };

export async function tempHomeDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `strata-commit-${label}-`));
}

/** A new home with `db.events` (partitioned by identity(part)); the caller closes it, which deletes it. */
export async function homeWithTable(label: string, properties: Record<string, string> = {}): Promise<StrataHome> {
  const dir = await tempHomeDir(label);
  const opened = await openStrataHome(dir);
  const home: StrataHome = {
    ...opened,
    close: async () => {
      await opened.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await home.catalog.createNamespace(['db']);
  await home.catalog.createTable(TABLE, FIELDS, {
    partitionBy: [{ source: 'part', transform: 'identity' }],
    properties: { ...FAST_RETRY, ...properties },
  });
  return home;
}

/** A DuckDB source of ids [start, start + count) in one partition. */
export function idSource(start: number, count: number, part: string, writer: string): { sql: string } {
  return {
    sql: `SELECT range::BIGINT AS id, '${part}' AS part, '${writer}' AS writer FROM range(${start}, ${start + count})`,
  };
}

export function idRange(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

/** Sorted ids of a scan (current snapshot unless options say otherwise). */
export async function readIds(table: Table, options: Parameters<Table['read']>[0] = {}): Promise<number[]> {
  const rows = await table.read(options);
  return rows.map((r) => Number(r['id'])).sort((a, b) => a - b);
}

export function sorted(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

/**
 * The history of main is one linear chain holding every snapshot: parents link each snapshot to
 * the one committed before it, sequence numbers strictly increase, and the snapshot log agrees.
 * Returns the chain oldest first.
 */
export function assertLinearHistory(meta: TableMetadata, expectedSnapshots: number): Snapshot[] {
  const chain = [...ancestorsOf(meta, meta.currentSnapshotId ?? undefined)].reverse();
  assert.equal(meta.snapshots.length, expectedSnapshots, 'one snapshot per successful commit');
  assert.equal(chain.length, expectedSnapshots, 'every snapshot is an ancestor of main (no lost branch of history)');
  assert.equal(chain[0]?.parentSnapshotId, undefined, 'the first snapshot has no parent');
  for (let i = 1; i < chain.length; i++) {
    const [prev, cur] = [chain[i - 1]!, chain[i]!];
    assert.equal(cur.parentSnapshotId, prev.snapshotId, `snapshot ${cur.snapshotId} continues ${prev.snapshotId}`);
    assert.ok(cur.sequenceNumber > prev.sequenceNumber, 'sequence numbers strictly increase along the chain');
  }
  assert.equal(meta.lastSequenceNumber, chain.at(-1)?.sequenceNumber ?? 0n, 'last-sequence-number is the head’s');
  assert.equal(new Set(meta.snapshots.map((s) => s.snapshotId)).size, expectedSnapshots, 'snapshot ids are unique');
  assert.deepEqual(
    meta.snapshotLog.map((e) => e.snapshotId),
    chain.map((s) => s.snapshotId),
    'the snapshot log lists the chain in commit order',
  );
  return chain;
}

/**
 * Each snapshot's totals continue its parent's (total = parent total + added − deleted), and the
 * head's totals match what a scan actually plans and reads.
 */
export async function assertSummaryTotals(table: Table, chain: readonly Snapshot[], rowCount: number): Promise<void> {
  let records = 0;
  let files = 0;
  for (const s of chain) {
    const n = (key: string) => Number(s.summary[key] ?? '0');
    records += n('added-records') - n('deleted-records');
    files += n('added-data-files') - n('deleted-data-files');
    assert.equal(n('total-records'), records, `total-records of snapshot ${s.snapshotId}`);
    assert.equal(n('total-data-files'), files, `total-data-files of snapshot ${s.snapshotId}`);
  }
  assert.equal(records, rowCount, 'the head’s total-records equals the rows read');
  const plan = await table.scan().planFiles();
  assert.equal(plan.stats.filesPlanned, files, 'the head’s total-data-files equals the files planned');
  assert.equal(plan.stats.recordsPlanned, rowCount, 'manifest record counts equal the rows read');
}
