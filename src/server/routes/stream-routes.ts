/**
 * Streams over HTTP: `POST /api/v1/streams/:name/records` appends an NDJSON body to the stream's
 * durable ingest log (acknowledged only once durable; 429 with Retry-After when the stream is
 * behind), and read-only status routes. With `strata serve --streams` the server also runs every
 * stream marked to run (StreamService.supervise). Managing streams is for administrators; so is
 * ingest for now (a per-stream ingest grant is a listed gap in docs/streams.md).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StrataError } from '../../core/index.ts';
import { StreamService, ingestRequest, type StreamRecord } from '../../stream/index.ts';
import { principalOf, type ServerContext } from '../server-context.ts';

/** Largest body the route reads at all; each stream's own `max_request_bytes` is checked inside. */
const ROUTE_BODY_LIMIT = 256 * 1024 * 1024;

export async function registerStreamRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const streams = await StreamService.open({ home: context.home, metrics: context.metrics, log: (line) => app.log.info(line) });
  const supervising = context.settings.runStreams ? streams.supervise() : undefined;
  context.onShutdown(async () => {
    await streams.close();
    await supervising;
  });
  const requireAdministrator = async (principal: string): Promise<void> => {
    if (!(await context.governance.identity.isAdministrator(principal))) {
      throw new StrataError('ACCESS_DENIED', `Only administrators may use streams; ${principal} is not one`, { principal });
    }
  };

  await app.register(async (scope) => {
    scope.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'text/plain', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: ROUTE_BODY_LIMIT }, (_request, body, done) => {
      done(null, body);
    });
    scope.post<{ Params: { name: string }; Body: Buffer }>(
      '/api/v1/streams/:name/records',
      {
        bodyLimit: ROUTE_BODY_LIMIT,
        schema: { summary: 'Append NDJSON records to a stream with an http source (acknowledged once durable)', tags: ['streams'] },
      },
      async (request, reply) => {
        await requireAdministrator(principalOf(request));
        return ingest(streams, request.params.name, request.body, reply);
      },
    );
  });

  app.get('/api/v1/streams', { schema: { summary: 'Registered streams and their last micro-batch', tags: ['streams'] } }, async (request) => {
    await requireAdministrator(principalOf(request));
    const records = await streams.store.list();
    return { streams: await Promise.all(records.map(async (r) => ({ ...summary(r), lastBatch: (await streams.store.progress(r.name, 1))[0] ?? null }))) };
  });

  app.get<{ Params: { name: string } }>('/api/v1/streams/:name', { schema: { summary: 'A stream, its definition and its recent micro-batches', tags: ['streams'] } }, async (request) => {
    await requireAdministrator(principalOf(request));
    const record = await streams.store.require(request.params.name);
    return { ...summary(record), definition: record.definition, batches: await streams.store.progress(record.name, 20) };
  });
}

/** The ingest handler, shared with `strata stream start --port` (src/cli/commands/stream/stream-side-server.ts). */
export async function ingest(streams: StreamService, name: string, body: Buffer | undefined, reply: FastifyReply): Promise<unknown> {
  const { log, definition } = await streams.ingestLog(name);
  if (definition.source.kind !== 'http') throw new StrataError('INVALID_ARGUMENT', `Stream ${name} has no http source`);
  const answer = await ingestRequest(log, definition.source, new Uint8Array(body ?? Buffer.alloc(0)));
  if (answer.retryAfterSeconds !== undefined) void reply.header('retry-after', String(answer.retryAfterSeconds));
  return reply.status(answer.status).send(answer.body);
}

function summary(record: StreamRecord): Record<string, unknown> {
  return {
    name: record.name,
    version: record.version,
    source: record.definition.source.kind,
    sink: record.definition.sink.table,
    desired: record.desired,
    status: record.status,
    ...(record.leaseOwner ? { runner: record.leaseOwner } : {}),
    ...(record.lastError ? { lastError: record.lastError } : {}),
  };
}
