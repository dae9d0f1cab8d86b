/**
 * Which of a principal's grants cover a privilege on the catalog, a database or a table.
 *
 * - A named grant covers its securable and everything below it (also objects created later, since
 *   nothing is stored per object).
 * - A tag grant covers an object when that object's own effective tags satisfy the expression; it
 *   does not cascade (a table that overrides `domain=secret` inside a `domain=ads` database is not
 *   covered by `TAGS domain=ads`).
 * - ADMIN covers every privilege. DESCRIBE is implied by any privilege on the object itself, and for a
 *   table also by any privilege on one of its columns.
 * - SELECT on a table counts column grants too ("may read something"); `decideRead` has the
 *   per-column answer.
 */
import { StrataError } from '../../core/index.ts';
import type { Grant, Privilege, TagExpression } from '../model.ts';
import type { PolicyIndex, PrincipalView } from './policy-index.ts';
import { lower, overlay, tagSignature, toRecord } from './policy-index.ts';

/** Whether the grant, wherever it applies, gives `privilege` there. */
export function givesPrivilege(grant: Grant, privilege: Privilege): boolean {
  return privilege === 'DESCRIBE' || grant.privilege === privilege || grant.privilege === 'ADMIN';
}

export function tagExpressionOf(grant: Grant): TagExpression {
  if (grant.securable.kind !== 'tags') throw new Error(`grant ${grant.id} is not a tag grant`);
  return grant.securable.expression;
}

export interface Target {
  readonly database?: string;
  readonly table?: string;
}

/** A target as `CATALOG`, `DATABASE ads` or `TABLE ads.events` (lowercased). */
export function showTarget(on: Target): string {
  if (on.database === undefined) return 'CATALOG';
  if (on.table === undefined) return `DATABASE ${lower(on.database)}`;
  return `TABLE ${lower(on.database)}.${lower(on.table)}`;
}

/**
 * The principal's grants that give `privilege` on the target, most general first (catalog,
 * database, table, columns, tags), each once. `columns` (lowercase names) restricts which columns'
 * tags are consulted for a table; by default every column that carries tags of its own is.
 */
export function coveringGrants(index: PolicyIndex, view: PrincipalView, privilege: Privilege, on: Target, columns?: readonly string[]): Grant[] {
  if (on.table !== undefined && on.database === undefined) {
    throw new StrataError('INVALID_ARGUMENT', `A table (${on.table}) needs its database to decide a privilege on it`, { table: on.table });
  }
  const gives = (g: Grant): boolean => givesPrivilege(g, privilege);
  if (on.database === undefined) return view.catalogGrants.filter(gives);
  if (on.table === undefined) {
    const tags = toRecord(index.tagsOfDatabase(on.database));
    return [...view.grantsAbove(on.database).filter(gives), ...view.matchTags(tags).grants.filter(gives)];
  }
  const out = view.grantsAbove(on.database, on.table).filter(gives);
  const tableTagMap = index.tagsOfTable(on.database, on.table);
  const tagSets = new Map<string, Record<string, string>>();
  const tableTags = toRecord(tableTagMap);
  tagSets.set(tagSignature(tableTags), tableTags);
  if (privilege === 'SELECT' || privilege === 'DESCRIBE') {
    const columnGrants = view.columnGrants.get(`${lower(on.database)}.${lower(on.table)}`);
    for (const grants of columnGrants?.values() ?? []) out.push(...grants.filter(gives));
    const tagged = index.taggedColumns(on.database, on.table);
    const consulted = columns ? columns.flatMap((c) => tagged.get(c) ?? []) : [...tagged.values()];
    for (const own of consulted) {
      const tags = toRecord(overlay(tableTagMap, own));
      tagSets.set(tagSignature(tags), tags);
    }
  }
  const matched = new Set<Grant>();
  for (const [signature, tags] of tagSets) for (const g of view.matchTags(tags, signature).grants) if (gives(g)) matched.add(g);
  // Snapshot order, whichever tag set matched first.
  if (matched.size > 0) out.push(...view.tagGrants.filter((g) => matched.has(g)));
  return out;
}
