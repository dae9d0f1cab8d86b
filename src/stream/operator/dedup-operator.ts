/**
 * Deduplication: the first record of each key tuple passes (in input order within a batch), later
 * ones with the same keys are dropped.
 *
 * - With an event-time column, state maps key → the event time of its first record, and a key is
 *   forgotten once `context.nextWatermark` passes that time (its event time < nextWatermark). A
 *   record older than the watermark in force (event time < `context.watermark`) is late → dead
 *   letter `late` (no window fields), because its key may already have been forgotten and it could
 *   no longer be told apart from a duplicate. A null event time → dead letter `schema_violation`.
 *   Gotcha (as in Spark's dropDuplicatesWithinWatermark): expiry follows the first record's time,
 *   so a duplicate that arrives on time after its key expired passes again.
 * - Without event time, keys are kept (value `true`) until the state store's TTL (`state.ttl`,
 *   processing time since the key was written) drops them; with no TTL, forever.
 *
 * Key tuples compare by value (`groupKey`): 1 (int) and 1n (long) are different values.
 */
import { StrataError } from '../../core/index.ts';
import { typeToString } from '../../table/index.ts';
import { positionOf, type BatchContext, type DedupTransform, type RowFields, type StreamOperator, type StreamRow } from '../model/index.ts';
import { isoOfMicros } from '../time/index.ts';
import { groupKey } from './group-key.ts';

export function createDedupOperator(options: { id: string; transform: DedupTransform; timeColumn: string | undefined }): StreamOperator {
  const { id, transform, timeColumn } = options;
  if (transform.keys.length === 0) throw new StrataError('STREAM_INVALID', `Dedup ${id} needs at least one key column`, { transform: id });
  return {
    id,
    outputFields(input: RowFields): Promise<RowFields> {
      const columns = input.map((f) => f.name).join(', ') || 'no columns';
      for (const name of [...transform.keys, ...(timeColumn === undefined ? [] : [timeColumn])]) {
        if (!input.some((f) => f.name === name)) {
          return Promise.reject(new StrataError('STREAM_INVALID', `Dedup ${id}: column ${name} is not in its input (${columns})`, { transform: id, column: name }));
        }
      }
      const time = input.find((f) => f.name === timeColumn);
      if (time && time.type.kind !== 'timestamp' && time.type.kind !== 'timestamptz') {
        return Promise.reject(new StrataError('STREAM_INVALID', `Dedup ${id}: event time column ${time.name} is ${typeToString(time.type)}; it must be a timestamp or timestamptz`, { transform: id, column: time.name }));
      }
      for (const name of transform.keys) {
        const kind = input.find((f) => f.name === name)?.type.kind;
        if (kind === 'struct' || kind === 'list' || kind === 'map') {
          return Promise.reject(new StrataError('STREAM_INVALID', `Dedup ${id}: key column ${name} is a ${kind}; dedup keys must be primitive columns`, { transform: id, column: name }));
        }
      }
      return Promise.resolve(input);
    },
    process(rows: readonly StreamRow[], context: BatchContext): Promise<StreamRow[]> {
      const seen = context.state.namespace<bigint | true>(id);
      const watermark = context.watermark;
      const out: StreamRow[] = [];
      for (const row of rows) {
        let firstSeen: bigint | true = true;
        if (timeColumn !== undefined) {
          const t = row[timeColumn];
          if (typeof t !== 'bigint') {
            context.deadLetter({ reason: 'schema_violation', error: `Dedup ${id}: event time column ${timeColumn} is ${t === null || t === undefined ? 'null' : `a ${typeof t}, not a timestamp`}`, position: positionOf(row), record: row });
            continue;
          }
          if (watermark !== undefined && t < watermark) {
            context.deadLetter({
              reason: 'late',
              error: `Late record: event time ${isoOfMicros(t)} is behind the watermark ${isoOfMicros(watermark)}, so dedup ${id} can no longer tell whether it is a duplicate; raise the source's max lateness to accept such records`,
              position: positionOf(row),
              record: row,
              eventTime: t,
              watermark,
            });
            continue;
          }
          firstSeen = t;
        }
        const key = groupKey(transform.keys.map((k) => row[k] ?? null));
        if (seen.has(key)) continue;
        seen.put(key, firstSeen);
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
