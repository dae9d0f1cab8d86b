/**
 * Governance migration 0003: the hash-chained audit log, one row per record.
 *
 * `seq` is the primary key on purpose: it is what keeps concurrent appenders (several processes on
 * one catalog file) from forking the chain — two writers that read the same head both try to
 * insert `head + 1`, and exactly one wins. List-valued fields are JSON arrays in text columns so
 * the table stays dialect-neutral; the `table` filter matches them with `LIKE`.
 */
import type { Kysely, Migration } from 'kysely';

export const AUDIT_TABLE = 'strata_audit_log';

export const AUDIT_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable(AUDIT_TABLE)
      .addColumn('seq', 'bigint', (col) => col.primaryKey())
      .addColumn('at', 'bigint', (col) => col.notNull())
      .addColumn('principal', 'text', (col) => col.notNull())
      .addColumn('acting_as', 'text')
      .addColumn('action', 'text', (col) => col.notNull())
      .addColumn('decision', 'text', (col) => col.notNull())
      .addColumn('statement_hash', 'text', (col) => col.notNull())
      .addColumn('statement', 'text')
      .addColumn('query_id', 'text')
      .addColumn('tables_json', 'text')
      .addColumn('columns_json', 'text')
      .addColumn('policies_json', 'text')
      .addColumn('row_count', 'bigint')
      .addColumn('reason', 'text')
      .addColumn('prev_hash', 'text', (col) => col.notNull())
      .addColumn('hash', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('strata_audit_log_principal_idx').on(AUDIT_TABLE).columns(['principal', 'seq']).execute();
    await db.schema.createIndex('strata_audit_log_at_idx').on(AUDIT_TABLE).column('at').execute();
    await db.schema.createIndex('strata_audit_log_query_idx').on(AUDIT_TABLE).column('query_id').execute();
  },
};
