/**
 * The Iceberg REST Catalog API inside `strata serve`, so outside engines (PyIceberg, Spark, Trino,
 * DuckDB's iceberg extension) share Strata's tables and commit through Strata's own commit path.
 * No path prefix: `GET /v1/config`, `/v1/namespaces/…`, `/v1/tables/rename`, `/v1/transactions/commit`.
 *
 * The routes live in their own Fastify scope, which gives them what differs from the rest of the
 * server: a lossless JSON body parser (snapshot ids above 2^53) and the spec's error body
 * (`{ "error": { "message", "type", "code" } }`) instead of Strata's. Authentication (the root
 * hook) and governance apply as everywhere. See docs/rest-catalog.md.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../server-context.ts';
import { registerNamespaceRoutes } from './namespace-routes.ts';
import { icebergErrorResponse } from './rest-errors.ts';
import { sendJson, useLosslessJson } from './rest-wire.ts';
import { registerTableRoutes } from './table-routes.ts';

/** Every endpoint served, in the form `GET /v1/config` advertises (`endpoints`), for clients that check. */
export const REST_ENDPOINTS: readonly string[] = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/tables/rename',
  'POST /v1/{prefix}/transactions/commit',
];

export async function registerIcebergRestRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  await app.register(async (scope) => {
    useLosslessJson(scope);
    scope.setErrorHandler(async (error, request, reply) => {
      const { status, body } = icebergErrorResponse(error, request.id);
      if (status >= 500) request.log.error({ err: error }, 'iceberg rest request failed');
      else request.log.info({ type: body.error.type, status }, 'iceberg rest request refused');
      return sendJson(reply, body, status);
    });
    scope.get(
      '/v1/config',
      { schema: { summary: 'Catalog configuration (no prefix, no overrides) and the endpoints served', tags: ['Iceberg REST catalog'] } },
      async (_request, reply) => sendJson(reply, { defaults: {}, overrides: {}, endpoints: REST_ENDPOINTS }),
    );
    registerNamespaceRoutes(scope, context);
    registerTableRoutes(scope, context);
  });
}
