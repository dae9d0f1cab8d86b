/**
 * Bearer-token authentication with the governance plane's API tokens. Every route is
 * authenticated except the few listed as public (health, readiness, metrics, the OpenAPI
 * document), which reveal nothing about the lake's data.
 *
 * A missing, malformed, unknown, expired or revoked token and a disabled principal all get the
 * same 401 body (the identity store's single UNAUTHENTICATED error), so a caller cannot probe
 * which one it was.
 */
import type { FastifyInstance } from 'fastify';
import { StrataError } from '../core/index.ts';
import type { IdentityStore } from '../governance/index.ts';

export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);

export function installAuthentication(app: FastifyInstance, identity: IdentityStore): void {
  app.decorateRequest('principal', '');
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route === undefined || PUBLIC_ROUTES.has(route)) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new StrataError('UNAUTHENTICATED', 'Authentication failed: send Authorization: Bearer <token> (create one with strata token create <principal>)');
    }
    request.principal = (await identity.authenticate(match[1])).name;
  });
}
