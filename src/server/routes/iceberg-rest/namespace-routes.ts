/**
 * Iceberg REST namespace endpoints (a namespace is a Strata database):
 *
 *   GET    /v1/namespaces[?parent=a%1Fb]      list (only namespaces the principal may see)
 *   POST   /v1/namespaces                     create (ADMIN on the catalog)
 *   GET    /v1/namespaces/{ns}                load properties
 *   HEAD   /v1/namespaces/{ns}                exists (204 / 404)
 *   POST   /v1/namespaces/{ns}/properties     update / remove properties (ALTER)
 *   DELETE /v1/namespaces/{ns}                drop an empty namespace (DROP)
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../server-context.ts';
import { ownTheNewObject } from '../../../sql/index.ts';
import { governed, requireVisibleNamespace, visibleTables } from './rest-governance.ts';
import { databaseOf, namespaceFromPath, objectOf, sendJson, stringArrayOf, stringMapOf } from './rest-wire.ts';

const NS_PARAMS = { type: 'object', properties: { ns: { type: 'string', description: 'Namespace; levels joined by %1F' } }, required: ['ns'] } as const;
const TAGS = ['Iceberg REST catalog'];

export function registerNamespaceRoutes(app: FastifyInstance, context: ServerContext): void {
  const catalog = context.home.catalog;

  app.get<{ Querystring: { parent?: string } }>(
    '/v1/namespaces',
    {
      schema: {
        summary: 'List namespaces (children of `parent`, else top-level)',
        tags: TAGS,
        querystring: { type: 'object', properties: { parent: { type: 'string' }, pageToken: { type: 'string' }, pageSize: { type: 'integer' } } },
      },
    },
    async (request, reply) =>
      governed(request, context, 'list_namespaces', async ({ guard }) => {
        const parent = request.query.parent ? namespaceFromPath(request.query.parent) : undefined;
        const all = await catalog.listNamespaces(parent);
        const visible: string[][] = [];
        for (const ns of all) {
          if (guard.principal.administrator || guard.decidePrivilege('DESCRIBE', { database: databaseOf(ns) }).allowed || (await visibleTables(catalog, guard, ns)).length > 0) {
            visible.push(ns);
          }
        }
        return sendJson(reply, { namespaces: visible });
      }),
  );

  app.post<{ Body: unknown }>(
    '/v1/namespaces',
    {
      schema: {
        summary: 'Create a namespace',
        tags: TAGS,
        body: { type: 'object', required: ['namespace'], properties: { namespace: { type: 'array', items: { type: 'string' } }, properties: { type: 'object' } } },
      },
    },
    async (request, reply) =>
      governed(request, context, 'create_namespace', async ({ guard, governor }) => {
        const body = objectOf(request.body, 'body');
        const namespace = stringArrayOf(body['namespace'], 'namespace');
        const properties = stringMapOf(body['properties'], 'properties');
        guard.require('ADMIN', {});
        await catalog.createNamespace(namespace, properties);
        await ownTheNewObject(governor, { database: databaseOf(namespace) });
        return sendJson(reply, { namespace, properties: await catalog.loadNamespaceProperties(namespace) });
      }),
  );

  app.get<{ Params: { ns: string } }>(
    '/v1/namespaces/:ns',
    { exposeHeadRoute: false, schema: { summary: 'Load a namespace and its properties', tags: TAGS, params: NS_PARAMS } },
    async (request, reply) =>
      governed(request, context, 'load_namespace', async ({ guard }) => {
        const namespace = namespaceFromPath(request.params.ns);
        const properties = await catalog.loadNamespaceProperties(namespace);
        await requireVisibleNamespace(catalog, guard, namespace);
        return sendJson(reply, { namespace, properties });
      }),
  );

  app.head<{ Params: { ns: string } }>(
    '/v1/namespaces/:ns',
    { schema: { summary: 'Whether a namespace exists (204, else 404)', tags: TAGS, params: NS_PARAMS } },
    async (request, reply) =>
      governed(request, context, 'namespace_exists', async ({ guard }) => {
        const namespace = namespaceFromPath(request.params.ns);
        await catalog.loadNamespaceProperties(namespace);
        await requireVisibleNamespace(catalog, guard, namespace);
        return reply.status(204).send();
      }),
  );

  app.post<{ Params: { ns: string }; Body: unknown }>(
    '/v1/namespaces/:ns/properties',
    {
      schema: {
        summary: 'Set and remove namespace properties',
        tags: TAGS,
        params: NS_PARAMS,
        body: { type: 'object', properties: { removals: { type: 'array', items: { type: 'string' } }, updates: { type: 'object' } } },
      },
    },
    async (request, reply) =>
      governed(request, context, 'update_namespace_properties', async ({ guard }) => {
        const namespace = namespaceFromPath(request.params.ns);
        const body = objectOf(request.body ?? {}, 'body');
        const removals = body['removals'] === undefined || body['removals'] === null ? [] : stringArrayOf(body['removals'], 'removals');
        const updates = stringMapOf(body['updates'], 'updates');
        await catalog.loadNamespaceProperties(namespace);
        guard.require('ALTER', { database: databaseOf(namespace) });
        return sendJson(reply, await catalog.backend.updateNamespaceProperties(namespace, removals, updates));
      }),
  );

  app.delete<{ Params: { ns: string } }>(
    '/v1/namespaces/:ns',
    { schema: { summary: 'Drop an empty namespace', tags: TAGS, params: NS_PARAMS } },
    async (request, reply) =>
      governed(request, context, 'drop_namespace', async ({ guard, governor }) => {
        const namespace = namespaceFromPath(request.params.ns);
        await catalog.loadNamespaceProperties(namespace);
        guard.require('DROP', { database: databaseOf(namespace) });
        await catalog.dropNamespace(namespace);
        await governor.policies.forgetDatabase(databaseOf(namespace));
        return reply.status(204).send();
      }),
  );
}
