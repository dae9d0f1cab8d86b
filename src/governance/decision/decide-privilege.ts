/**
 * Privilege checks on the catalog, a database or a table (for CREATE, INSERT, DROP, SHOW …), and the
 * table list a principal may see. Column detail is `decideRead`'s job: SELECT here means "may read
 * at least one column" (see coverage.ts for the rules).
 */
import type { PolicySnapshot, PrincipalContext, Privilege } from '../model.ts';
import type { PrivilegeDecision, TableShape } from './decisions.ts';
import type { Target } from './coverage.ts';
import { coveringGrants, showTarget } from './coverage.ts';
import type { PolicyIndex } from './policy-index.ts';
import { indexSnapshot, lower, tableKey, toRecord } from './policy-index.ts';
import { grantedBy, nearbyGrants, showTags, who } from './reasons.ts';

/**
 * Whether `principal` holds `privilege` on `on` (`{}` = the catalog, `{database}`, or
 * `{database, table}`). INVALID_ARGUMENT for a table without its database.
 *
 * @example
 *   decidePrivilege(snapshot, bob, 'INSERT', { database: 'ads', table: 'events' }).allowed
 */
export function decidePrivilege(
  snapshot: PolicySnapshot | PolicyIndex,
  principal: PrincipalContext,
  privilege: Privilege,
  on: Target,
): PrivilegeDecision {
  const index = indexSnapshot(snapshot);
  const target = showTarget(on);
  if (principal.administrator) {
    return { allowed: true, privilege, grants: [], reason: `${who(principal)} is an administrator: ${privilege} on ${target} is allowed` };
  }
  const view = index.viewFor(principal);
  const grants = coveringGrants(index, view, privilege, on);
  if (grants.length > 0) {
    const implied = grants.filter((g) => g.privilege !== privilege && g.privilege !== 'ADMIN');
    const prefix = privilege === 'DESCRIBE' && implied.length === grants.length ? 'DESCRIBE implied by ' : '';
    return { allowed: true, privilege, grants, reason: prefix + grants.map(grantedBy).join('; ') };
  }
  const held = coveringGrants(index, view, 'DESCRIBE', on);
  const place = on.database === undefined ? 'the catalog' : target.slice(target.indexOf(' ') + 1);
  const ancestors =
    on.database === undefined ? '' : on.table === undefined ? ', or on the CATALOG' : `, on DATABASE ${lower(on.database)} or the CATALOG`;
  const tags =
    on.database === undefined
      ? {}
      : toRecord(on.table === undefined ? index.tagsOfDatabase(on.database) : index.tagsOfTable(on.database, on.table));
  const tagHint = Object.keys(tags).length > 0 ? `, or on TAGS matching its tags (${showTags(tags)})` : '';
  return {
    allowed: false,
    privilege,
    grants: [],
    reason:
      `no grant of ${privilege} covers ${target} for ${who(principal)} (${nearbyGrants(held, place)}); ` +
      `GRANT ${privilege} (or ADMIN) on ${target}${ancestors}${tagHint} would allow it`,
  };
}

/** The tables `principal` may DESCRIBE (what SHOW TABLES lists), in the given order. */
export function visibleTables(snapshot: PolicySnapshot | PolicyIndex, principal: PrincipalContext, tables: readonly TableShape[]): TableShape[] {
  if (principal.administrator) return [...tables];
  const index = indexSnapshot(snapshot);
  const view = index.viewFor(principal);
  return tables.filter(
    (t) =>
      // Any named grant on the table or above it, or on one of its columns, shows it; tag grants
      // need the tags evaluated, so they are the slow path.
      view.grantsAbove(t.database, t.table).length > 0 ||
      view.columnGrants.has(tableKey(t.database, t.table)) ||
      coveringGrants(index, view, 'DESCRIBE', t, t.columns.map((c) => lower(c.name))).length > 0,
  );
}
