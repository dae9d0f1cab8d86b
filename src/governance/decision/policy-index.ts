/**
 * The policy snapshot indexed for decisions: grants, tags, masks and row filters bucketed by the
 * object they name, so deciding one table touches only that table's buckets (plus the tag-based
 * policies), not every grant in the catalog.
 *
 * Two levels of caching, both keyed by object identity:
 * - `indexSnapshot(snapshot)` is built once per snapshot object (a WeakMap), so the per-table calls
 *   of one statement share it. Gotcha: a snapshot is treated as immutable — after a policy change,
 *   load a new snapshot object rather than mutating the old one's arrays.
 * - `principalView(index, principal)` keeps only what applies to one principal (its grants, the masks
 *   that do not exempt it, the row filters that apply to it), cached per principal signature.
 *
 * Names are compared case-insensitively: every name read from the snapshot or a `TableShape` goes
 * through `lower()` before it is used as a key.
 */
import type { Grant, MaskPolicy, PolicySnapshot, PrincipalContext, RowFilter, TagExpression, TagTarget } from '../model.ts';
import { namesPrincipal } from '../model.ts';
import { evaluateTagExpression } from '../tags/tag-expression.ts';

export type TagMap = ReadonlyMap<string, string>;

const EMPTY_TAGS: TagMap = new Map();

export function lower(name: string): string {
  return name.toLowerCase();
}

/** `database.table`, lowercased: the key of everything table-scoped. */
export function tableKey(database: string, table: string): string {
  return `${lower(database)}.${lower(table)}`;
}

/**
 * Everything in a snapshot, bucketed by the object it names. Principal-independent; build it with
 * `indexSnapshot`.
 */
export class PolicyIndex {
  readonly snapshot: PolicySnapshot;
  readonly databaseTags = new Map<string, Map<string, string>>();
  readonly tableTags = new Map<string, Map<string, string>>();
  /** Table key → column → the column's own tags (not inherited). */
  readonly columnTags = new Map<string, Map<string, Map<string, string>>>();
  readonly #views = new Map<string, PrincipalView>();

  constructor(snapshot: PolicySnapshot) {
    this.snapshot = snapshot;
    for (const { target, key, value } of snapshot.tags) {
      const k = lower(key);
      const v = lower(value);
      if (target.kind === 'database') bucket(this.databaseTags, lower(target.database), () => new Map()).set(k, v);
      else if (target.kind === 'table') bucket(this.tableTags, tableKey(target.database, target.table), () => new Map()).set(k, v);
      else {
        const columns = bucket(this.columnTags, tableKey(target.database, target.table), () => new Map());
        bucket(columns, lower(target.column), () => new Map()).set(k, v);
      }
    }
  }

  /** The database's tags. */
  tagsOfDatabase(database: string): TagMap {
    return this.databaseTags.get(lower(database)) ?? EMPTY_TAGS;
  }

  /** The table's effective tags: its database's, overridden per key by its own. */
  tagsOfTable(database: string, table: string): TagMap {
    return overlay(this.tagsOfDatabase(database), this.tableTags.get(tableKey(database, table)));
  }

  /** A column's own tags, when it has any (columns without own tags inherit the table's as is). */
  ownColumnTags(database: string, table: string, column: string): TagMap | undefined {
    return this.columnTags.get(tableKey(database, table))?.get(lower(column));
  }

  /** The columns of a table that carry tags of their own (they may differ from the table's). */
  taggedColumns(database: string, table: string): ReadonlyMap<string, TagMap> {
    return this.columnTags.get(tableKey(database, table)) ?? new Map();
  }

