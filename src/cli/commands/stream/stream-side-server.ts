/**
 * The small HTTP listener `strata stream start --port` runs next to a stream outside `strata serve`:
 * `/metrics` (the runner's Prometheus registry) and, for an http source, the same ingest route as
 * the server (`POST /api/v1/streams/<name>/records`). Loopback only and without authentication —
 * it is the standalone, single-machine mode; expose streams to other machines through
 * `strata serve --streams`, which authenticates.
 */
import Fastify from 'fastify';
import type { Registry } from 'prom-client';
import { StrataError } from '../../../core/index.ts';
import { errorResponse } from '../../../server/index.ts';
import { ingest } from '../../../server/routes/stream-routes.ts';
import type { StreamService } from '../../../stream/index.ts';

export interface SideServer {
  readonly url: string;
  /** True when the stream's http source takes records here. */
  readonly ingest: boolean;
  close(): Promise<void>;
}

export async function startStreamSideServer(options: { service: StreamService; stream: string; port: number; metrics: Registry }): Promise<SideServer> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) throw new StrataError('INVALID_ARGUMENT', `--port must be 0 … 65535, not ${options.port}`);
  const record = await options.service.store.require(options.stream);
  const app = Fastify({ logger: false });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body } = errorResponse(error, request.id);
    return reply.status(status).send(body);
  });
  app.get('/metrics', async (_request, reply) => reply.type(options.metrics.contentType).send(await options.metrics.metrics()));
  const takesRecords = record.definition.source.kind === 'http';
  if (takesRecords) {
    const limit = record.definition.source.kind === 'http' ? record.definition.source.maxRequestBytes + 1 : 0;
    app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'text/plain', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => {
      done(null, body);
    });
    app.post<{ Params: { name: string }; Body: Buffer }>('/api/v1/streams/:name/records', { bodyLimit: limit }, async (request, reply) => {
      if (request.params.name !== options.stream) throw new StrataError('STREAM_NOT_FOUND', `This listener serves stream ${options.stream} only`, { stream: request.params.name });
      return ingest(options.service, options.stream, request.body, reply);
    });
  }
  const address = await app.listen({ host: '127.0.0.1', port: options.port });
  return { url: address, ingest: takesRecords, close: () => app.close() };
}
