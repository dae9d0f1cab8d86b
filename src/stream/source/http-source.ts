/**
 * The HTTP source: records POSTed as NDJSON to `/api/v1/streams/<name>/records` (server route or
 * `strata stream start --port`) land in the stream's ingest log (http-ingest-log.ts); the stream
 * reads whole segments. Offsets: `{ segments: n }`, the segments consumed.
 *
 * Ingest does not validate records: a malformed line is accepted and reaches the dead-letter table
 * when processed, with its raw bytes — so nothing a client sent is ever lost, and the client learns
 * about bad records from the table (or the metrics) rather than from a half-accepted request.
 */
import { StrataError } from '../../core/index.ts';
import type { HttpSourceDefinition, SourceContext, SourceOffsets, SourceRecord, StreamSource } from '../model/index.ts';
import { HttpIngestLog } from './http-ingest-log.ts';
import { countNdjsonLines, ndjsonLines } from './ndjson-lines.ts';

export interface IngestReply {
  readonly status: 200 | 400 | 413 | 429;
  readonly body: Record<string, unknown>;
  readonly retryAfterSeconds?: number;
}

/** Handles one POST of NDJSON records to a stream with an http source. */
export async function ingestRequest(log: HttpIngestLog, definition: HttpSourceDefinition, body: Uint8Array): Promise<IngestReply> {
  if (body.length > definition.maxRequestBytes) {
    return { status: 413, body: error('REQUEST_TOO_LARGE', `The body has ${body.length} bytes; this stream accepts at most ${definition.maxRequestBytes} per request: send smaller batches`) };
  }
  if (countNdjsonLines(body) === 0) return { status: 400, body: error('INVALID_ARGUMENT', 'The body has no records; send NDJSON, one record per line') };
  const backlog = await log.backlog();
  if (backlog >= definition.maxBacklogRecords) {
    return {
      status: 429,
      retryAfterSeconds: 1,
      body: error('QUOTA_EXCEEDED', `The stream is behind: ${backlog} records accepted but not yet processed (limit ${definition.maxBacklogRecords}); retry after the Retry-After delay`),
    };
  }
  const { segment, records } = await log.append(body);
  return { status: 200, body: { segment, records } };
}

function error(code: string, message: string): Record<string, unknown> {
  return { error: { code, message } };
}

export function openHttpSource(_definition: HttpSourceDefinition, context: SourceContext): Promise<StreamSource> {
  const log = new HttpIngestLog(context.store);
  const position = (offsets: SourceOffsets): number => offsets['segments'] ?? 0;
  return Promise.resolve({
    kind: 'http',
    initialOffsets: async () => ({ segments: await log.committed() }),
    async latestOffsets(from, maxRecords) {
      let end = position(from);
      let total = 0;
      for (const segment of await log.segments(position(from))) {
        if (end > position(from) && total + segment.records > maxRecords) break;
        total += segment.records;
        end = segment.seq + 1;
      }
      return { segments: end };
    },
    async *read(from, to) {
      const segments = await log.segments(position(from));
      for (let seq = position(from); seq < position(to); seq++) {
        const segment = segments.find((s) => s.seq === seq);
        if (!segment) throw new StrataError('STATE_CORRUPT', `Ingest segment ${seq} of stream ${context.stream} is missing; it was acknowledged, so the log was changed outside Strata`, { segment: seq });
        const body = await log.read(seq);
        const records: SourceRecord[] = [];
        for (const { line, bytes } of ndjsonLines(body)) records.push({ payload: bytes, position: `http/${seq}:${line}`, timestampMs: segment.writtenAtMs });
        yield records;
      }
    },
    committed: (to) => log.markCommitted(position(to)),
    async backlog(from) {
      let total = 0;
      for (const segment of await log.segments(position(from))) total += segment.records;
      return total;
    },
    close: () => Promise.resolve(),
  });
}
