/**
 * The query service over HTTP (src/server/query): start a query and get its id at once, poll it,
 * page through its results, cancel it, list the history; and, for administrators, manage
 * workgroups and who may use them.
 *
 *   POST   /api/v1/queries                 {sql, workgroup?, reuse?}  → 202 {id, state, …}
 *   GET    /api/v1/queries?limit&state&workgroup                      → {queries: […]}
 *   GET    /api/v1/queries/{id}                                       → the query's state and timings
 *   GET    /api/v1/queries/{id}/results?offset&limit&format=json|csv|arrow
 *   DELETE /api/v1/queries/{id}   (or POST /api/v1/queries/{id}/cancel)
 *   GET|POST /api/v1/workgroups, GET|PATCH|DELETE /api/v1/workgroups/{name},
 *   POST /api/v1/workgroups/{name}/grants, DELETE /api/v1/workgroups/{name}/grants/{kind}/{grantee}
 *
 * A result page carries the offset of the next one in `x-strata-next-offset` and a `Link: <…>;
 * rel="next"` header; the last page has neither.
 */
import type { FastifyInstance } from 'fastify';
import { LakeResultStore } from '../results/index.ts';
import type { ResultStore } from '../results/result-types.ts';
import { createQueryService, QUERY_STATES, WORKGROUP_ENGINES, type QueryService, type QueryState, type WorkgroupGrantee, type WorkgroupSettings } from '../query/index.ts';
import { principalOf, type ServerContext } from '../server-context.ts';

/** The home lake's results zone as the service's result store, with the configured retention. */
async function openResultStore(context: ServerContext): Promise<ResultStore> {
  return LakeResultStore.open({ store: context.home.lake.storeFor('results'), retentionMs: context.settings.resultRetentionMs });
}

/**
 * Housekeeping on a timer: expired results leave the results zone, and history older than the
 * retention leaves `system.query_history`. Stopped at shutdown; failures are logged, never thrown.
 */
function startHousekeeping(context: ServerContext, results: ResultStore, service: QueryService, log: (message: string, error: unknown) => void): void {
  const { historyRetentionDays, housekeepingIntervalMs } = context.settings;
  const run = async (): Promise<void> => {
    try {
      await results.expire();
      if (historyRetentionDays > 0) await service.pruneHistory(historyRetentionDays * 86_400_000);
    } catch (error) {
      log('housekeeping failed', error);
    }
  };
  const timer = setInterval(() => void run(), housekeepingIntervalMs);
  timer.unref();
  context.onShutdown(async () => {
    clearInterval(timer);
    return Promise.resolve();
  });
}

const queryInfoSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    principal: { type: 'string' },
    workgroup: { type: 'string' },
    statement: { type: 'string' },
    state: { type: 'string', enum: [...QUERY_STATES] },
    submittedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    queuedMs: { type: 'number' },
    planningMs: { type: 'number' },
    executionMs: { type: 'number' },
    bytesPlanned: { type: 'number' },
    bytesScanned: { type: 'number', description: 'Equal to bytesPlanned for now; 0 for a reused result' },
    rowCount: { type: 'number' },
    reused: { type: 'boolean' },
    resultId: { type: 'string', description: 'The query whose stored result holds the rows' },
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

const nullableBytes = { type: ['integer', 'null'], minimum: 1 } as const;
const workgroupSettingsProperties = {
  engine: { type: 'string', enum: [...WORKGROUP_ENGINES] },
  description: { type: 'string', maxLength: 1024 },
  scanCapBytes: { ...nullableBytes, description: 'Per-query scan cap in bytes after pruning (null: none)' },
  timeoutMs: { ...nullableBytes, description: 'Per-query timeout (null: none)' },
  concurrency: { type: 'integer', minimum: 1, maximum: 1024 },
  budgetBytesPerHour: { ...nullableBytes, description: 'Bytes the workgroup may scan per hour (null: unlimited)' },
  budgetBytesPerDay: { ...nullableBytes, description: 'Bytes the workgroup may scan per 24 hours (null: unlimited)' },
} as const;

const workgroupSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    ...workgroupSettingsProperties,
    createdAt: { type: 'number' },
    grants: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' } } } },
  },
} as const;

const granteeSchema = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: { kind: { type: 'string', enum: ['principal', 'group', 'role'] }, name: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } } as const;

export async function registerQueryRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const results = await openResultStore(context);
  const log = (message: string, error: unknown): void => app.log.error({ err: error }, message);
  const service = await createQueryService(context, { results, log });
  startHousekeeping(context, results, service, log);
  registerQueryService(app, service);
}

/** The endpoints over an existing service (tests build the service with their own result store). */
export function registerQueryService(app: FastifyInstance, service: QueryService): void {
  registerQueryEndpoints(app, service);
  registerWorkgroupEndpoints(app, service);
}

function registerQueryEndpoints(app: FastifyInstance, service: QueryService): void {
  app.post<{ Body: { sql: string; workgroup?: string; reuse?: boolean } }>(
    '/api/v1/queries',
    {
      schema: {
        summary: 'Start a query; returns its id at once (poll it for the state)',
        tags: ['queries'],
        body: {
          type: 'object',
          required: ['sql'],
          additionalProperties: false,
          properties: {
            sql: { type: 'string', minLength: 1 },
            workgroup: { type: 'string', maxLength: 64 },
            reuse: { type: 'boolean', default: true, description: 'Answer from the stored result of an identical query over the same snapshots' },
          },
        },
        response: { 202: queryInfoSchema },
      },
    },
    async (request, reply) => {
      const { sql, workgroup, reuse } = request.body;
      const info = await service.submit(principalOf(request), { sql, ...(workgroup === undefined ? {} : { workgroup }), ...(reuse === undefined ? {} : { reuse }) });
      return reply.status(202).header('location', `/api/v1/queries/${info.id}`).send(info);
    },
  );

  app.get<{ Querystring: { limit?: number; state?: QueryState; workgroup?: string } }>(
    '/api/v1/queries',
    {
      schema: {
        summary: "Query history, newest first: the caller's own queries (administrators see everyone's)",
        tags: ['queries'],
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
            state: { type: 'string', enum: [...QUERY_STATES] },
            workgroup: { type: 'string', maxLength: 64 },
          },
        },
        response: { 200: { type: 'object', properties: { queries: { type: 'array', items: queryInfoSchema } } } },
      },
    },
    async (request) => {
      const { limit, state, workgroup } = request.query;
      return {
        queries: await service.list(principalOf(request), {
          ...(limit === undefined ? {} : { limit }),
          ...(state === undefined ? {} : { state }),
          ...(workgroup === undefined ? {} : { workgroup }),
        }),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/queries/:id',
    { schema: { summary: "A query's state, timings, bytes planned, row count and error", tags: ['queries'], params: idParams, response: { 200: queryInfoSchema } } },
    async (request) => service.get(principalOf(request), request.params.id),
  );

  app.get<{ Params: { id: string }; Querystring: { offset: number; limit: number; format: 'json' | 'csv' | 'arrow' } }>(
    '/api/v1/queries/:id/results',
    {
      schema: {
        summary: "A page of a finished query's results (409 QUERY_NOT_FINISHED while it runs)",
        tags: ['queries'],
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            offset: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
            format: { type: 'string', enum: ['json', 'csv', 'arrow'], default: 'json' },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { offset, limit, format } = request.query;
      const page = await service.results(principalOf(request), id, { offset, limit, format });
      void reply.type(page.contentType).header('x-strata-rows', String(page.rows));
      if (page.nextOffset !== undefined) {
        void reply
          .header('x-strata-next-offset', String(page.nextOffset))
          .header('link', `</api/v1/queries/${encodeURIComponent(id)}/results?offset=${page.nextOffset}&limit=${limit}&format=${format}>; rel="next"`);
      }
      return reply.send(typeof page.body === 'string' ? page.body : Buffer.from(page.body.buffer, page.body.byteOffset, page.body.byteLength));
    },
  );

  const cancel = { summary: 'Cancel a queued or running query (a finished one is returned unchanged)', tags: ['queries'], params: idParams, response: { 200: queryInfoSchema } };
  app.delete<{ Params: { id: string } }>('/api/v1/queries/:id', { schema: cancel }, async (request) => service.cancel(principalOf(request), request.params.id));
  app.post<{ Params: { id: string } }>('/api/v1/queries/:id/cancel', { schema: cancel }, async (request) => service.cancel(principalOf(request), request.params.id));
}

function registerWorkgroupEndpoints(app: FastifyInstance, service: QueryService): void {
  app.get(
    '/api/v1/workgroups',
    {
      schema: {
        summary: 'Workgroups the caller may use (administrators: all)',
        tags: ['workgroups'],
        response: { 200: { type: 'object', properties: { workgroups: { type: 'array', items: workgroupSchema } } } },
      },
    },
    async (request) => ({ workgroups: await service.usableWorkgroups(principalOf(request)) }),
  );

  app.post<{ Body: WorkgroupSettings & { name: string } }>(
    '/api/v1/workgroups',
    {
      schema: {
        summary: 'Create a workgroup (administrators)',
        tags: ['workgroups'],
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 63 }, ...workgroupSettingsProperties } },
        response: { 201: workgroupSchema },
      },
    },
    async (request, reply) => {
      const { name, ...settings } = request.body;
      return reply.status(201).send(await service.createWorkgroup(principalOf(request), name, settings));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/workgroups/:name',
    { schema: { summary: 'A workgroup and its USE grants (administrators)', tags: ['workgroups'], params: nameParams, response: { 200: workgroupSchema } } },
    async (request) => {
      await service.requireAdministrator(principalOf(request), 'inspect workgroups');
      const workgroup = await service.workgroups.get(request.params.name);
      return { ...workgroup, grants: await service.workgroups.grants(workgroup.name) };
    },
  );

  app.patch<{ Params: { name: string }; Body: WorkgroupSettings }>(
    '/api/v1/workgroups/:name',
    {
      schema: {
        summary: "Change a workgroup's settings (administrators; null removes a limit)",
        tags: ['workgroups'],
        params: nameParams,
        body: { type: 'object', additionalProperties: false, properties: workgroupSettingsProperties },
        response: { 200: workgroupSchema },
      },
    },
    async (request) => service.updateWorkgroup(principalOf(request), request.params.name, request.body),
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/workgroups/:name',
    { schema: { summary: 'Drop a workgroup and its grants (administrators; not primary)', tags: ['workgroups'], params: nameParams } },
    async (request, reply) => {
      await service.dropWorkgroup(principalOf(request), request.params.name);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { name: string }; Body: WorkgroupGrantee }>(
    '/api/v1/workgroups/:name/grants',
    { schema: { summary: 'Grant USE on a workgroup to a principal, group or role (administrators)', tags: ['workgroups'], params: nameParams, body: granteeSchema } },
    async (request, reply) => {
      await service.grantWorkgroup(principalOf(request), request.params.name, request.body);
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: { name: string; kind: WorkgroupGrantee['kind']; grantee: string } }>(
    '/api/v1/workgroups/:name/grants/:kind/:grantee',
    {
      schema: {
        summary: 'Revoke USE on a workgroup (administrators)',
        tags: ['workgroups'],
        params: {
          type: 'object',
          required: ['name', 'kind', 'grantee'],
          properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['principal', 'group', 'role'] }, grantee: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      const { name, kind, grantee } = request.params;
      await service.revokeWorkgroup(principalOf(request), name, { kind, name: grantee });
      return reply.status(204).send();
    },
  );
}
