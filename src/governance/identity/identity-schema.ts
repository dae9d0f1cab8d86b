/**
 * Row types of governance's identity tables, as Kysely sees them. The DDL lives in
 * `migrations.ts`; change both together, and only by adding a migration.
 *
 * Gotcha: `bigint` columns come back as numbers from SQLite but as strings from node-postgres, and
 * booleans are stored as 0/1 integers so both backends agree; readers go through `Number(...)`.
 */
import type { ColumnType } from 'kysely';

type Millis = ColumnType<number | string, number, number>;
type Flag = ColumnType<number, number, number>;

export interface PrincipalRow {
  name: string;
  /** `user` or `service`. */
  kind: string;
  /** Sorted JSON object of strings. */
  attributes: string;
  disabled: Flag;
  created_at: Millis;
}

export interface GroupRow {
  name: string;
  created_at: Millis;
}

export interface GroupMemberRow {
  group_name: string;
  principal: string;
}

export interface RoleRow {
  name: string;
  /** 1 when holders of this role may do anything (the bootstrap `admin` role). */
  administrator: Flag;
  created_at: Millis;
}

/** A role granted directly to a principal. */
export interface RolePrincipalRow {
  role: string;
  principal: string;
}

/** A role granted to a group, and so to each of its members. */
export interface RoleGroupRow {
  role: string;
  group_name: string;
}

export interface ApiTokenRow {
  id: string;
  principal: string;
  /** Hex SHA-256 of the whole token; the token itself is never stored. */
  token_hash: string;
  description: string;
  created_at: Millis;
  expires_at: ColumnType<number | string | null, number | null, number | null>;
  revoked_at: ColumnType<number | string | null, number | null, number | null>;
}

export interface IdentityDatabase {
  strata_principal: PrincipalRow;
  strata_group: GroupRow;
  strata_group_member: GroupMemberRow;
  strata_role: RoleRow;
  strata_role_principal: RolePrincipalRow;
  strata_role_group: RoleGroupRow;
  strata_api_token: ApiTokenRow;
}
