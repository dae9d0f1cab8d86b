/**
 * The Strata credential a managed Spark cluster reaches the lake with: a bearer token of the
 * service principal `strata-compute`, an administrator, minted fresh by every `strata compute up`
 * and revoked by `down` (spark.json records the token's id, never the token).
 *
 * Why an administrator: Spark is an engine behind Strata's governance, not a user of it. Strata's
 * SQL session applies grants, masks and row filters itself and hands Spark governed views, so the
 * engine needs to read and write every table, like the embedded DuckDB does. Users reach Spark
 * only through Strata (the cluster's Spark Connect port requires its own token, kept 0600 in the
 * home), so this grants nobody anything new.
 *
 * Gotcha: a disabled `strata-compute` is refused (an administrator switched compute off); a
 * `strata-compute` that lost the administrator role gets it back, since it exists for this purpose.
 */
import { hostname } from 'node:os';
import { StrataError } from '../../core/index.ts';
import { bootstrapAdmin, type IdentityStore } from '../../governance/index.ts';

export const COMPUTE_PRINCIPAL = 'strata-compute';

/** Creates (if missing) the compute principal and mints a token for it. */
export async function mintComputeToken(identity: IdentityStore): Promise<{ readonly id: string; readonly token: string }> {
  try {
    await identity.createPrincipal(COMPUTE_PRINCIPAL, { kind: 'service' });
  } catch (error) {
    if (!StrataError.is(error, 'ALREADY_EXISTS')) throw error;
  }
  const principal = await identity.getPrincipal(COMPUTE_PRINCIPAL);
  if (principal.disabled) {
    throw new StrataError(
      'ACCESS_DENIED',
      `The principal ${COMPUTE_PRINCIPAL}, which Spark reaches the lake as, is disabled; enable it (strata principal enable ${COMPUTE_PRINCIPAL}) or start Spark with --no-catalog`,
      { principal: COMPUTE_PRINCIPAL },
    );
  }
  // bootstrapAdmin also creates the administrator role when a home has none yet (never initialised by strata init).
  if (!(await identity.isAdministrator(COMPUTE_PRINCIPAL))) await bootstrapAdmin(identity, COMPUTE_PRINCIPAL);
  const created = await identity.createToken(COMPUTE_PRINCIPAL, { description: `strata compute up on ${hostname()}`.slice(0, 256) });
  return { id: created.id, token: created.token };
}

/** Revokes a compute token by id; one already gone is fine. */
export async function revokeComputeToken(identity: IdentityStore, id: string): Promise<void> {
  try {
    await identity.revokeToken(id);
  } catch (error) {
    // No such token (the catalog was reset): nothing left to revoke.
    if (!StrataError.is(error, 'INVALID_ARGUMENT')) throw error;
  }
}
