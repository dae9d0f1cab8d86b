/**
 * What the decision engine answers, engine-neutral: which columns of a table a principal may read
 * and how each is masked, which row filters restrict it, whether a privilege is held, and why.
 * Compilers (compile/) turn a `ReadDecision` into SQL for one engine; the audit log and
 * `strata access explain` print the reasons.
 */
import type { Grant, MaskFunction, Privilege } from '../model.ts';

/** A table as decisions see it: its name and columns (Iceberg type text, e.g. `string`, `decimal(10,2)`). */
export interface TableShape {
  readonly database: string;
  readonly table: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

export interface AppliedMask {
  readonly policy: string;
  readonly function: MaskFunction;
  /** The mask's key for the `hash` kind. */
  readonly hashKey: string;
  /** Attached to this column directly, or through a tag expression the column's tags satisfy. */
  readonly via: 'column' | 'tags';
  /** Other masks that applied too and lost to this one (strictest wins); for explanations. */
  readonly outranked: readonly string[];
}

export interface ColumnDecision {
  readonly name: string;
  readonly type: string;
  readonly readable: boolean;
  /** The grants that make it readable (empty for administrators and when not readable). */
  readonly grants: readonly Grant[];
  readonly mask?: AppliedMask;
  /** Why it is hidden, when not readable (e.g. "no SELECT grant covers column msisdn"). */
  readonly reason?: string;
  /** The column's effective tags (database ← table ← column, nearer wins per key). */
  readonly tags: Readonly<Record<string, string>>;
}

export interface AppliedRowFilter {
  readonly name: string;
  readonly predicate: string;
  readonly via: 'table' | 'tags';
}

export interface ReadDecision {
  /** `database.table`. */
  readonly table: string;
  /** True when at least one column is readable. */
  readonly allowed: boolean;
  /** Every column of the table, in table order. */
  readonly columns: readonly ColumnDecision[];
  /** Every filter that applies; a row is visible only when all of them hold. */
  readonly rowFilters: readonly AppliedRowFilter[];
  /** Why the read is denied, when it is. */
  readonly reason?: string;
}

export interface PrivilegeDecision {
  readonly allowed: boolean;
  readonly privilege: Privilege;
  /** The grants that allowed it (empty for administrators or when denied). */
  readonly grants: readonly Grant[];
  /** Human-readable: "granted by …" or "no grant of … covers …". */
  readonly reason: string;
}
