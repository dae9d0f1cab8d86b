/** Test and benchmark helpers on kafkajs: create topics and produce messages (acks from all replicas). */
import { Kafka, logLevel } from 'kafkajs';

export interface ProducedMessage {
  readonly key?: string | Uint8Array;
  readonly value: string | Uint8Array;
  readonly partition?: number;
  readonly timestampMs?: number;
}

function client(brokers: readonly string[]): Kafka {
  return new Kafka({ clientId: 'strata-test', brokers: [...brokers], logLevel: logLevel.NOTHING });
}

export async function createTopic(brokers: readonly string[], topic: string, partitions: number): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function produce(brokers: readonly string[], topic: string, messages: readonly ProducedMessage[], batchSize = 1_000): Promise<void> {
  const producer = client(brokers).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += batchSize) {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(i, i + batchSize).map((m) => ({
          value: typeof m.value === 'string' ? m.value : Buffer.from(m.value),
          ...(m.key === undefined ? {} : { key: typeof m.key === 'string' ? m.key : Buffer.from(m.key) }),
          ...(m.partition === undefined ? {} : { partition: m.partition }),
          ...(m.timestampMs === undefined ? {} : { timestamp: String(m.timestampMs) }),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}
