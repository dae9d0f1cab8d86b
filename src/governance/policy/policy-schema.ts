/**
 * Row types of governance's policy tables, as Kysely sees them. The DDL lives in
 * `policy-migration.ts`; change both together, and only by adding a migration.
 *
 * Gotcha: `bigint` columns come back as numbers from SQLite but as strings from node-postgres, and
 * flags are 0/1 integers so both backends agree; readers go through `Number(...)`. Parts of a
 * securable or target that do not apply are `''` (see the migration for why not NULL).
 */
import type { ColumnType } from 'kysely';
import type { IdentityDatabase } from '../identity/identity-schema.ts';

type Millis = ColumnType<number | string, number, number>;
type Flag = ColumnType<number, number, number>;
type Defaulted = ColumnType<string, string | undefined, string>;

export interface GrantRow {
  /** `g_` + 12 hex characters, random. */
  id: string;
  /** Canonical JSON of (privilege, securable, grantee): one row per triple. */
  grant_key: string;
  privilege: string;
  /** `catalog`, `database`, `table`, `column` or `tags`. */
  securable_kind: string;
  database_name: Defaulted;
  table_name: Defaulted;
  column_name: Defaulted;
  /** JSON of the `TagExpression` for `tags` securables. */
  tag_expression: Defaulted;
  grantee_principal: string | null;
  grantee_group: string | null;
  grantee_role: string | null;
  with_grant_option: Flag;
  granted_by: string;
  created_at: Millis;
}

export interface TagKeyRow {
  tag_key: string;
  /** JSON array of strings. */
  allowed_values: string;
  description: string;
  created_at: Millis;
}

export interface TagAssignmentRow {
  /** `database`, `table` or `column`. */
  target_kind: string;
  database_name: string;
  table_name: string;
  column_name: string;
  tag_key: string;
  tag_value: string;
}

export interface MaskRow {
  name: string;
  /** JSON of the normalised `MaskFunction`. */
  mask_function: string;
  /** JSON array of grantees. */
  exempt: string;
  hash_key: string;
  created_at: Millis;
}

export interface MaskTargetRow {
  mask_name: string;
  /** `column` or `tags`. */
  target_kind: string;
  database_name: string;
  table_name: string;
  column_name: string;
  tag_expression: string;
}

export interface RowFilterRow {
  name: string;
  /** `table` or `tags`. */
  target_kind: string;
  database_name: string;
  table_name: string;
  tag_expression: string;
  predicate: string;
  applies_to: string;
  exempt: string;
  created_at: Millis;
}

export interface PolicyDatabase extends IdentityDatabase {
  strata_grant: GrantRow;
  strata_tag_key: TagKeyRow;
  strata_tag_assignment: TagAssignmentRow;
  strata_mask: MaskRow;
  strata_mask_target: MaskTargetRow;
  strata_row_filter: RowFilterRow;
}
