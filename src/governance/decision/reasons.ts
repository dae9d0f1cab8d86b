/**
 * The sentences decisions give as reasons. They are read by people (`strata access explain`, the
 * audit log, error messages), so they name the grant, the object and the grantee, and when access is
 * denied they say what the principal holds nearby and what grant would allow it.
 */
import type { Grant, PrincipalContext, Securable } from '../model.ts';
import { granteeToString, securableToString } from '../model.ts';
import { formatTagExpression } from '../tags/tag-expression.ts';

/** At most this many grants are listed in one reason; the rest are counted. */
const LIST_LIMIT = 5;

export function showSecurable(securable: Securable): string {
  return securableToString(securable, (e) => formatTagExpression(e));
}

/** `SELECT granted on TAGS domain=ads to ROLE analyst (grant g_1)`. */
export function grantedBy(grant: Grant): string {
  return `${grant.privilege} granted on ${showSecurable(grant.securable)} to ${granteeToString(grant.grantee)} (grant ${grant.id})`;
}

/** Every grant that allowed something, most general first, `; `-separated. */
export function grantedByAll(grants: readonly Grant[]): string {
  return limit(grants.map(grantedBy)).join('; ');
}

/** `SELECT WITH GRANT OPTION on DATABASE ads to ROLE analyst (grant g_1)`. */
export function heldGrant(grant: Grant): string {
  const option = grant.withGrantOption ? ' WITH GRANT OPTION' : '';
  return `${grant.privilege}${option} on ${showSecurable(grant.securable)} to ${granteeToString(grant.grantee)} (grant ${grant.id})`;
}

/**
 * The principal's grants near a table, for a denial: `INSERT to ROLE etl` for grants on the table
 * itself, `SELECT on COLUMN ads.events.id to ROLE analyst` for anything else.
 */
export function nearbyGrants(grants: readonly Grant[], tableName: string): string {
  if (grants.length === 0) return `no grants on ${tableName}`;
  const shown = grants.map((g) => {
    const s = g.securable;
    const onTable = s.kind === 'table' && `${s.database}.${s.table}` === tableName;
    return `${g.privilege}${onTable ? '' : ` on ${showSecurable(s)}`} to ${granteeToString(g.grantee)}`;
  });
  return `grants on ${tableName}: ${limit([...new Set(shown)]).join(', ')}`;
}

export function who(principal: PrincipalContext): string {
  return `USER ${principal.name}`;
}

/** `domain=ads, pii=false`, or `no tags`. */
export function showTags(tags: Readonly<Record<string, string>>): string {
  const entries = Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? 'no tags' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

function limit(items: readonly string[]): string[] {
  if (items.length <= LIST_LIMIT) return [...items];
  return [...items.slice(0, LIST_LIMIT), `and ${items.length - LIST_LIMIT} more`];
}
