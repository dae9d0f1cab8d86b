/**
 * The read decision for one table: which columns the principal may read, the one mask on each
 * readable column, and every row filter that restricts it. Compilers turn it into SQL.
 *
 * Per column, SELECT comes from a named grant on the catalog, the database, the table or the column
 * (ADMIN counts as SELECT), or from a tag grant whose expression the COLUMN's effective tags satisfy.
 * Tag grants are never "inherited" from the table: a column whose own tag overrides to a value the
 * expression does not accept stays hidden even when the table matches.
 *
 * Cost: the principal's grants, masks and filters are pre-bucketed (policy-index.ts), so a column
 * costs its own buckets; tag policies are evaluated once per distinct set of effective tags (the
 * principal view memoises them), so columns without tags of their own share the table's answer.
 */
import type { Grant, PolicySnapshot, PrincipalContext } from '../model.ts';
import type { AppliedMask, AppliedRowFilter, ColumnDecision, ReadDecision, TableShape } from './decisions.ts';
import type { MaskCandidate } from './mask-precedence.ts';
import { chooseMask } from './mask-precedence.ts';
import type { PolicyIndex } from './policy-index.ts';
import { indexSnapshot, lower, overlay, tagSignature, tagsSatisfy, toRecord } from './policy-index.ts';
import { grantedBy, nearbyGrants, showTags, who } from './reasons.ts';
import { givesPrivilege, tagExpressionOf } from './coverage.ts';

type Tags = Readonly<Record<string, string>>;

/**
 * Decide what `principal` may read of `table`.
 *
 * @example
 *   const d = decideRead(snapshot, alice, { database: 'ads', table: 'events', columns });
 *   if (!d.allowed) throw new StrataError('ACCESS_DENIED', d.reason ?? '', { table: d.table });
 *   const visible = d.columns.filter((c) => c.readable); // each with its mask, if any
 */
