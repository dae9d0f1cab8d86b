/**
 * `/healthz` (the process answers) and `/readyz` (it can serve: the catalog database answers and
 * shutdown has not begun). Public: they reveal nothing about the lake.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.ts';

export function registerHealthRoutes(app: FastifyInstance, context: ServerContext): void {
  const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;
  app.get('/healthz', { schema: { summary: 'Liveness: the process answers', security: [], response: { 200: status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { summary: 'Readiness: the catalog answers and the server is not shutting down', security: [], response: { 200: status, 503: status } } }, async (_request, reply) => {
    if (context.lifecycle.shuttingDown) return reply.status(503).send({ status: 'shutting down' });
    try {
      await context.home.catalog.listNamespaces();
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'catalog unavailable' });
    }
  });
}
