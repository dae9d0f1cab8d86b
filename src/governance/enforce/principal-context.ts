/**
 * The acting principal as policy decisions see it, read from the identity store once per session:
 * name, groups, roles (direct and through groups), administrator flag and attributes.
 */
import { StrataError } from '../../core/index.ts';
import type { IdentityStore } from '../identity/index.ts';
import type { PrincipalContext } from '../model.ts';

export async function loadPrincipalContext(identity: IdentityStore, name: string): Promise<PrincipalContext> {
  const principal = await identity.getPrincipal(name);
  if (principal.disabled) {
    throw new StrataError('ACCESS_DENIED', `Principal ${name} is disabled; an administrator can enable it again`, { principal: name });
  }
  const roles = await identity.effectiveRoles(name);
  return {
    name: principal.name,
    administrator: roles.some((r) => r.administrator),
    groups: await identity.groupsOf(name),
    roles: roles.map((r) => r.name),
    attributes: principal.attributes,
  };
}
