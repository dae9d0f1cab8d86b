/**
 * The audit log as a governed table: `system.audit_log`, an Iceberg table in the lake's system
 * zone that mirrors the hash-chained log of the catalog database. Being an ordinary Strata table,
 * it is read with SQL and governed like any other: nobody but administrators reads it until they
 * are granted SELECT, and a row filter such as `principal = current_principal()` lets everyone see
 * their own records.
 *
 * The catalog database stays the record of truth (and what `strata audit verify` checks); the
 * mirror catches up on demand (`syncAuditTable`), appending the records after the last one it
 * holds. Exactly once: each mirror commit carries `strata.audit.last-seq` in its snapshot summary,
 * and a commit that finds the table moved on by another mirror gives up and starts over from the
 * new last seq, so concurrent syncs never append a record twice.
 */
import { StrataError } from '../../core/index.ts';
import { ensureTable, type Catalog } from '../../catalog/index.ts';
import { Types, field, type Table, type TableMetadata } from '../../table/index.ts';
import type { AuditLog } from './audit-log.ts';

export const AUDIT_DATABASE = 'system';
export const AUDIT_TABLE_NAME = 'audit_log';
export const AUDIT_TABLE_ID = `${AUDIT_DATABASE}.${AUDIT_TABLE_NAME}`;
const LAST_SEQ = 'strata.audit.last-seq';
const BATCH = 5_000;

const FIELDS = [
  field(1, 'seq', Types.long, true),
  field(2, 'at', Types.timestamptz, true),
  field(3, 'principal', Types.string, true),
  field(4, 'acting_as', Types.string),
  field(5, 'action', Types.string, true),
  field(6, 'decision', Types.string, true),
  field(7, 'statement_hash', Types.string, true),
  field(8, 'statement', Types.string),
  field(9, 'query_id', Types.string),
  field(10, 'tables', Types.string),
  field(11, 'columns', Types.string),
  field(12, 'policies', Types.string),
  field(13, 'rows', Types.long),
  field(14, 'reason', Types.string),
  field(15, 'prev_hash', Types.string, true),
  field(16, 'hash', Types.string, true),
];

/** Creates `system.audit_log` (and the `system` database) if missing, and returns it. */
export async function ensureAuditTable(catalog: Catalog): Promise<Table> {
  return ensureTable(catalog, AUDIT_TABLE_ID, FIELDS, { zone: 'system', partitionBy: [{ source: 'at', transform: 'day' }] });
}

/** Appends every audit record the mirror does not hold yet; returns how many it appended. */
export async function syncAuditTable(catalog: Catalog, audit: AuditLog): Promise<number> {
  let appended = 0;
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const table = await ensureAuditTable(catalog);
    await table.refresh();
    const last = lastSeqOf(table.metadata());
    const records = await audit.query({ afterSeq: last, limit: BATCH });
    if (records.length === 0) return appended;
    const newest = records[records.length - 1]?.seq ?? last;
    try {
      await table.append(
        {
          rows: records.map((r) => ({
            seq: BigInt(r.seq),
            at: new Date(r.at),
            principal: r.principal,
            acting_as: r.actingAs ?? null,
            action: r.action,
            decision: r.decision,
            statement_hash: r.statementHash,
            statement: r.statement ?? null,
            query_id: r.queryId ?? null,
            tables: r.tables?.join(',') ?? null,
            columns: r.columns?.join(',') ?? null,
            policies: r.policies?.join(',') ?? null,
            rows: r.rows === undefined ? null : BigInt(r.rows),
            reason: r.reason ?? null,
            prev_hash: r.prevHash,
            hash: r.hash,
          })),
        },
        {
          summary: { [LAST_SEQ]: String(newest) },
          validate: async (base) => {
            if (lastSeqOf(base) !== last) throw new StrataError('COMMIT_CONFLICT', 'Another process mirrored audit records first', { auditMirror: true });
            return Promise.resolve();
          },
        },
      );
      appended += records.length;
    } catch (error) {
      if (!(StrataError.is(error, 'COMMIT_CONFLICT') && error.details['auditMirror'] === true)) throw error;
    }
  }
  throw new StrataError('COMMIT_FAILED', `Could not bring ${AUDIT_TABLE_ID} up to date: other processes kept mirroring first`);
}

function lastSeqOf(meta: TableMetadata): number {
  const current = meta.snapshots.find((s) => s.snapshotId === meta.currentSnapshotId);
  return Number(current?.summary[LAST_SEQ] ?? 0);
}
