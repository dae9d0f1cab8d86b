/**
 * Shared pieces of the stream integration tests: a temporary home, a clicks definition over a Kafka
 * topic (dedup by event id, 10-second tumbling counts per page), event generators, and readers for
 * the sink and dead-letter tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { Types, field } from '../../src/table/index.ts';
import { SeededRandom } from '../../src/core/index.ts';
import { DEFAULT_STATE, StreamRunner, type StreamDefinition, type SourceDefinition, type TransformDefinition } from '../../src/stream/index.ts';

export interface HomeFixture {
  readonly dir: string;
  readonly home: StrataHome;
  /** Rows of a table, sorted by the given columns. */
  rows(table: string, orderBy: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function homeFixture(prefix = 'strata-stream-'): Promise<HomeFixture> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const home = await openStrataHome(join(dir, 'home'));
  return {
    dir,
    home,
    async rows(table, orderBy) {
      const loaded = await home.catalog.loadTable(table);
      const rows = await loaded.read();
      const keys = orderBy.split(',').map((k) => k.trim());
      return rows.sort((a, b) => {
        for (const key of keys) {
          const x = String(a[key]);
          const y = String(b[key]);
          if (x !== y) return x < y ? -1 : 1;
        }
        return 0;
      });
    },
    async close() {
      await home.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const CLICK_COLUMNS = [
  field(1, 'event_id', Types.string, true),
  field(2, 'page', Types.string, true),
  field(3, 'user_id', Types.long),
  field(4, 'ts', Types.timestamptz, true),
];

/** 10 s tumbling click counts per page, after dropping duplicate event ids; 5 s lateness. */
export function clicksDefinition(options: { name: string; source: SourceDefinition; maxRecordsPerBatch?: number; transforms?: TransformDefinition[] }): StreamDefinition {
  return {
    name: options.name,
    source: options.source,
    transforms: options.transforms ?? [
      { kind: 'dedup', keys: ['event_id'] },
      {
        kind: 'window',
        window: { type: 'tumbling', sizeMs: 10_000 },
        timeColumn: 'ts',
        groupBy: ['page'],
        aggregates: [
          { name: 'clicks', fn: 'count' },
          { name: 'users', fn: 'max', column: 'user_id' },
        ],
      },
    ],
    sink: { table: `out.${options.name}`, mode: 'append', keys: [], partitionBy: [] },
    outputMode: 'append',
    deadLetterTable: `out.${options.name}_dead_letter`,
    trigger: { kind: 'available-now' },
    state: { ...DEFAULT_STATE, snapshotEvery: 3, retainSnapshots: 2 },
  };
}

export function kafkaSource(brokers: readonly string[], topic: string, maxRecordsPerBatch: number, group = `strata-${topic}`): SourceDefinition {
  return {
    kind: 'kafka',
    brokers,
    topic,
    group,
    startingOffsets: 'earliest',
    columns: CLICK_COLUMNS,
    format: { kind: 'json' },
    eventTime: { column: 'ts', maxLatenessMs: 5_000 },
    maxRecordsPerBatch,
  };
}

/** A seeded uniform [0, 1) generator: the same seed gives the same events in every run. */
export function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** Runs a stream until the source has nothing more (available-now), then closes it. */
export async function drain(home: StrataHome, definition: StreamDefinition): Promise<void> {
  const runner = await StreamRunner.open({ home, definition, version: 'test' });
  try {
    await runner.run({ availableNow: true });
  } finally {
    await runner.close();
  }
}

export interface ClickEvent {
  readonly event_id: string;
  readonly page: string;
  readonly user_id: number;
  /** ms since the epoch */
  readonly tsMs: number;
}

export const BASE_MS = Date.UTC(2026, 0, 1, 12, 0, 0);

/**
 * `count` events moving forward in time (±3 s jitter), about 10% duplicates of earlier ids, a few
 * very late ones (a minute behind), and — every 50th — a malformed payload.
 */
export function clickPayloads(count: number, seed: number): string[] {
  const random = seeded(seed);
  const payloads: string[] = [];
  const sent: ClickEvent[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 50 === 49) {
      payloads.push(i % 100 === 99 ? `{"event_id": "bad-${i}", "page": ` : JSON.stringify({ event_id: `e${i}`, page: 'home', ts: 'not a time' }));
      continue;
    }
    const duplicate = sent.length > 0 && random() < 0.1 ? sent[Math.floor(random() * sent.length)] : undefined;
    const late = random() < 0.02;
    const event: ClickEvent = duplicate ?? {
      event_id: `e${i}`,
      page: ['home', 'cart', 'search'][Math.floor(random() * 3)] ?? 'home',
      user_id: Math.floor(random() * 20),
      tsMs: BASE_MS + i * 400 + Math.floor((random() - 0.5) * 6_000) - (late ? 60_000 : 0),
    };
    sent.push(event);
    payloads.push(JSON.stringify({ event_id: event.event_id, page: event.page, user_id: event.user_id, ts: new Date(event.tsMs).toISOString() }));
  }
  // A closing event far ahead moves the watermark past every window above.
  payloads.push(JSON.stringify({ event_id: 'flush', page: 'flush', user_id: 0, ts: new Date(BASE_MS + count * 400 + 3_600_000).toISOString() }));
  return payloads;
}
