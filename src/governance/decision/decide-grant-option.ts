/**
 * May a principal grant `privilege` on `securable` to someone else (GRANT … checks this first)?
 *
 * - Administrators may grant anything.
 * - Otherwise it must hold `privilege` WITH GRANT OPTION, or ADMIN (which carries the option), on the
 *   securable itself or one of its ancestors (catalog ⊃ database ⊃ table ⊃ column).
 * - A tags securable has no ancestors: only a tag grant with an identical expression (same canonical
 *   text, compared case-insensitively) counts. `domain=ads OR team=x` is not `team=x OR domain=ads`;
 *   holding a broader expression does not let one grant a narrower one, since proving that one
 *   expression implies another is not worth the surprise.
 * - Tag grants never let one grant on a named securable, and implied privileges (DESCRIBE implied by
 *   SELECT) carry no grant option.
 */
import type { Grant, PolicySnapshot, PrincipalContext, Privilege, Securable } from '../model.ts';
import { formatTagExpression } from '../tags/tag-expression.ts';
import type { PrivilegeDecision } from './decisions.ts';
import type { PolicyIndex, PrincipalView } from './policy-index.ts';
import { indexSnapshot, lower, normalizedExpression, tableKey } from './policy-index.ts';
import { heldGrant, showSecurable, who } from './reasons.ts';
import { tagExpressionOf } from './coverage.ts';

export function decideGrantOption(
  snapshot: PolicySnapshot | PolicyIndex,
  principal: PrincipalContext,
  privilege: Privilege,
  securable: Securable,
): PrivilegeDecision {
  const target = showSecurable(securable);
  if (principal.administrator) {
    return { allowed: true, privilege, grants: [], reason: `${who(principal)} is an administrator: may grant ${privilege} on ${target}` };
  }
  if (securable.kind === 'column' && privilege !== 'SELECT') {
    return { allowed: false, privilege, grants: [], reason: `only SELECT can be granted on a column (${target}), not ${privilege}` };
  }
  const view = indexSnapshot(snapshot).viewFor(principal);
  const candidates = candidateGrants(view, securable).filter((g) => g.privilege === privilege || g.privilege === 'ADMIN');
  const grants = candidates.filter((g) => g.privilege === 'ADMIN' || g.withGrantOption);
  if (grants.length > 0) {
    return { allowed: true, privilege, grants, reason: `${who(principal)} may grant ${privilege} on ${target}: holds ${grants.map(heldGrant).join('; ')}` };
  }
  const without = candidates.length > 0 ? ` It holds ${candidates.map(heldGrant).join('; ')}, without grant option.` : '';
  const where =
    securable.kind === 'tags' ? 'on the identical tag expression' : `on ${orList([target, ...ancestorsOf(securable)])}`;
  return {
    allowed: false,
    privilege,
    grants: [],
    reason: `${who(principal)} may not grant ${privilege} on ${target}: that needs ${privilege} WITH GRANT OPTION or ADMIN ${where}.${without}`,
  };
}

/** The principal's grants on the securable and its ancestors, most general first. */
function candidateGrants(view: PrincipalView, securable: Securable): Grant[] {
  switch (securable.kind) {
    case 'catalog':
      return view.catalogGrants;
    case 'database':
      return view.grantsAbove(securable.database);
    case 'table':
      return view.grantsAbove(securable.database, securable.table);
    case 'column':
      return [
        ...view.grantsAbove(securable.database, securable.table),
        ...(view.columnGrants.get(tableKey(securable.database, securable.table))?.get(lower(securable.column)) ?? []),
      ];
    case 'tags': {
      const wanted = formatTagExpression(normalizedExpression(securable.expression));
      return view.tagGrants.filter((g) => formatTagExpression(normalizedExpression(tagExpressionOf(g))) === wanted);
    }
  }
}

function ancestorsOf(securable: Securable): string[] {
  switch (securable.kind) {
    case 'catalog':
    case 'tags':
      return [];
    case 'database':
      return ['the CATALOG'];
    case 'table':
    case 'column':
      return [
        ...(securable.kind === 'column' ? [`TABLE ${lower(securable.database)}.${lower(securable.table)}`] : []),
        `DATABASE ${lower(securable.database)}`,
        'the CATALOG',
      ];
  }
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}
