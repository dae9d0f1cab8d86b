/**
 * Iceberg REST table endpoints:
 *
 *   GET    /v1/namespaces/{ns}/tables              list (tables the principal may DESCRIBE)
 *   POST   /v1/namespaces/{ns}/tables              create, or stage a create (`stage-create: true`)
 *   GET    /v1/namespaces/{ns}/tables/{t}          load: LoadTableResult (unrestricted SELECT only)
 *   HEAD   /v1/namespaces/{ns}/tables/{t}          exists (204 / 404)
 *   POST   /v1/namespaces/{ns}/tables/{t}          commit requirements + updates (or a staged create)
 *   DELETE /v1/namespaces/{ns}/tables/{t}          drop (`purgeRequested=true` deletes the files)
 *   POST   /v1/tables/rename                       rename / move
 *   POST   /v1/namespaces/{ns}/register            register an existing metadata file (administrators)
 *   POST   /v1/transactions/commit                 a transaction of ONE table change (more: 406)
 */
import type { FastifyInstance } from 'fastify';
import type { TableIdentifier } from '../../../catalog/index.ts';
import { StrataError } from '../../../core/index.ts';
import type { Governed } from './rest-governance.ts';
import { ownTheNewObject } from '../../../sql/index.ts';
import { applyUpdates, type TableChange, type TableMetadata } from '../../../table/index.ts';
import type { ServerContext } from '../../server-context.ts';
import {
  governed,
  onTable,
  privilegesForCommit,
  requireFilesInsideTable,
  requireRenameKeepsPolicies,
  requireUnrestrictedRead,
  requireVisibleTable,
  visibleTables,
} from './rest-governance.ts';
import { tableChangeFromJson } from './rest-table-change.ts';
import {
  commitToTable,
  createByCommit,
  isCreateCommit,
  loadTableResult,
  metadataJson,
  metadataFromCreateCommit,
  metadataFromCreateRequest,
  requestedLocation,
  tableResult,
} from './rest-table-ops.ts';
import { identifierOf, namespaceFromPath, objectOf, sendJson, stringOf } from './rest-wire.ts';

const TAGS = ['Iceberg REST catalog'];
const NS_PARAMS = { type: 'object', properties: { ns: { type: 'string' } }, required: ['ns'] } as const;
const TABLE_PARAMS = { type: 'object', properties: { ns: { type: 'string' }, table: { type: 'string' } }, required: ['ns', 'table'] } as const;
const COMMIT_BODY = {
  type: 'object',
  properties: { identifier: { type: 'object' }, requirements: { type: 'array' }, updates: { type: 'array' } },
} as const;

type TableParams = { ns: string; table: string };

