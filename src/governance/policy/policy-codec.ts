/**
 * How policy objects map to rows and back, and the one ordering every list and snapshot uses.
 *
 * Parts that do not apply are `''` in rows (see policy-migration.ts). Tag expressions are stored as
 * `JSON.stringify` of the normalised tree, whose key order is fixed by the normalisers, so equal
 * expressions are equal text and can sit inside unique keys.
 *
 * Ordering is code-unit order computed here, not `ORDER BY`, so it is identical whatever the
 * database's collation: two snapshots of the same policies are deep-equal on every backend.
 */
import type { Selectable } from 'kysely';
import { PRIVILEGES, type Grant, type Grantee, type MaskTarget, type Privilege, type RowFilterTarget, type Securable, type TagExpression, type TagTarget } from '../model.ts';
import type { GrantRow, MaskTargetRow, TagAssignmentRow } from './policy-schema.ts';

export interface ObjectColumns {
  readonly database_name: string;
  readonly table_name: string;
  readonly column_name: string;
  readonly tag_expression: string;
}

export function securableColumns(securable: Securable): ObjectColumns & { readonly securable_kind: string } {
  return { securable_kind: securable.kind, ...objectColumns(securable) };
}

/** The row columns of any securable-, tag-target-, mask-target- or row-filter-target-shaped value. */
export function objectColumns(target: Securable | TagTarget | MaskTarget | RowFilterTarget): ObjectColumns {
  return {
    database_name: 'database' in target ? target.database : '',
    table_name: 'table' in target ? target.table : '',
    column_name: 'column' in target ? target.column : '',
    tag_expression: target.kind === 'tags' ? serializeTagExpression(target.expression) : '',
  };
}

export function serializeTagExpression(expression: TagExpression): string {
  return JSON.stringify(expression);
}

function parseTagExpressionJson(text: string): TagExpression {
  return JSON.parse(text) as TagExpression;
}

/** Rebuilds a securable or target from its kind and columns (the inverse of `objectColumns`). */
export function toObject(kind: string, row: ObjectColumns): Securable {
  switch (kind) {
    case 'catalog':
      return { kind: 'catalog' };
    case 'database':
      return { kind: 'database', database: row.database_name };
    case 'table':
      return { kind: 'table', database: row.database_name, table: row.table_name };
    case 'column':
      return { kind: 'column', database: row.database_name, table: row.table_name, column: row.column_name };
    default:
      return { kind: 'tags', expression: parseTagExpressionJson(row.tag_expression) };
  }
}

export function granteeColumns(grantee: Grantee): {
  grantee_principal: string | null;
  grantee_group: string | null;
  grantee_role: string | null;
} {
  return {
    grantee_principal: grantee.kind === 'principal' ? grantee.name : null,
    grantee_group: grantee.kind === 'group' ? grantee.name : null,
    grantee_role: grantee.kind === 'role' ? grantee.name : null,
  };
}

/** One row per (privilege, securable, grantee): the text of the unique `grant_key` column. */
export function grantKey(privilege: Privilege, securable: Securable, grantee: Grantee): string {
  const c = securableColumns(securable);
  return JSON.stringify([privilege, c.securable_kind, c.database_name, c.table_name, c.column_name, c.tag_expression, grantee.kind, grantee.name]);
}

export function toGrant(row: Selectable<GrantRow>): Grant {
  const grantee: Grantee =
    row.grantee_principal !== null
      ? { kind: 'principal', name: row.grantee_principal }
      : row.grantee_group !== null
        ? { kind: 'group', name: row.grantee_group }
        : { kind: 'role', name: row.grantee_role ?? '' };
  return {
    id: row.id,
    privilege: row.privilege as Privilege,
    securable: toObject(row.securable_kind, row),
    grantee,
    withGrantOption: Number(row.with_grant_option) === 1,
    grantedBy: row.granted_by,
    createdAt: Number(row.created_at),
  };
}

export function toTagTarget(row: Pick<TagAssignmentRow, 'database_name' | 'table_name' | 'column_name'>): TagTarget {
  if (row.table_name === '') return { kind: 'database', database: row.database_name };
  if (row.column_name === '') return { kind: 'table', database: row.database_name, table: row.table_name };
  return { kind: 'column', database: row.database_name, table: row.table_name, column: row.column_name };
}

export function toMaskTarget(row: MaskTargetRow): MaskTarget {
  return toObject(row.target_kind, row) as MaskTarget;
}

export function toRowFilterTarget(row: Omit<ObjectColumns, 'column_name'> & { readonly target_kind: string }): RowFilterTarget {
  return toObject(row.target_kind, { ...row, column_name: '' }) as RowFilterTarget;
}

export function serializeGrantees(grantees: readonly Grantee[]): string {
  return JSON.stringify(grantees.map((g) => ({ kind: g.kind, name: g.name })));
}

export function parseGrantees(text: string): Grantee[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? (parsed as Grantee[]) : [];
}

// ---- ordering ----------------------------------------------------------------------------------

const KIND_ORDER = ['catalog', 'database', 'table', 'column', 'tags'];
const GRANTEE_ORDER = ['principal', 'group', 'role'];

/** Securables and targets: catalog, databases, tables, columns (each by name), then tag expressions. */
export function compareObjects(a: Securable | TagTarget | MaskTarget | RowFilterTarget, b: typeof a): number {
  const ca = objectColumns(a);
  const cb = objectColumns(b);
  return (
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    compareText(ca.database_name, cb.database_name) ||
    compareText(ca.table_name, cb.table_name) ||
    compareText(ca.column_name, cb.column_name) ||
    compareText(ca.tag_expression, cb.tag_expression)
  );
}

/** Grants by securable, then grantee, then privilege (in `PRIVILEGES` order). */
export function compareGrants(a: Grant, b: Grant): number {
  return (
    compareObjects(a.securable, b.securable) ||
    GRANTEE_ORDER.indexOf(a.grantee.kind) - GRANTEE_ORDER.indexOf(b.grantee.kind) ||
    compareText(a.grantee.name, b.grantee.name) ||
    PRIVILEGES.indexOf(a.privilege) - PRIVILEGES.indexOf(b.privilege)
  );
}

/** Code-unit order, identical on every database whatever its collation. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
