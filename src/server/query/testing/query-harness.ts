/**
 * A query service over a real temporary Strata home (SQLite catalog, sandboxed DuckDB, governance
 * with an `admin`), its endpoints on a Fastify app wired like `buildApp` (authentication and the
 * one error handler), and an in-memory result store — for the query service's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { openStrataHome, type StrataHome } from '../../../catalog/index.ts';
import { DuckDbEngine, type Engine } from '../../../engine/index.ts';
import { SparkConnection } from '../../spark-connection.ts';
import { bootstrapAdmin, openGovernance, type GovernancePlane } from '../../../governance/index.ts';
import { SqlSession } from '../../../sql/index.ts';
import { installAuthentication } from '../../authentication.ts';
import { errorResponse } from '../../http-errors.ts';
import { registerQueryService } from '../../routes/query-routes.ts';
import { DEFAULT_SERVER_SETTINGS, type ServerContext } from '../../server-context.ts';
import { createQueryService, type QueryService } from '../query-service.ts';
import { MemoryResultStore } from './memory-result-store.ts';

export interface Harness {
  readonly dir: string;
  readonly home: StrataHome;
  readonly governance: GovernancePlane;
  readonly context: ServerContext;
  readonly service: QueryService;
  readonly results: MemoryResultStore;
  readonly app: FastifyInstance;
  readonly adminToken: string;
  /** Creates a user and returns its bearer token. */
  user(name: string): Promise<string>;
  /** Runs SQL as a trusted (ungoverned) session, for setup. */
  sql(text: string): Promise<unknown[][]>;
  call(token: string, method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, body?: unknown): Promise<{ status: number; json: () => unknown; body: string; headers: Record<string, unknown> }>;
  /** Runs the shutdown hooks as the server would on close. */
  shutdown(graceMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(options: { readonly clock?: () => number; readonly spark?: (home: StrataHome) => Promise<Engine> } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-query-'));
  const home = await openStrataHome(dir, { threads: 2 });
  await home.runtime.sandbox([join(home.home, 'lake')]);
  const governance = await openGovernance(home.catalog);
  await bootstrapAdmin(governance.identity);
  const adminToken = (await governance.identity.createToken('admin')).token;
  const engine = DuckDbEngine.create(home.runtime, { poolSize: 4 });
  const hooks: ((graceMs: number) => Promise<void>)[] = [];
  const connectSpark = options.spark;
  const spark = new SparkConnection(connectSpark && (() => connectSpark(home)));
  const context: ServerContext = {
    home,
    governance,
    engine,
    engineFor: async (name) => (name === 'spark' ? spark.engine() : engine),
    metrics: new Registry(),
    lifecycle: { shuttingDown: false },
    settings: DEFAULT_SERVER_SETTINGS,
    onShutdown: (hook) => hooks.push(hook),
  };
  const results = new MemoryResultStore(options.clock ? { clock: options.clock } : {});
  const service = await createQueryService(context, { results, ...(options.clock ? { clock: options.clock } : {}) });
  const app = Fastify({ logger: false });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body } = errorResponse(error, request.id);
    return reply.status(status).send(body);
  });
  installAuthentication(app, governance.identity);
  registerQueryService(app, service);
  await app.ready();
  let shut = false;
  const shutdown = async (graceMs: number): Promise<void> => {
    if (shut) return;
    shut = true;
    context.lifecycle.shuttingDown = true;
    await Promise.all(hooks.map((hook) => hook(graceMs)));
    await spark.close();
  };
  return {
    dir,
    home,
    governance,
    context,
    service,
    results,
    app,
    adminToken,
    async user(name) {
      await governance.identity.createPrincipal(name);
      return (await governance.identity.createToken(name)).token;
    },
    async sql(text) {
      const session = await SqlSession.open({ catalog: home.catalog, engine });
      try {
        const result = await session.execute(text);
        const rows: unknown[][] = [];
        if (result.kind === 'rows') for await (const batch of result.rows) rows.push(...batch);
        return rows;
      } finally {
        await session.close();
      }
    },
    async call(token, method, url, body) {
      const response = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: response.statusCode, json: () => response.json(), body: response.body, headers: response.headers };
    },
    shutdown,
    async close() {
      await shutdown(0);
      await app.close();
      await engine.close();
      await governance.close();
      await home.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
