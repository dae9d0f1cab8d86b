/**
 * `strata stream replay-dlq`: sends dead letters' raw payloads back to the stream's source — a
 * redrive, as with SQS dead-letter queues — so they go through the stream again, exactly once,
 * with the definition as it is now (fix the schema or the transform first, then replay).
 *
 * - Kafka: produced again to the source topic; HTTP: appended to the ingest log; directory: a new
 *   NDJSON file written into the watched directory (temp name, then renamed in).
 * - Each letter (stream, batch, position) is recorded in the catalog database before it is sent and
 *   is never replayed twice; if sending fails, the claims are released so a retry can send them.
 * - `late` letters are not replayed by default: they would be late again. Letters without a payload
 *   (transform errors, late records) carry the parsed record only and cannot be redriven.
 */
import { randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { StrataError, messageOf } from '../../core/index.ts';
import type { StrataHome } from '../../catalog/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { SqlSession } from '../../sql/index.ts';
import { quoteSqlIdent } from '../../table/index.ts';
import { globToRegExp } from '../../ingest/input-files.ts';
import type { SourceKind, StreamDefinition } from '../model/index.ts';
import type { HttpIngestLog } from '../source/http-ingest-log.ts';
import type { StreamStore } from './stream-store.ts';

export interface ReplayOptions {
  /** Dead-letter reasons to replay (default: unparseable, schema_violation, transform_error). */
  readonly reasons?: readonly string[];
  readonly limit?: number;
}

export interface ReplayResult {
  readonly replayed: number;
  /** Letters matching the reasons but without a payload or already replayed. */
  readonly skipped: number;
  readonly sourceKind: SourceKind;
}

export interface ReplayDeps {
  readonly home: StrataHome;
  readonly store: StreamStore;
  readonly definition: StreamDefinition;
  readonly ingestLog: () => Promise<HttpIngestLog>;
}

const DEFAULT_REASONS = ['unparseable', 'schema_violation', 'transform_error'];

export async function replayDeadLetters(deps: ReplayDeps, options: ReplayOptions = {}): Promise<ReplayResult> {
  const { definition } = deps;
  const reasons = options.reasons ?? DEFAULT_REASONS;
  const sourceKind = definition.source.kind;
  if (!(await deps.home.catalog.tableExists(definition.deadLetterTable))) return { replayed: 0, skipped: 0, sourceKind };
  const letters = await readLetters(deps.home, definition, reasons, options.limit);
  const withPayload = letters.filter((l) => l.payload !== undefined);
  const claimed = await deps.store.claimReplays(
    definition.name,
    withPayload.map((l) => l.id),
  );
  const toSend = withPayload.filter((l) => claimed.has(l.id));
  try {
    if (toSend.length > 0) await redrive(deps, toSend.map((l) => l.payload as Uint8Array));
  } catch (error) {
    await deps.store.unclaimReplays(definition.name, toSend.map((l) => l.id));
    throw new StrataError('SOURCE_UNAVAILABLE', `Replaying ${toSend.length} dead letter(s) of ${definition.name} into its ${sourceKind} source failed: ${messageOf(error)}; nothing was marked replayed, so retry`, {
      stream: definition.name,
    }, { cause: error });
  }
  return { replayed: toSend.length, skipped: letters.length - toSend.length, sourceKind };
}

interface Letter {
  readonly id: string;
  readonly payload?: Uint8Array;
}

async function readLetters(home: StrataHome, definition: StreamDefinition, reasons: readonly string[], limit: number | undefined): Promise<Letter[]> {
  const session = await SqlSession.open({ catalog: home.catalog, engine: DuckDbEngine.create(home.runtime), runtime: home.runtime });
  const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
  const reasonList = reasons.length === 0 ? "''" : reasons.map(quote).join(', ');
  const sql =
    `SELECT batch_id, ${quoteSqlIdent('position')}, payload FROM ${definition.deadLetterTable} ` +
    `WHERE stream = ${quote(definition.name)} AND reason IN (${reasonList}) ORDER BY batch_id, ${quoteSqlIdent('position')}` +
    (limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`);
  const result = await session.execute(sql);
  const letters: Letter[] = [];
  if (result.kind !== 'rows') return letters;
  for await (const batch of result.rows) {
    for (const [batchId, position, payload] of batch) {
      const id = `${String(batchId)}/${String(position)}`;
      letters.push(payload instanceof Uint8Array ? { id, payload } : { id });
    }
  }
  return letters;
}

async function redrive(deps: ReplayDeps, payloads: readonly Uint8Array[]): Promise<void> {
  const source = deps.definition.source;
  switch (source.kind) {
    case 'http': {
      const log = await deps.ingestLog();
      await log.append(joinLines(payloads));
      return;
    }
    case 'directory': {
      if (source.format.kind !== 'json') {
        throw new StrataError('UNSUPPORTED_FEATURE', `Replay into a directory source writes NDJSON; stream ${deps.definition.name} reads ${source.format.kind} files`);
      }
      const name = replayFileName(source.pattern);
      const temp = join(source.path, `.${name}.tmp`);
      await writeFile(temp, joinLines(payloads));
      await rename(temp, join(source.path, name));
      return;
    }
    case 'kafka': {
      const kafka = new Kafka({ clientId: `strata-replay-${deps.definition.name}`, brokers: [...source.brokers], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
      const producer = kafka.producer();
      await producer.connect();
      try {
        await producer.send({ topic: source.topic, acks: -1, messages: payloads.map((value) => ({ value: Buffer.from(value) })) });
      } finally {
        await producer.disconnect();
      }
      return;
    }
  }
}

function joinLines(payloads: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(payloads.flatMap((p) => [Buffer.from(p), Buffer.from('\n')]));
}

/** `replay-<time>-<id>.<ext>`, with the extension the watched pattern expects (`*.ndjson` → .ndjson). */
function replayFileName(pattern: string): string {
  const extension = /^\*(\.[A-Za-z0-9]+)$/.exec(pattern)?.[1] ?? '.ndjson';
  const name = `replay-${new Date().toISOString().replace(/[:.]/g, '')}-${randomUUID().slice(0, 8)}${extension}`;
  if (!globToRegExp(pattern).test(name)) {
    throw new StrataError('UNSUPPORTED_FEATURE', `Replayed records would be written as ${name}, which the stream's pattern ${pattern} does not match; widen the pattern (e.g. *.ndjson)`);
  }
  return name;
}
