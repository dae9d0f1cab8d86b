/**
 * The governance plane's policy model: the vocabulary every part of it speaks (the policy store
 * persists it, the decision engine evaluates it, the compilers render it for an engine, the audit
 * log records it). Engine-neutral on purpose: nothing here knows DuckDB or Spark.
 *
 * Names: databases, tables and columns are compared case-insensitively (DuckDB and Spark resolve
 * identifiers that way), so the model stores them lowercased. Principal, group and role names are
 * lowercase already (identity/names.ts). Tag keys and values are lowercase too.
 */

export const PRIVILEGES = ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DROP', 'CREATE_TABLE', 'DESCRIBE', 'ADMIN'] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** Who a grant, a mask exemption or a row filter names. */
export type Grantee =
  | { readonly kind: 'principal'; readonly name: string }
  | { readonly kind: 'group'; readonly name: string }
  | { readonly kind: 'role'; readonly name: string };

/** What a grant is on. Column grants are one column each (`GRANT SELECT (a, b)` stores two). */
export type Securable =
  | { readonly kind: 'catalog' }
  | { readonly kind: 'database'; readonly database: string }
  | { readonly kind: 'table'; readonly database: string; readonly table: string }
  | { readonly kind: 'column'; readonly database: string; readonly table: string; readonly column: string }
  /** Every database, table and column whose (inherited) tags satisfy the expression, now or later. */
  | { readonly kind: 'tags'; readonly expression: TagExpression };

/**
 * A tag expression: `key=value`, `key IN (v1, v2)`, joined by AND / OR with parentheses. OR may
 * join different keys (Lake Formation's cannot). There is no NOT: a negated grant would cover
 * everything that is untagged, including tables created tomorrow.
 */
export type TagExpression =
  | { readonly kind: 'in'; readonly key: string; readonly values: readonly string[] }
  | { readonly kind: 'and'; readonly left: TagExpression; readonly right: TagExpression }
  | { readonly kind: 'or'; readonly left: TagExpression; readonly right: TagExpression };

export interface Grant {
  readonly id: string;
  readonly privilege: Privilege;
  readonly securable: Securable;
  readonly grantee: Grantee;
  readonly withGrantOption: boolean;
  /** The principal who granted it (`system` for ownership grants made on CREATE). */
  readonly grantedBy: string;
  readonly createdAt: number;
}

export interface TagKey {
  readonly key: string;
  readonly allowedValues: readonly string[];
  readonly description: string;
}

/** Where a tag is assigned; databases pass tags to their tables, tables to their columns. */
export type TagTarget =
  | { readonly kind: 'database'; readonly database: string }
  | { readonly kind: 'table'; readonly database: string; readonly table: string }
  | { readonly kind: 'column'; readonly database: string; readonly table: string; readonly column: string };

export interface TagAssignment {
  readonly target: TagTarget;
  readonly key: string;
  readonly value: string;
}

/**
 * What a mask does to a value. Each kind keeps the column's type where it can:
 * - `redact`: strings become `replacement` (default `'****'`); other types become NULL.
 * - `null`: NULL of the column's type.
 * - `hash`: a keyed hash (hex SHA-256 of a per-mask secret and the value), so equal values stay
 *   equal and joinable, while nobody without the key can build a lookup table.
 * - `partial`: strings keep their last `keepLast` characters, the rest becomes `fill` (default `*`).
 * - `round`: numbers rounded to `digits` decimal places (negative: tens, hundreds, …).
 * - `bucket`: numbers floored to a multiple of `width`; dates and timestamps truncated to `unit`.
 * - `expression`: any SQL expression; the bare identifier `value` is the column's raw value, other
 *   identifiers are the row's raw columns (e.g. `CASE WHEN region = 'eu' THEN NULL ELSE value END`).
 */
export type MaskFunction =
  | { readonly kind: 'redact'; readonly replacement?: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'hash' }
  | { readonly kind: 'partial'; readonly keepLast: number; readonly fill?: string }
  | { readonly kind: 'round'; readonly digits: number }
  | { readonly kind: 'bucket'; readonly width?: number; readonly unit?: 'year' | 'month' | 'day' | 'hour' }
  | { readonly kind: 'expression'; readonly sql: string };

export const MASK_KINDS = ['redact', 'null', 'hash', 'partial', 'round', 'bucket', 'expression'] as const;

/** Where a mask applies: one column, or every column whose effective tags satisfy an expression. */
export type MaskTarget =
  | { readonly kind: 'column'; readonly database: string; readonly table: string; readonly column: string }
  | { readonly kind: 'tags'; readonly expression: TagExpression };

export interface MaskPolicy {
  readonly name: string;
  readonly function: MaskFunction;
  readonly targets: readonly MaskTarget[];
  /** Principals, groups or roles that see the raw value. */
  readonly exempt: readonly Grantee[];
  /** The per-mask secret the `hash` kind is keyed with (hex); never shown to non-admins. */
  readonly hashKey: string;
  readonly createdAt: number;
}

/** Where a row filter applies: one table, or every table whose effective tags satisfy an expression. */
export type RowFilterTarget =
  | { readonly kind: 'table'; readonly database: string; readonly table: string }
  | { readonly kind: 'tags'; readonly expression: TagExpression };

export interface RowFilter {
  readonly name: string;
  readonly target: RowFilterTarget;
  /**
   * A SQL predicate over the table's raw columns. May call `current_principal()`,
   * `current_principal_attribute('key')`, `is_member('group')` and `has_role('role')`, which the
   * compiler replaces with literals for the acting principal.
   */
  readonly predicate: string;
  /** Who it applies to; empty means everyone. */
  readonly appliesTo: readonly Grantee[];
  /** Who it never applies to (checked after `appliesTo`). */
  readonly exempt: readonly Grantee[];
  readonly createdAt: number;
}

/** Everything policy decisions need, loaded once per statement (policies are small). */
export interface PolicySnapshot {
  readonly grants: readonly Grant[];
  readonly tagKeys: readonly TagKey[];
  readonly tags: readonly TagAssignment[];
  readonly masks: readonly MaskPolicy[];
  readonly rowFilters: readonly RowFilter[];
}

/** The acting principal as decisions see it: its name, memberships and attributes. */
export interface PrincipalContext {
  readonly name: string;
  /** Holds an administrator role: every check passes, no mask or filter applies. */
  readonly administrator: boolean;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
}

/** Whether a grantee list names the principal (directly, through a group, or through a role). */
export function namesPrincipal(grantees: readonly Grantee[], principal: PrincipalContext): boolean {
  return grantees.some(
    (g) =>
      (g.kind === 'principal' && g.name === principal.name) ||
      (g.kind === 'group' && principal.groups.includes(g.name)) ||
      (g.kind === 'role' && principal.roles.includes(g.name)),
  );
}

export function granteeToString(grantee: Grantee): string {
  return `${grantee.kind === 'principal' ? 'USER' : grantee.kind.toUpperCase()} ${grantee.name}`;
}

export function securableToString(securable: Securable, render: (e: TagExpression) => string): string {
  switch (securable.kind) {
    case 'catalog':
      return 'CATALOG';
    case 'database':
      return `DATABASE ${securable.database}`;
    case 'table':
      return `TABLE ${securable.database}.${securable.table}`;
    case 'column':
      return `COLUMN ${securable.database}.${securable.table}.${securable.column}`;
    case 'tags':
      return `TAGS ${render(securable.expression)}`;
  }
}
