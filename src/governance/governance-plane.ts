/**
 * The governance plane of one Strata home in one object: identity, policies and the audit log
 * over the catalog database's connection, and `governorFor(principal)` to enforce them on a SQL
 * session.
 *
 * @example
 *   const home = await openStrataHome(dir);
 *   const governance = await openGovernance(home.catalog);
 *   const governor = await governance.governorFor('alice', engine);
 *   const session = await SqlSession.open({ catalog: home.catalog, engine, governor });
 */
import { StrataError } from '../core/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { Engine } from '../engine/index.ts';
import { AuditLog } from './audit/index.ts';
import { builtinFunctions, Governor, loadPrincipalContext } from './enforce/index.ts';
import { IdentityStore, type GovernanceConnection } from './identity/index.ts';
import { PolicyStore } from './policy/index.ts';

export interface GovernancePlane {
  readonly identity: IdentityStore;
  readonly policies: PolicyStore;
  readonly audit: AuditLog;
  /**
   * A governor for `principal`. With `actingAs`, an administrator tries a policy out as someone
   * else: it must name an administrator, and decisions are made as `principal`.
   */
  governorFor(principal: string, engine: Engine, options?: { readonly actingAs?: string; readonly auditStatements?: boolean }): Promise<Governor>;
  close(): Promise<void>;
}

export async function openGovernance(catalog: Catalog, options: { readonly clock?: () => number } = {}): Promise<GovernancePlane> {
  const backend = catalog.backend as { readonly connection?: GovernanceConnection<unknown> };
  const connection = backend.connection;
  if (!connection) throw new StrataError('CATALOG_ERROR', 'This catalog backend has no SQL connection for the governance plane');
  const clock = options.clock ? { clock: options.clock } : {};
  const identity = await IdentityStore.open(connection, clock);
  const policies = await PolicyStore.open(connection, clock);
  const audit = await AuditLog.open(connection, clock);
  return {
    identity,
    policies,
    audit,
    async governorFor(principal, engine, opts = {}) {
      if (opts.actingAs !== undefined && opts.actingAs !== principal) {
        const actor = await loadPrincipalContext(identity, opts.actingAs);
        if (!actor.administrator) {
          throw new StrataError('ACCESS_DENIED', `Only administrators may act as another principal; ${opts.actingAs} is not one`, { principal: opts.actingAs });
        }
      }
      const context = await loadPrincipalContext(identity, principal);
      return new Governor({
        principal: context,
        ...(opts.actingAs !== undefined && opts.actingAs !== principal ? { actingAs: opts.actingAs } : {}),
        policies,
        audit,
        builtinFunctions: await builtinFunctions(engine),
        engine: engine.name,
        ...(opts.auditStatements === undefined ? {} : { auditStatements: opts.auditStatements }),
      });
    },
    async close() {
      await audit.close();
      await policies.close();
      await identity.close();
    },
  };
}
