/**
 * The admin bootstrap `strata init` will run: a local admin user holding the `admin` role, which
 * is marked as administrator. Safe to run any number of times and from racing processes (each
 * step tolerates "already exists").
 *
 * Gotcha: if a role named `admin` already exists without the administrator mark, bootstrap marks
 * it: the name is reserved for exactly this purpose.
 */
import { StrataError } from '../../core/index.ts';
import type { IdentityStore, Principal } from './identity-store.ts';

export const ADMIN_ROLE = 'admin';

export interface BootstrapResult {
  readonly admin: Principal;
  /** What this call created; all false on a second run. */
  readonly createdPrincipal: boolean;
  readonly createdRole: boolean;
}

export async function bootstrapAdmin(store: IdentityStore, name = 'admin'): Promise<BootstrapResult> {
  const createdPrincipal = await ignoreExisting(() => store.createPrincipal(name, { kind: 'user' }));
  const createdRole = await ignoreExisting(() => store.createRole(ADMIN_ROLE, { administrator: true }));
  if (!createdRole) await store.setRoleAdministrator(ADMIN_ROLE, true);
  await store.grantRole(ADMIN_ROLE, { principal: name });
  return { admin: await store.getPrincipal(name), createdPrincipal, createdRole };
}

async function ignoreExisting(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (StrataError.is(error, 'ALREADY_EXISTS')) return false;
    throw error;
  }
}