export function registerTableRoutes(app: FastifyInstance, context: ServerContext): void {
  const catalog = context.home.catalog;
  const idOf = (params: TableParams): TableIdentifier => ({ namespace: namespaceFromPath(params.ns), name: params.table });

  /** One table change, created or committed under `g`; returns what the response reports. */
  async function commitChange(g: Governed, id: TableIdentifier, change: TableChange): Promise<{ metadata: TableMetadata; metadataLocation: string | undefined }> {
    const { guard, governor } = g;
    if (isCreateCommit(change)) {
      await catalog.loadNamespaceProperties(id.namespace);
      guard.require('CREATE_TABLE', { database: onTable(id).database });
      const location = await catalog.defaultTableLocation(id);
      const next = metadataFromCreateCommit(change.updates, location);
      await requireFilesInsideTable(guard, { store: catalog.storeForUri(next.location), name: `${onTable(id).database}.${id.name}`, location }, undefined, next, change.updates);
      const table = await createByCommit(catalog, id, change, location);
      await ownTheNewObject(governor, onTable(id));
      return { metadata: table.metadata(), metadataLocation: table.ops.currentLocation() };
    }
    const table = await catalog.loadTable(id);
    const base = table.metadata();
    requireUnrestrictedRead(guard, id, table.schema());
    for (const privilege of privilegesForCommit(base, change.updates)) guard.require(privilege, onTable(id));
    if (!guard.principal.administrator) {
      await requireFilesInsideTable(guard, { store: table.ops.store, name: table.name, location: base.location }, base, applyUpdates(base, change.updates), change.updates);
    }
    return commitToTable(table, change);
  }

  app.get<{ Params: { ns: string } }>(
    '/v1/namespaces/:ns/tables',
    { schema: { summary: 'List the tables of a namespace', tags: TAGS, params: NS_PARAMS, querystring: { type: 'object', properties: { pageToken: { type: 'string' }, pageSize: { type: 'integer' } } } } },
    async (request, reply) =>
      governed(request, context, 'list_tables', async ({ guard }) => {
        const tables = await visibleTables(catalog, guard, namespaceFromPath(request.params.ns));
        return sendJson(reply, { identifiers: tables.map((t) => ({ namespace: t.namespace, name: t.name })) });
      }),
  );

  app.post<{ Params: { ns: string }; Body: unknown }>(
    '/v1/namespaces/:ns/tables',
    {
      schema: {
        summary: 'Create a table, or stage its creation (stage-create) for a later assert-create commit',
        tags: TAGS,
        params: NS_PARAMS,
        body: {
          type: 'object',
          required: ['name', 'schema'],
          properties: {
            name: { type: 'string' },
            location: { type: ['string', 'null'] },
            schema: { type: 'object' },
            'partition-spec': { type: ['object', 'null'] },
            'write-order': { type: ['object', 'null'] },
            'stage-create': { type: 'boolean' },
            properties: { type: 'object' },
          },
        },
      },
    },
    async (request, reply) =>
      governed(request, context, 'create_table', async ({ guard, governor }) => {
        const body = objectOf(request.body, 'body');
        const id: TableIdentifier = { namespace: namespaceFromPath(request.params.ns), name: stringOf(body['name'], 'name') };
        await catalog.loadNamespaceProperties(id.namespace);
        guard.require('CREATE_TABLE', { database: onTable(id).database });
        const explicit = requestedLocation(body);
        if (explicit !== undefined && !guard.principal.administrator) {
          throw new StrataError('ACCESS_DENIED', `${guard.principal.name} may not choose a table location; only administrators may (leave location out)`, { principal: guard.principal.name });
        }
        const metadata = metadataFromCreateRequest(body, explicit ?? (await catalog.defaultTableLocation(id)));
        if (body['stage-create'] === true) {
          if (await catalog.tableExists(id)) throw new StrataError('TABLE_ALREADY_EXISTS', `Table ${onTable(id).database}.${id.name} already exists`);
          catalog.storeForUri(metadata.location);
          return sendJson(reply, loadTableResult(metadata, undefined));
        }
        const table = await catalog.createTableFromMetadata(id, metadata);
        await ownTheNewObject(governor, onTable(id));
        return sendJson(reply, tableResult(table));
      }),
  );

  app.get<{ Params: TableParams }>(
    '/v1/namespaces/:ns/tables/:table',
    {
      exposeHeadRoute: false,
      schema: { summary: 'Load a table (metadata location, metadata, config)', tags: TAGS, params: TABLE_PARAMS, querystring: { type: 'object', properties: { snapshots: { type: 'string', enum: ['all', 'refs'] } } } },
    },
    async (request, reply) =>
      governed(request, context, 'load_table', async ({ guard }) => {
        const id = idOf(request.params);
        const table = await catalog.loadTable(id);
        requireUnrestrictedRead(guard, id, table.schema());
        return sendJson(reply, tableResult(table));
      }),
  );

  app.head<{ Params: TableParams }>(
    '/v1/namespaces/:ns/tables/:table',
    { schema: { summary: 'Whether a table exists (204, else 404)', tags: TAGS, params: TABLE_PARAMS } },
    async (request, reply) =>
      governed(request, context, 'table_exists', async ({ guard }) => {
        const id = idOf(request.params);
        requireVisibleTable(guard, id, (await catalog.loadTable(id)).schema());
        return reply.status(204).send();
      }),
  );

  app.post<{ Params: TableParams; Body: unknown }>(
    '/v1/namespaces/:ns/tables/:table',
    { schema: { summary: 'Commit requirements + updates to a table (CommitTableRequest)', tags: TAGS, params: TABLE_PARAMS, body: COMMIT_BODY } },
    async (request, reply) =>
      governed(request, context, 'commit_table', async (g) => {
        const change = tableChangeFromJson(objectOf(request.body, 'body'));
        const { metadata, metadataLocation } = await commitChange(g, idOf(request.params), change);
        return sendJson(reply, { 'metadata-location': metadataLocation, metadata: metadataJson(metadata) });
      }),
  );

  app.delete<{ Params: TableParams; Querystring: { purgeRequested?: boolean } }>(
    '/v1/namespaces/:ns/tables/:table',
    { schema: { summary: 'Drop a table (purgeRequested=true also deletes its files)', tags: TAGS, params: TABLE_PARAMS, querystring: { type: 'object', properties: { purgeRequested: { type: 'boolean' } } } } },
    async (request, reply) =>
      governed(request, context, 'drop_table', async ({ guard, governor }) => {
        const id = idOf(request.params);
        await catalog.loadTable(id);
        guard.require('DROP', onTable(id));
        await catalog.dropTable(id, { purge: request.query.purgeRequested === true });
        await governor.policies.forgetTable(onTable(id).database, id.name);
        return reply.status(204).send();
      }),
  );

  app.post<{ Body: unknown }>(
    '/v1/tables/rename',
    { schema: { summary: 'Rename or move a table', tags: TAGS, body: { type: 'object', required: ['source', 'destination'], properties: { source: { type: 'object' }, destination: { type: 'object' } } } } },
    async (request, reply) =>
      governed(request, context, 'rename_table', async ({ guard }) => {
        const body = objectOf(request.body, 'body');
        const from = identifierOf(body['source'], 'source');
        const to = identifierOf(body['destination'], 'destination');
        await catalog.loadTable(from);
        guard.require('ALTER', onTable(from));
        guard.require('CREATE_TABLE', { database: onTable(to).database });
        requireRenameKeepsPolicies(guard, from, to);
        await catalog.renameTable(from, to);
        return reply.status(204).send();
      }),
  );

  app.post<{ Params: { ns: string }; Body: unknown }>(
    '/v1/namespaces/:ns/register',
    {
      schema: {
        summary: 'Register a table from an existing metadata file inside the lake (administrators only)',
        tags: TAGS,
        params: NS_PARAMS,
        body: { type: 'object', required: ['name', 'metadata-location'], properties: { name: { type: 'string' }, 'metadata-location': { type: 'string' }, overwrite: { type: 'boolean' } } },
      },
    },
    async (request, reply) =>
      governed(request, context, 'register_table', async ({ guard }) => {
        const body = objectOf(request.body, 'body');
        const id: TableIdentifier = { namespace: namespaceFromPath(request.params.ns), name: stringOf(body['name'], 'name') };
        // Registering any metadata file would expose any table's raw files under a new name.
        guard.require('ADMIN', {});
        if (body['overwrite'] === true) throw new StrataError('UNSUPPORTED_FEATURE', 'register with overwrite is not supported; drop the table first, then register');
        const location = stringOf(body['metadata-location'], 'metadata-location');
        try {
          return sendJson(reply, tableResult(await catalog.registerTable(id, location)));
        } catch (error) {
          if (!StrataError.is(error, 'CORRUPT_FILE')) throw error;
          throw new StrataError('INVALID_ARGUMENT', `Invalid request: metadata-location ${location} is not a readable Iceberg metadata file (${error.message})`, { location });
        }
      }),
  );

  app.post<{ Body: unknown }>(
    '/v1/transactions/commit',
    { schema: { summary: 'Commit a transaction (Strata: exactly one table change)', tags: TAGS, body: { type: 'object', required: ['table-changes'], properties: { 'table-changes': { type: 'array' } } } } },
    async (request, reply) =>
      governed(request, context, 'commit_transaction', async (g) => {
        const changes = objectOf(request.body, 'body')['table-changes'];
        if (!Array.isArray(changes)) throw new StrataError('INVALID_ARGUMENT', 'Invalid request: table-changes must be an array');
        if (changes.length !== 1) {
          throw new StrataError('UNSUPPORTED_FEATURE', `Strata commits one table atomically, not ${changes.length}: commit each table separately (POST /v1/namespaces/{ns}/tables/{table})`);
        }
        const json = objectOf(changes[0], 'table-changes[0]');
        await commitChange(g, identifierOf(json['identifier'], 'table-changes[0].identifier'), tableChangeFromJson(json));
        return reply.status(204).send();
      }),
  );
}