  /** The slice of the policies that applies to one principal; cached per principal signature. */
  viewFor(principal: PrincipalContext): PrincipalView {
    const signature = `${principal.name}\u0000${[...principal.groups].sort().join(',')}\u0000${[...principal.roles].sort().join(',')}`;
    let view = this.#views.get(signature);
    if (!view) {
      // Bounded: a server serving many principals off one snapshot must not grow without limit.
      if (this.#views.size >= 256) this.#views.clear();
      view = new PrincipalView(this.snapshot, principal);
      this.#views.set(signature, view);
    }
    return view;
  }
}

/** A tag-targeted policy with its expressions (a mask may have several tag targets). */
export interface TagTargeted<T> {
  readonly item: T;
  readonly expressions: readonly TagExpression[];
}

/**
 * What applies to one principal: the grants it holds (directly or through a group or role), the
 * masks that do not exempt it, the row filters that apply to it — each bucketed by object.
 */
export class PrincipalView {
  readonly catalogGrants: Grant[] = [];
  readonly databaseGrants = new Map<string, Grant[]>();
  readonly tableGrants = new Map<string, Grant[]>();
  /** Table key → column → grants on that column. */
  readonly columnGrants = new Map<string, Map<string, Grant[]>>();
  readonly tagGrants: Grant[] = [];
  /** Column key (`db.table.column`) → masks targeting it by name. */
  readonly columnMasks = new Map<string, MaskPolicy[]>();
  readonly tagMasks: TagTargeted<MaskPolicy>[] = [];
  readonly tableFilters = new Map<string, RowFilter[]>();
  readonly tagFilters: RowFilter[] = [];

  constructor(snapshot: PolicySnapshot, principal: PrincipalContext) {
    for (const grant of snapshot.grants) {
      if (!grantAppliesTo(grant, principal)) continue;
      const s = grant.securable;
      switch (s.kind) {
        case 'catalog':
          this.catalogGrants.push(grant);
          break;
        case 'database':
          bucket(this.databaseGrants, lower(s.database), () => []).push(grant);
          break;
        case 'table':
          bucket(this.tableGrants, tableKey(s.database, s.table), () => []).push(grant);
          break;
        case 'column': {
          const columns = bucket(this.columnGrants, tableKey(s.database, s.table), () => new Map());
          bucket(columns, lower(s.column), () => []).push(grant);
          break;
        }
        case 'tags':
          this.tagGrants.push(grant);
          break;
      }
    }
    for (const mask of snapshot.masks) {
      if (namesPrincipal(mask.exempt, principal)) continue;
      const expressions: TagExpression[] = [];
      const columns = new Set<string>();
      for (const target of mask.targets) {
        if (target.kind === 'tags') expressions.push(target.expression);
        else columns.add(`${tableKey(target.database, target.table)}.${lower(target.column)}`);
      }
      for (const column of columns) bucket(this.columnMasks, column, () => []).push(mask);
      if (expressions.length > 0) this.tagMasks.push({ item: mask, expressions });
    }
    for (const filter of snapshot.rowFilters) {
      if (filter.appliesTo.length > 0 && !namesPrincipal(filter.appliesTo, principal)) continue;
      if (namesPrincipal(filter.exempt, principal)) continue;
      if (filter.target.kind === 'tags') this.tagFilters.push(filter);
      else bucket(this.tableFilters, tableKey(filter.target.database, filter.target.table), () => []).push(filter);
    }
  }

  readonly #byTags = new Map<string, TagMatches>();

