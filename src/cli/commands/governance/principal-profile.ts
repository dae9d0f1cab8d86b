/**
 * A principal as the admin commands show it: its record, groups, effective roles and whether it
 * is an administrator, plus the `PrincipalContext` policy decisions see. Unlike
 * `loadPrincipalContext`, a disabled principal loads too (administrators want to inspect it).
 */
import type { EffectiveRole, IdentityStore, Principal, PrincipalContext } from '../../../governance/index.ts';

export interface PrincipalProfile {
  readonly principal: Principal;
  readonly groups: readonly string[];
  readonly roles: readonly EffectiveRole[];
  readonly administrator: boolean;
  readonly context: PrincipalContext;
}

export async function loadPrincipalProfile(identity: IdentityStore, name: string): Promise<PrincipalProfile> {
  const principal = await identity.getPrincipal(name);
  const groups = await identity.groupsOf(principal.name);
  const roles = await identity.effectiveRoles(principal.name);
  const administrator = roles.some((r) => r.administrator);
  return {
    principal,
    groups,
    roles,
    administrator,
    context: { name: principal.name, administrator, groups, roles: roles.map((r) => r.name), attributes: principal.attributes },
  };
}

/** Rows `[role, administrator, how]`, how = `direct`, `via group g`, or both. */
export function describeRoles(roles: readonly EffectiveRole[]): unknown[][] {
  return roles.map((r) => [r.name, r.administrator, roleHow(r)]);
}

export function roleHow(role: EffectiveRole): string {
  return [...(role.direct ? ['direct'] : []), ...role.viaGroups.map((g) => `via group ${g}`)].join(', ');
}
