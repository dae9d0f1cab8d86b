/**
 * `/metrics`: Prometheus text exposition of the server's registry — HTTP requests by route and
 * status with latency, plus what the other route groups register (queries, queue depth, bytes
 * scanned, result reuse, catalog commits and conflicts) and the process's own metrics. Public,
 * like /healthz: it carries counts and timings, never data.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { onCommitEvent } from '../../table/index.ts';
import type { ServerContext } from '../server-context.ts';

export function registerMetricsRoutes(app: FastifyInstance, context: ServerContext): void {
  const requests = new Histogram({
    name: 'strata_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status, with their latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [context.metrics],
  });
  // Every table commit this process makes, whoever makes it (SQL writes, REST commits, history).
  const commits = new Counter({ name: 'strata_commits_total', help: 'Table commits by outcome (committed, failed)', labelNames: ['outcome'], registers: [context.metrics] });
  const conflicts = new Counter({ name: 'strata_commit_conflicts_total', help: 'Lost commit races, each retried on the new table state', registers: [context.metrics] });
  const unsubscribe = onCommitEvent((event) => {
    if (event.kind === 'conflict') conflicts.inc();
    else commits.inc({ outcome: event.kind });
  });
  context.onShutdown(async () => {
    unsubscribe();
    return Promise.resolve();
  });
  app.addHook('onResponse', async (request, reply) => {
    requests.observe({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', security: [], produces: ['text/plain'] } }, async (_request, reply) => {
    return reply.type(context.metrics.contentType).send(await context.metrics.metrics());
  });
}
