/**
 * Deduplication within the watermark: the first record of each key tuple passes, later ones with
 * the same keys are dropped. With event time, a key is remembered until the watermark passes its
 * event time (then a duplicate could only be late anyway), and a record older than the watermark in
 * force is late → dead letter, since its key may already have been forgotten. Without event time
 * keys are remembered until the state TTL (`state.ttl`) drops them.
 */
import { StrataError } from '../../core/index.ts';
import { positionOf, type BatchContext, type DedupTransform, type RowFields, type StreamOperator, type StreamRow } from '../model/index.ts';
import { groupKey } from './group-key.ts';
import { isoOfMicros } from '../time/index.ts';

export function createDedupOperator(options: { id: string; transform: DedupTransform; timeColumn: string | undefined }): StreamOperator {
  const { id, transform, timeColumn } = options;
  return {
    id,
    outputFields(input: RowFields): Promise<RowFields> {
      const missing = [...transform.keys, ...(timeColumn ? [timeColumn] : [])].filter((k) => !input.some((f) => f.name === k));
      if (missing.length > 0) {
        return Promise.reject(
          new StrataError('STREAM_INVALID', `Dedup needs column(s) ${missing.join(', ')} in its input; the input has ${input.map((f) => f.name).join(', ')}`, { transform: id }),
        );
      }
      return Promise.resolve(input);
    },
    process(rows: readonly StreamRow[], context: BatchContext): Promise<StreamRow[]> {
      const seen = context.state.namespace<bigint | true>(id);
      const watermark = context.watermark;
      const out: StreamRow[] = [];
      for (const row of rows) {
        const t = timeColumn === undefined ? undefined : row[timeColumn];
        if (timeColumn !== undefined && typeof t !== 'bigint') {
          context.deadLetter({ reason: 'schema_violation', error: `event time column ${timeColumn} is null`, position: positionOf(row), record: row });
          continue;
        }
        if (watermark !== undefined && typeof t === 'bigint' && t < watermark) {
          context.deadLetter({
            reason: 'late',
            error: `event time ${isoOfMicros(t)} is behind the watermark ${isoOfMicros(watermark)}: duplicates of it may no longer be recognised`,
            position: positionOf(row),
            record: row,
            eventTime: t,
            watermark,
          });
          continue;
        }
        const key = groupKey(transform.keys.map((k) => row[k] ?? null));
        if (seen.has(key)) continue;
        seen.put(key, typeof t === 'bigint' ? t : true);
        out.push(row);
      }
      const next = context.nextWatermark;
      if (next !== undefined && timeColumn !== undefined) {
        const expired: string[] = [];
        for (const [key, t] of seen.entries()) if (typeof t === 'bigint' && t < next) expired.push(key);
        for (const key of expired) seen.delete(key);
      }
      return Promise.resolve(out);
    },
  };
}
