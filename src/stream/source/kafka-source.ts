/**
 * The Kafka source (kafkajs). Offsets: `{ "<partition>": next offset to read }` for every
 * partition of the topic.
 *
 * One long-lived consumer in the stream's consumer group (the runner is the group's only member,
 * so it is assigned every partition) reads ranges on demand: `read(from, to)` seeks each partition
 * to `from`, resumes it, keeps the messages in [from, to) in offset order (dropping repeats a
 * seek can cause), and pauses each partition when it reaches `to`. Reading the same range twice
 * gives the same records — what replay after a crash relies on.
 *
 * Offsets are committed to the group only after the sink commit (`committed`), for lag monitoring
 * and Kafka tooling; the stream itself resumes from the offsets in its sink's snapshot summary.
 */
import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload } from 'kafkajs';
import { StrataError, messageOf } from '../../core/index.ts';
import type { KafkaSourceDefinition, SourceContext, SourceRecord, StreamSource } from '../model/index.ts';

/** No progress for this long while reading a range → the broker is considered unavailable. */
const STALL_MS = 30_000;

interface Range {
  next: number;
  readonly end: number;
  readonly records: SourceRecord[];
}

export async function openKafkaSource(definition: KafkaSourceDefinition, context: SourceContext): Promise<StreamSource> {
  const kafka = new Kafka({
    clientId: definition.clientId ?? `strata-stream-${context.stream}`,
    brokers: [...definition.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
  const topic = definition.topic;
  const admin = kafka.admin();
  await unavailable(admin.connect(), definition);
  await requireTopic(admin, definition);
  const ranges = new Map<number, Range>();
  let wake: (() => void) | undefined;
  let consumer: Consumer | undefined;

  async function startConsumer(): Promise<Consumer> {
    const created = kafka.consumer({ groupId: definition.group, maxWaitTimeInMs: 100, sessionTimeout: 30_000, rebalanceTimeout: 10_000, retry: { retries: 3 } });
    await unavailable(created.connect(), definition);
    await created.subscribe({ topic, fromBeginning: true });
    await created.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async (payload: EachBatchPayload) => {
        onBatch(payload);
        await Promise.resolve();
      },
    });
    created.pause([{ topic }]);
    return created;
  }

  function onBatch({ batch }: EachBatchPayload): void {
    const range = ranges.get(batch.partition);
    if (!range) return;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < range.next || offset >= range.end) continue;
      range.records.push({
        payload: message.value ? new Uint8Array(message.value) : new Uint8Array(),
        position: `${topic}/${batch.partition}@${offset}`,
        timestampMs: Number(message.timestamp),
        ...(message.key ? { key: new Uint8Array(message.key) } : {}),
      });
      range.next = offset + 1;
    }
    // Compacted or transactional topics have offsets without messages: the batch's last offset says how far the log goes.
    if (Number(batch.lastOffset()) >= range.end - 1) range.next = Math.max(range.next, range.end);
    if (range.next >= range.end) consumer?.pause([{ topic, partitions: [batch.partition] }]);
    wake?.();
  }

  return {
    kind: 'kafka',
    async initialOffsets() {
      const offsets = await unavailable(admin.fetchTopicOffsets(topic), definition);
      const start = definition.startingOffsets;
      const result: Record<string, number> = {};
      for (const p of offsets) {
        const low = Number(p.low);
        const high = Number(p.high);
        result[String(p.partition)] = start === 'earliest' ? low : start === 'latest' ? high : Math.max(low, start.specific[String(p.partition)] ?? low);
      }
      return result;
    },
    async latestOffsets(from, maxRecords) {
      const offsets = await unavailable(admin.fetchTopicOffsets(topic), definition);
      const available = new Map<string, number>();
      for (const p of offsets) available.set(String(p.partition), Math.max(0, Number(p.high) - (from[String(p.partition)] ?? Number(p.low))));
      const grant = fairShares(available, maxRecords);
      const end: Record<string, number> = {};
      for (const p of offsets) {
        const key = String(p.partition);
        end[key] = (from[key] ?? Number(p.low)) + (grant.get(key) ?? 0);
      }
      return end;
    },
    async *read(from, to) {
      const wanted = Object.keys(to)
        .map(Number)
        .filter((p) => (to[String(p)] ?? 0) > (from[String(p)] ?? 0));
      if (wanted.length === 0) return;
      consumer ??= await startConsumer();
      ranges.clear();
      for (const p of wanted) {
        const start = from[String(p)] ?? 0;
        ranges.set(p, { next: start, end: to[String(p)] ?? start, records: [] });
        consumer.seek({ topic, partition: p, offset: String(start) });
      }
      consumer.resume([{ topic, partitions: wanted }]);
      let progress = -1;
      let lastProgressAt = Date.now();
      try {
        while ([...ranges.values()].some((r) => r.next < r.end)) {
          const seen = [...ranges.values()].reduce((n, r) => n + r.records.length, 0);
          if (seen !== progress) {
            progress = seen;
            lastProgressAt = Date.now();
          } else if (Date.now() - lastProgressAt > STALL_MS) {
            throw new StrataError('SOURCE_UNAVAILABLE', `Kafka topic ${topic} at ${definition.brokers.join(', ')} delivered nothing for ${STALL_MS / 1000} s while records were expected; is the broker up?`, {
              topic,
            });
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 200);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } finally {
        wake = undefined;
        consumer.pause([{ topic }]);
      }
      for (const p of wanted.sort((a, b) => a - b)) yield ranges.get(p)?.records ?? [];
      ranges.clear();
    },
    async committed(to) {
      consumer ??= await startConsumer();
      await consumer.commitOffsets(Object.entries(to).map(([partition, offset]) => ({ topic, partition: Number(partition), offset: String(offset) })));
    },
    async backlog(from) {
      const offsets = await unavailable(admin.fetchTopicOffsets(topic), definition);
      return offsets.reduce((sum, p) => sum + Math.max(0, Number(p.high) - (from[String(p.partition)] ?? Number(p.low))), 0);
    },
    async close() {
      await Promise.allSettled([consumer?.disconnect(), admin.disconnect()]);
    },
  };

  function fairShares(available: ReadonlyMap<string, number>, budget: number): Map<string, number> {
    // Water-filling: every partition with records gets an equal share; what small partitions leave goes to the others.
    const grant = new Map<string, number>([...available.keys()].map((k) => [k, 0]));
    let left = budget;
    let open = [...available.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => Number(a) - Number(b));
    while (left > 0 && open.length > 0) {
      const share = Math.max(1, Math.floor(left / open.length));
      const still: [string, number][] = [];
      for (const [key, remaining] of open) {
        if (left === 0) break;
        const take = Math.min(share, remaining, left);
        grant.set(key, (grant.get(key) ?? 0) + take);
        left -= take;
        if (remaining - take > 0) still.push([key, remaining - take]);
      }
      open = still;
    }
    return grant;
  }

}

async function requireTopic(admin: Admin, definition: KafkaSourceDefinition): Promise<void> {
  try {
    await admin.fetchTopicMetadata({ topics: [definition.topic] });
  } catch (error) {
    if (/does not host|UNKNOWN_TOPIC/i.test(messageOf(error)) || (error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') {
      await admin.disconnect();
      throw new StrataError('OBJECT_NOT_FOUND', `Kafka topic ${definition.topic} does not exist on ${definition.brokers.join(', ')}; create it first (Strata never creates topics)`, {
        topic: definition.topic,
      });
    }
    await admin.disconnect();
    throw new StrataError('SOURCE_UNAVAILABLE', `Cannot read Kafka topic ${definition.topic} metadata from ${definition.brokers.join(', ')}: ${messageOf(error)}`, { topic: definition.topic }, { cause: error });
  }
}

async function unavailable<T>(promise: Promise<T>, definition: KafkaSourceDefinition): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw new StrataError('SOURCE_UNAVAILABLE', `Kafka at ${definition.brokers.join(', ')} (topic ${definition.topic}): ${messageOf(error)}`, { topic: definition.topic }, { cause: error });
  }
}