export function decideRead(snapshot: PolicySnapshot | PolicyIndex, principal: PrincipalContext, table: TableShape): ReadDecision {
  const index = indexSnapshot(snapshot);
  const database = lower(table.database);
  const name = `${database}.${lower(table.table)}`;
  const tableTagMap = index.tagsOfTable(database, table.table);
  const tableTags: Tags = Object.freeze(toRecord(tableTagMap));
  const tagged = index.taggedColumns(database, table.table);
  const tagsOf = (column: string): { tags: Tags; own: boolean } => {
    const own = tagged.get(lower(column));
    return own ? { tags: Object.freeze(toRecord(overlay(tableTagMap, own))), own: true } : { tags: tableTags, own: false };
  };

  if (principal.administrator) {
    const columns = table.columns.map((c): ColumnDecision => ({ name: c.name, type: c.type, readable: true, grants: [], tags: tagsOf(c.name).tags }));
    return { table: name, allowed: true, columns, rowFilters: [] };
  }

  const view = index.viewFor(principal);
  const above = view.grantsAbove(database, table.table);
  const selectAbove = above.filter((g) => givesPrivilege(g, 'SELECT'));
  const columnGrants = view.columnGrants.get(name);
  const selectByTags = view.tagGrants.filter((g) => givesPrivilege(g, 'SELECT'));
  // Tag policies depend only on a column's effective tags, and most columns share them (all the
  // untagged ones share the table's): the view evaluates each distinct tag set once.
  const verdicts = new Map<string, TagVerdict>();
  const verdictFor = (tags: Tags, key: string): TagVerdict => {
    let verdict = verdicts.get(key);
    if (!verdict) {
      const matches = view.matchTags(tags, key);
      verdict = {
        select: matches.grants.filter((g) => givesPrivilege(g, 'SELECT')),
        masks: matches.masks.map((mask) => ({ mask, via: 'tags' as const })),
      };
      verdicts.set(key, verdict);
    }
    return verdict;
  };
  const tableSignature = tagSignature(tableTags);

  const columns = table.columns.map((column): ColumnDecision => {
    const columnName = lower(column.name);
    const { tags, own } = tagsOf(column.name);
    const verdict = verdictFor(tags, own ? tagSignature(tags) : tableSignature);
    const byColumn = (columnGrants?.get(columnName) ?? []).filter((g) => givesPrivilege(g, 'SELECT'));
    const grants = [...selectAbove, ...byColumn, ...verdict.select];
    if (grants.length === 0) {
      verdict.denial ??= columnDenialDetail(name, tags, above, columnGrants, view.tagGrants, selectByTags);
      const reason = `no SELECT grant covers column ${name}.${columnName} ${verdict.denial}`;
      return { name: column.name, type: column.type, readable: false, grants: [], reason, tags };
    }
    const byName = view.columnMasks.get(`${name}.${columnName}`);
    const mask = byName
      ? chooseMask([...byName.map((m) => ({ mask: m, via: 'column' as const })), ...verdict.masks])
      : (verdict.mask ??= { applied: chooseMask(verdict.masks) }).applied;
    return mask ? { name: column.name, type: column.type, readable: true, grants, mask, tags } : { name: column.name, type: column.type, readable: true, grants, tags };
  });

  const rowFilters: AppliedRowFilter[] = [
    ...(view.tableFilters.get(name) ?? []).map((f) => ({ name: f.name, predicate: f.predicate, via: 'table' as const })),
    ...view.matchTags(tableTags, tableSignature).filters.map((f) => ({ name: f.name, predicate: f.predicate, via: 'tags' as const })),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const allowed = columns.some((c) => c.readable);
  if (allowed) return { table: name, allowed, columns, rowFilters };
  const nearby = nearbyGrants([...above, ...allColumnGrants(columnGrants), ...view.matchTags(tableTags, tableSignature).grants], name);
  const tagHint = Object.keys(tableTags).length > 0 ? `, or on TAGS matching its tags (${showTags(tableTags)})` : '';
  const reason =
    `${who(principal)} may read no column of ${name}: no SELECT grant covers the table or any of its columns (${nearby}). ` +
    `GRANT SELECT on TABLE ${name} (or on DATABASE ${database}, on some of its columns${tagHint}) ` +
    `to ${who(principal)} or one of its groups or roles would allow it`;
  return { table: name, allowed, columns, rowFilters, reason };
}

/** What the tag-based policies say about one set of effective tags. */
interface TagVerdict {
  readonly select: readonly Grant[];
  readonly masks: readonly MaskCandidate[];
  /** The denial detail, built the first time a column with these tags is hidden. */
  denial?: string;
  /** The mask for columns no mask names directly, chosen the first time one is readable. */
  mask?: { readonly applied: AppliedMask | undefined };
}

function allColumnGrants(columnGrants: ReadonlyMap<string, readonly Grant[]> | undefined): Grant[] {
  return columnGrants ? [...columnGrants.values()].flat() : [];
}

/**
 * What follows `no SELECT grant covers column ads.events.msisdn`: the principal's grants near the
 * table, e.g. `(grants on ads.events: INSERT to ROLE etl)`, plus the tag grants that miss this
 * column (its own tags override them).
 */
function columnDenialDetail(
  table: string,
  tags: Tags,
  above: readonly Grant[],
  columnGrants: ReadonlyMap<string, readonly Grant[]> | undefined,
  tagGrants: readonly Grant[],
  selectByTags: readonly Grant[],
): string {
  const nearby = nearbyGrants([...above, ...allColumnGrants(columnGrants), ...tagGrants.filter((g) => g.privilege !== 'SELECT' && tagsSatisfy(tagExpressionOf(g), tags))], table);
  let detail = `(${nearby})`;
  if (selectByTags.length > 0) {
    const missed = selectByTags.slice(0, 3).map((g) => `${grantedBy(g)} does not match its tags (${showTags(tags)})`);
    detail += `; ${missed.join('; ')}`;
  }
  return detail;
}