  /**
   * The tag grants, tag masks and tag filters whose expressions `tags` satisfy, in snapshot order.
   * Memoised per distinct tag set (`signature` = `tagSignature(tags)`): most tables and columns
   * share a handful of tag sets, so each expression is evaluated once per set, not per object.
   */
  matchTags(tags: Readonly<Record<string, string>>, signature: string = tagSignature(tags)): TagMatches {
    let found = this.#byTags.get(signature);
    if (!found) {
      if (this.#byTags.size >= 4096) this.#byTags.clear();
      found = {
        grants: this.tagGrants.filter((g) => g.securable.kind === 'tags' && tagsSatisfy(g.securable.expression, tags)),
        masks: this.tagMasks.filter((m) => m.expressions.some((e) => tagsSatisfy(e, tags))).map((m) => m.item),
        filters: this.tagFilters.filter((f) => f.target.kind === 'tags' && tagsSatisfy(f.target.expression, tags)),
      };
      this.#byTags.set(signature, found);
    }
    return found;
  }

  /** The named grants covering a table from above and on it: catalog, database, table (in that order). */
  grantsAbove(database: string, table?: string): Grant[] {
    const out = [...this.catalogGrants, ...(this.databaseGrants.get(lower(database)) ?? [])];
    if (table !== undefined) out.push(...(this.tableGrants.get(tableKey(database, table)) ?? []));
    return out;
  }
}

/** What the tag-targeted policies of one principal view say about one set of tags. */
export interface TagMatches {
  readonly grants: readonly Grant[];
  readonly masks: readonly MaskPolicy[];
  readonly filters: readonly RowFilter[];
}

/** A key for a set of tags, independent of their order; empty only for the empty set. */
export function tagSignature(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}\u0001${v}`)
    .sort()
    .join('\u0002');
}

/** Whether the grant's grantee names the principal, one of its groups or one of its roles. */
export function grantAppliesTo(grant: Grant, principal: PrincipalContext): boolean {
  return namesPrincipal([grant.grantee], principal);
}

const INDEXES = new WeakMap<PolicySnapshot, PolicyIndex>();

/** The index of a snapshot, built once per snapshot object and reused by every decision on it. */
export function indexSnapshot(snapshot: PolicySnapshot | PolicyIndex): PolicyIndex {
  if (snapshot instanceof PolicyIndex) return snapshot;
  let index = INDEXES.get(snapshot);
  if (!index) {
    index = new PolicyIndex(snapshot);
    INDEXES.set(snapshot, index);
  }
  return index;
}

/**
 * The effective tags of a database, table or column: database tags, overridden per key by the
 * table's, overridden per key by the column's. Returns a fresh plain object (built with
 * `Object.fromEntries`, so even a key named `__proto__` is an own property).
 */
export function effectiveTags(snapshot: PolicySnapshot | PolicyIndex, target: TagTarget): Record<string, string> {
  const index = indexSnapshot(snapshot);
  switch (target.kind) {
    case 'database':
      return toRecord(index.tagsOfDatabase(target.database));
    case 'table':
      return toRecord(index.tagsOfTable(target.database, target.table));
    case 'column':
      return toRecord(overlay(index.tagsOfTable(target.database, target.table), index.ownColumnTags(target.database, target.table, target.column)));
  }
}

/**
 * The expression with keys and values lowercased, so quoted values (`team='Growth'`) match the
 * lowercase tags the store keeps. Cached per expression object.
 */
export function normalizedExpression(expression: TagExpression): TagExpression {
  const cached = NORMALIZED.get(expression);
  if (cached) return cached;
  const out: TagExpression =
    expression.kind === 'in'
      ? { kind: 'in', key: lower(expression.key), values: expression.values.map(lower) }
      : { kind: expression.kind, left: normalizedExpression(expression.left), right: normalizedExpression(expression.right) };
  NORMALIZED.set(expression, out);
  return out;
}

const NORMALIZED = new WeakMap<TagExpression, TagExpression>();

/** `base` overridden per key by `top`; returns `base` itself when there is nothing to override. */
export function overlay(base: TagMap, top: TagMap | undefined): TagMap {
  if (!top || top.size === 0) return base;
  if (base.size === 0) return top;
  const out = new Map(base);
  for (const [k, v] of top) out.set(k, v);
  return out;
}

export function toRecord(tags: TagMap): Record<string, string> {
  return Object.fromEntries(tags);
}

function bucket<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** Whether tags (already inherited, lowercase) satisfy the expression, compared case-insensitively. */
export function tagsSatisfy(expression: TagExpression, tags: Readonly<Record<string, string>>): boolean {
  return evaluateTagExpression(normalizedExpression(expression), tags);
}
