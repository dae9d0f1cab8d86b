/**
 * `strata access show <principal>` as data: who the principal is, every grant that reaches it
 * (directly, through a group, through a role), the masks that apply to it per target (and the
 * ones it is exempt from), and the row filters that apply to it with their predicates bound to
 * its attributes — what `strata sql` as that principal will enforce.
 */
import { bindPrincipalFunctions } from '../../../governance/compile/index.ts';
import {
  formatTagExpression,
  grantAppliesTo,
  namesPrincipal,
  securableToString,
  type Grant,
  type Grantee,
  type PolicySnapshot,
} from '../../../governance/index.ts';
import { formatGranteeArg } from './grantee-arg.ts';
import { describeMaskFunction, describeTarget } from './mask-commands.ts';
import { roleHow, type PrincipalProfile } from './principal-profile.ts';
import { describeRowFilterTarget } from './row-filter-commands.ts';

export interface AccessGrant {
  readonly id: string;
  readonly privilege: string;
  readonly securable: string;
  readonly withGrantOption: boolean;
  readonly grantedBy: string;
  /** `direct`, `group g`, or `role r (direct | via group g)`. */
  readonly via: string;
}

export interface AccessMask {
  readonly target: string;
  readonly mask: string;
  readonly function: string;
  /** `applies`, `exempt (role:auditor)`, or `not applied (administrator)`. */
  readonly status: string;
}

export interface AccessRowFilter {
  readonly name: string;
  readonly target: string;
  readonly predicate: string;
  /** The predicate with principal functions replaced by this principal's values. */
  readonly boundPredicate: string;
  readonly status: string;
}

export interface AccessProfile {
  readonly grants: readonly AccessGrant[];
  readonly masks: readonly AccessMask[];
  readonly rowFilters: readonly AccessRowFilter[];
}

export function accessProfile(profile: PrincipalProfile, snapshot: PolicySnapshot): AccessProfile {
  const ctx = profile.context;
  const exemptVia = (list: readonly Grantee[]): string | undefined => {
    const hit = list.find((g) => namesPrincipal([g], ctx));
    return hit === undefined ? undefined : formatGranteeArg(hit);
  };
  const status = (exempt: string | undefined) => (ctx.administrator ? 'not applied (administrator)' : exempt !== undefined ? `exempt (${exempt})` : 'applies');
  const grants = snapshot.grants
    .filter((g) => grantAppliesTo(g, ctx))
    .map((g) => ({
      id: g.id,
      privilege: g.privilege,
      securable: securableToString(g.securable, (e) => formatTagExpression(e)),
      withGrantOption: g.withGrantOption,
      grantedBy: g.grantedBy,
      via: grantVia(g, profile),
    }));
  const masks = snapshot.masks
    .flatMap((m) => m.targets.map((t) => ({ target: describeTarget(t), mask: m.name, function: describeMaskFunction(m.function), status: status(exemptVia(m.exempt)) })))
    .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  const rowFilters = snapshot.rowFilters
    .filter((f) => f.appliesTo.length === 0 || namesPrincipal(f.appliesTo, ctx))
    .map((f) => ({
      name: f.name,
      target: describeRowFilterTarget(f.target),
      predicate: f.predicate,
      boundPredicate: bindOrExplain(f.predicate, profile),
      status: status(exemptVia(f.exempt)),
    }));
  return { grants, masks, rowFilters };
}

/** The predicate bound to the principal; a predicate that cannot be bound says why (queries refuse it too). */
export function bindOrExplain(predicate: string, profile: PrincipalProfile): string {
  try {
    return bindPrincipalFunctions(predicate, profile.context);
  } catch (error) {
    return `(cannot bind: ${error instanceof Error ? error.message : String(error)})`;
  }
}

function grantVia(grant: Grant, profile: PrincipalProfile): string {
  const grantee = grant.grantee;
  if (grantee.kind === 'principal') return 'direct';
  if (grantee.kind === 'group') return `group ${grantee.name}`;
  const role = profile.roles.find((r) => r.name === grantee.name);
  return `role ${grantee.name}${role === undefined ? '' : ` (${roleHow(role)})`}`;
}
