/**
 * The audit table's row type as Kysely sees it. The DDL lives in `audit-migration.ts`; change
 * both together, and only by adding a migration.
 *
 * Gotcha: `bigint` columns come back as numbers from SQLite but as strings from node-postgres;
 * readers go through `Number(...)`.
 */
import type { ColumnType } from 'kysely';

type Int64 = ColumnType<number | string, number, number>;
type NullableInt64 = ColumnType<number | string | null, number | null, number | null>;

export interface AuditRow {
  seq: Int64;
  at: Int64;
  principal: string;
  acting_as: string | null;
  action: string;
  decision: string;
  statement_hash: string;
  statement: string | null;
  query_id: string | null;
  /** JSON array of strings, or NULL when the event named none. */
  tables_json: string | null;
  columns_json: string | null;
  policies_json: string | null;
  row_count: NullableInt64;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditDatabase {
  strata_audit_log: AuditRow;
}
