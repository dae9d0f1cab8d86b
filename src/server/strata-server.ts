/**
 * `strata serve`: one long-running process serving the lake over HTTP — the Iceberg REST catalog
 * for outside engines, the query service, health and metrics — every request authenticated with
 * the governance plane's tokens and governed like the CLI.
 *
 * @example
 *   const server = await startServer({ home: '/data/strata', host: '127.0.0.1', port: 8181 });
 *   console.log(server.url);            // http://127.0.0.1:8181
 *   await server.close();               // finishes or cancels running queries, then closes
 *
 * Fastify gives request ids (echoed in `x-request-id`), JSON logs through pino, body limits and
 * schema validation; errors of every route pass through one handler (http-errors.ts). The DuckDB
 * runtime is sandboxed for the server's whole life: SQL from the network never reads a file
 * outside the lake, installs an extension or changes a setting, whoever sends it.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { openStrataHome } from '../catalog/index.ts';
import type { LogLevel } from '../config/index.ts';
import { StrataError } from '../core/index.ts';
import { DuckDbEngine, type Engine } from '../engine/index.ts';
import { SparkConnection } from './spark-connection.ts';
import { openGovernance } from '../governance/index.ts';
import type { DuckDbRuntimeOptions } from '../table/index.ts';
import type { LakeStoreOptions } from '../storage/index.ts';
import { installAuthentication } from './authentication.ts';
import { errorResponse } from './http-errors.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { SERVER_ROUTES } from './routes/index.ts';
import { DEFAULT_SERVER_SETTINGS, type ServerContext, type ServerSettings } from './server-context.ts';

export interface ServerOptions {
  /** The Strata home directory (initialised with `strata init`). */
  readonly home: string;
  readonly host?: string;
  readonly port?: number;
  readonly bodyLimitBytes?: number;
  readonly shutdownGraceMs?: number;
  readonly logLevel?: LogLevel;
  /** Where logs go (default stdout); tests pass a stream to read them. */
  readonly logStream?: NodeJS.WritableStream;
  readonly duckdb?: DuckDbRuntimeOptions;
  /** The catalog database (config `catalog.url`): empty for the home's SQLite file, or postgres://… */
  readonly catalogUrl?: string;
  /** The lake (config `lake.*`): absent for `<home>/lake`. */
  readonly lake?: LakeStoreOptions;
  readonly poolSize?: number;
  readonly settings?: Partial<ServerSettings>;
  /** Connects the Spark engine for workgroups on `spark` (called on first use, again after a failure). */
  readonly spark?: () => Promise<Engine>;
}

export interface StrataServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  /** Stops taking requests, lets running queries finish for the grace period, cancels the rest, closes. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<StrataServer> {
  const home = await openStrataHome(options.home, options.duckdb ?? {}, {
    ...(options.catalogUrl ? { catalogUrl: options.catalogUrl } : {}),
    ...(options.lake ? { lake: options.lake } : {}),
  });
  try {
    await home.runtime.sandbox([join(home.home, 'lake')]);
    const governance = await openGovernance(home.catalog);
    const engine = DuckDbEngine.create(home.runtime, { poolSize: options.poolSize ?? 4 });
    const spark = new SparkConnection(options.spark);
    const shutdownHooks: ((graceMs: number) => Promise<void>)[] = [];
    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: 'strata_process_' });
    const context: ServerContext = {
      home,
      governance,
      engine,
      engineFor: async (name) => (name === 'spark' ? spark.engine() : engine),
      metrics,
      lifecycle: { shuttingDown: false },
      settings: { ...DEFAULT_SERVER_SETTINGS, ...options.settings },
      onShutdown: (hook) => shutdownHooks.push(hook),
    };
    const app = await buildApp(context, options);
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8181 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8181);
    const host = options.host ?? '127.0.0.1';
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      app,
      context,
      close() {
        closing ??= (async () => {
          context.lifecycle.shuttingDown = true;
          const grace = options.shutdownGraceMs ?? 10_000;
          await Promise.all(shutdownHooks.map((hook) => hook(grace)));
          await app.close();
          await spark.close();
          await engine.close();
          await governance.close();
          await home.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await home.close();
    throw error;
  }
}

/** The Fastify application with every route, not yet listening (tests inject requests into it). */
export async function buildApp(context: ServerContext, options: Pick<ServerOptions, 'bodyLimitBytes' | 'logLevel' | 'logStream'> = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body } = errorResponse(error, request.id);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, status }, 'request refused');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const { status, body } = errorResponse(new StrataError('OBJECT_NOT_FOUND', `No route ${request.method} ${request.url}; the API is described at /openapi.json`), request.id);
    return reply.status(status).send(body);
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Strata', version: '0.1.0', description: "Strata's HTTP API: the query service, the Iceberg REST catalog, health and metrics." },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  installAuthentication(app, context.governance.identity);
  registerHealthRoutes(app, context);
  for (const register of SERVER_ROUTES) await register(app, context);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
