/**
 * The stream's dead-letter table: one row per record the stream could not process, with the reason,
 * the error, where it came from, its raw payload and — for late records — the window it missed and
 * the watermark. Each batch's letters are one append whose summary carries the batch markers, and a
 * batch already in the table is not written again (a replayed batch produces the same letters).
 * Partitioned by day of `recorded_at` (the batch's processing time) for cheap retention.
 */
import type { Catalog } from '../../catalog/index.ts';
import { ensureTable } from '../../catalog/index.ts';
import { Types, field, type NestedField } from '../../table/index.ts';
import { batchCommitSummary, lastBatchCommit, refuseCommittedBatch, type DeadLetter, type StreamRow } from '../model/index.ts';
import { rowToJson } from '../format/index.ts';
import { StrataError } from '../../core/index.ts';

export const DEAD_LETTER_FIELDS: readonly NestedField[] = [
  field(1, 'stream', Types.string, true),
  field(2, 'batch_id', Types.long, true),
  field(3, 'reason', Types.string, true),
  field(4, 'error', Types.string, true),
  field(5, 'position', Types.string, true),
  field(6, 'payload', Types.binary),
  field(7, 'payload_text', Types.string),
  field(8, 'record', Types.string),
  field(9, 'event_time', Types.timestamptz),
  field(10, 'window_start', Types.timestamptz),
  field(11, 'window_end', Types.timestamptz),
  field(12, 'watermark', Types.timestamptz),
  field(13, 'recorded_at', Types.timestamptz, true),
];

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DeadLetterWrite {
  readonly catalog: Catalog;
  readonly table: string;
  readonly stream: string;
  readonly batchId: number;
  readonly batchTimestampMs: number;
  readonly letters: readonly DeadLetter[];
}

/** Appends a batch's dead letters (once); returns how many rows were written (0 when already there). */
export async function writeDeadLetters(write: DeadLetterWrite): Promise<number> {
  const { catalog, table: name, stream, batchId } = write;
  const database = name.slice(0, name.lastIndexOf('.'));
  if (!(await catalog.listNamespaces()).some((n) => n.join('.') === database)) {
    await catalog.createNamespace(database.split('.'), { zone: 'processed' }).catch((error: unknown) => {
      if (!StrataError.is(error, 'NAMESPACE_ALREADY_EXISTS')) throw error;
    });
  }
  const table = await ensureTable(catalog, name, DEAD_LETTER_FIELDS, { partitionBy: [{ source: 'recorded_at', transform: 'day' }] });
  const last = lastBatchCommit(await table.refresh(), stream);
  if (last && last.batchId >= batchId) return 0;
  const recordedAt = BigInt(write.batchTimestampMs) * 1000n;
  const rows = write.letters.map((letter) => toRow(stream, batchId, recordedAt, letter));
  try {
    await table.append({ rows }, { summary: batchCommitSummary({ stream, batchId, offsets: {} }), validate: refuseCommittedBatch(stream, batchId) });
  } catch (error) {
    if (StrataError.is(error, 'COMMIT_CONFLICT') && error.details['duplicate'] === true) return 0;
    throw error;
  }
  return rows.length;
}

function toRow(stream: string, batchId: number, recordedAt: bigint, letter: DeadLetter): Record<string, unknown> {
  return {
    stream,
    batch_id: BigInt(batchId),
    reason: letter.reason,
    error: letter.error,
    position: letter.position,
    payload: letter.payload ?? null,
    payload_text: letter.payload ? textOf(letter.payload) : null,
    record: letter.record ? rowToJson(letter.record as StreamRow) : null,
    event_time: isoOf(letter.eventTime),
    window_start: isoOf(letter.windowStart),
    window_end: isoOf(letter.windowEnd),
    watermark: isoOf(letter.watermark),
    recorded_at: isoOf(recordedAt),
  };
}

function textOf(payload: Uint8Array): string | null {
  try {
    return utf8.decode(payload);
  } catch {
    return null;
  }
}

/** rowsToSql takes timestamps as text: µs → ISO-8601 with microseconds, UTC. */
function isoOf(micros: bigint | undefined): string | null {
  if (micros === undefined) return null;
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  return `${new Date(Number(ms)).toISOString().slice(0, 19)}.${String(fraction).padStart(6, '0')}+00:00`;
}
