/**
 * Section (j): Strata's stream vs Spark Structured Streaming, side by side on one Kafka broker, with
 * the same windowed aggregation (5-second tumbling windows per page: count and sum; watermark
 * lateness 2 s) appending final windows to an Iceberg table in the same lake.
 *
 * 1. Sustained throughput: `events` JSON events are produced to a 3-partition topic first; each
 *    engine then processes the whole topic (available-now, up to 100 000 records per micro-batch)
 *    and the time from the query's start to its end gives events/s. Spark's JVM start and Kafka
 *    connector resolution are outside that time (reported separately).
 * 2. End-to-end latency at a few input rates: events are produced live for `seconds` at the rate,
 *    stamped with the wall clock as event time, to a fresh topic per run; the engine runs with a
 *    1-second trigger; the bench polls the sink table every 200 ms and records when each window row
 *    first became visible. Per event: latency = visible − produced (it includes waiting for the
 *    window and the watermark: ≥ window + lateness by definition); per window: engine delay =
 *    visible − (window end + lateness), the moment the watermark could first close it.
 *
 * Spark runs from the pip pyspark wheel in local[2] (bench/streaming/spark_stream.py), with the same
 * Iceberg runtime jar and REST catalog (Strata's server) as Strata's Spark engine, and Spark's Kafka
 * connector jars from Maven Central. Strata's Spark Connect client has
 * no streaming commands yet, so the Spark leg runs as a classic pyspark application.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StrataHome } from '../../src/catalog/index.ts';
import { bootstrapAdmin, openGovernance } from '../../src/governance/index.ts';
import { icebergRuntimeJarPath, lakeCatalogConf } from '../../src/engine/spark/lake-catalog-conf.ts';
import { startServer } from '../../src/server/index.ts';
import { StreamRunner, defineStream, type StreamDefinition } from '../../src/stream/index.ts';
import { createTopic, produce } from '../../src/stream/testing/kafka-client.ts';
import { startKafkaBroker, type KafkaBroker } from '../../src/stream/testing/kafka-broker.ts';
import { Types, field } from '../../src/table/index.ts';
import { percentile } from '../stats.ts';
import { ensureMavenArtifact, mavenLocalJarPath, type MavenArtifact } from '../../src/provision/index.ts';

/**
 * Spark's Kafka connector and what it needs beyond Spark's own jars, fetched one by one from Maven
 * Central (Spark's parent POM names a mirror this network cannot reach, so transitive resolution
 * fails); 4.0.0 is the newest 4.0 release of the token provider on Maven Central.
 */
const SPARK_KAFKA_JARS: readonly MavenArtifact[] = [
  { groupId: 'org.apache.spark', artifactId: 'spark-sql-kafka-0-10_2.13', version: '4.0.0' },
  { groupId: 'org.apache.spark', artifactId: 'spark-token-provider-kafka-0-10_2.13', version: '4.0.0' },
  { groupId: 'org.apache.kafka', artifactId: 'kafka-clients', version: '3.9.0' },
  { groupId: 'org.apache.commons', artifactId: 'commons-pool2', version: '2.12.0' },
];

function sparkKafkaJars(): string[] {
  return SPARK_KAFKA_JARS.map((artifact) => {
    const jar = mavenLocalJarPath(artifact);
    const got = ensureMavenArtifact(artifact, { jar, what: `${artifact.artifactId} for the Spark streaming leg` });
    if ('problem' in got) throw new Error(got.problem);
    return got.jar;
  });
}
const WINDOW_S = 5;
const LATENESS_S = 2;
const PAGES = ['home', 'search', 'cart', 'checkout', 'help', 'account', 'docs', 'blog'];

export interface StreamBenchOptions {
  readonly home: StrataHome;
  readonly homeDir: string;
  readonly events: number;
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly spark: boolean;
  readonly log: (line: string) => void;
}

export interface ThroughputResult {
  readonly engine: string;
  readonly events: number;
  readonly ms: number;
  readonly windows: number;
  /** Spark: process start until the query started (JVM, session, connector resolution). */
  readonly startupMs?: number;
}

export interface LatencyResult {
  readonly engine: string;
  readonly rate: number;
  readonly produced: number;
  readonly achievedRate: number;
  readonly eventP50: number;
  readonly eventP95: number;
  readonly eventP99: number;
  readonly delayP50: number;
  readonly delayP95: number;
  readonly windows: number;
}

export type StreamBenchResult =
  | {
      readonly ran: true;
      readonly kafka: string;
      readonly throughput: ThroughputResult[];
      readonly latency: LatencyResult[];
      /** The two engines wrote the same window rows for the backlog (undefined: Spark did not run). */
      readonly sameAnswer?: boolean;
      readonly sparkNote?: string;
    }
  | { readonly ran: false; readonly reason: string };

export async function streamBench(options: StreamBenchOptions): Promise<StreamBenchResult> {
  const broker = await startKafkaBroker();
  const closers: (() => Promise<unknown>)[] = [() => broker.close()];
  try {
    await options.home.catalog.createNamespace(['bench_stream'], { zone: 'processed' });
    const governance = await openGovernance(options.home.catalog);
    await bootstrapAdmin(governance.identity);
    const token = (await governance.identity.createToken('admin')).token;
    await governance.close();
    const server = await startServer({ home: options.homeDir, port: 0, logLevel: 'warn', duckdb: { threads: 1 } });
    closers.push(() => server.close());
    const sparkConf = options.spark
      ? { ...lakeCatalogConf({ restUri: server.url, token }), 'spark.jars': [icebergRuntimeJarPath(), ...sparkKafkaJars()].join(','), 'spark.sql.session.timeZone': 'UTC', 'spark.sql.shuffle.partitions': '2' }
      : {};

    // 1. Throughput on a pre-filled topic.
    options.log(`streaming: producing ${options.events.toLocaleString('en-US')} events`);
    await createTopic(broker.brokers, 'bench_backlog', 3);
    await produceEvents(broker, 'bench_backlog', options.events, Date.UTC(2026, 0, 1, 12));
    const throughput: ThroughputResult[] = [];
    options.log('streaming: Strata, available-now over the backlog');
    throughput.push(await strataThroughput(options.home, broker, options.events));
    let sparkNote: string | undefined;
    if (options.spark) {
      options.log('streaming: Spark Structured Streaming, available-now over the backlog');
      try {
        throughput.push(await sparkThroughput(options, broker, sparkConf));
      } catch (error) {
        sparkNote = `Spark leg failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    } else {
      sparkNote = 'Spark leg not run (pyspark, Java or the Iceberg jar missing)';
    }

    // 2. Latency at live input rates.
    const latency: LatencyResult[] = [];
    for (const rate of options.rates) {
      options.log(`streaming: Strata at ${rate} events/s for ${options.seconds} s`);
      latency.push(await liveRun('Strata', rate, options, broker, (topic, stop) => runStrataLive(options.home, broker, topic, stop)));
      if (options.spark && sparkNote === undefined) {
        options.log(`streaming: Spark at ${rate} events/s for ${options.seconds} s`);
        latency.push(await liveRun('Spark Structured Streaming', rate, options, broker, (topic, stop) => runSparkLive(options, broker, sparkConf, topic, stop)));
      }
    }
    const sameAnswer = throughput.length === 2 ? (await windowRows(options.home, 'strata_backlog')) === (await windowRows(options.home, 'spark_backlog')) : undefined;
    return { ran: true, kafka: 'Apache Kafka 3.9.1 (KRaft, 1 broker, loopback)', throughput, latency, ...(sameAnswer === undefined ? {} : { sameAnswer }), ...(sparkNote ? { sparkNote } : {}) };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

/** A sink's window rows, sorted, as one text (to compare the engines' answers). */
async function windowRows(home: StrataHome, name: string): Promise<string> {
  const rows = await (await home.catalog.loadTable(`bench_stream.${name}`)).read();
  return rows
    .map((r) => `${String(r['window_start'])}|${String(r['window_end'])}|${String(r['page'])}|${String(r['n'])}|${String(r['total'])}`)
    .sort()
    .join('\n');
}

async function produceEvents(broker: KafkaBroker, topic: string, count: number, baseMs: number): Promise<void> {
  const batch = 20_000;
  for (let start = 0; start < count; start += batch) {
    const messages = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      messages.push({ value: JSON.stringify({ page: PAGES[i % PAGES.length], user_id: i % 1000, amount: i % 97, ts: new Date(baseMs + i).toISOString() }), partition: i % 3 });
    }
    await produce(broker.brokers, topic, messages, 5_000);
  }
}

function definition(name: string, broker: KafkaBroker, topic: string, trigger: 'available-now' | '1s'): StreamDefinition {
  return defineStream({
    name,
    source: {
      kind: 'kafka',
      brokers: broker.brokers,
      topic,
      group: name,
      columns: { page: 'string not null', user_id: 'long', amount: 'long', ts: 'timestamptz not null' },
      eventTime: { column: 'ts', maxLateness: `${LATENESS_S}s` },
      maxRecordsPerBatch: 100_000,
    },
    transforms: [{ window: { tumbling: `${WINDOW_S}s`, groupBy: ['page'], aggregates: { n: 'count(*)', total: 'sum(amount)' } } }],
    sink: { table: `bench_stream.${name}` },
    trigger,
  });
}

async function strataThroughput(home: StrataHome, broker: KafkaBroker, events: number): Promise<ThroughputResult> {
  const runner = await StreamRunner.open({ home, definition: definition('strata_backlog', broker, 'bench_backlog', 'available-now'), version: 'bench' });
  const started = performance.now();
  try {
    await runner.run({ availableNow: true });
  } finally {
    await runner.close();
  }
  const ms = performance.now() - started;
  const windows = (await (await home.catalog.loadTable('bench_stream.strata_backlog')).read()).length;
  return { engine: 'Strata', events, ms, windows };
}

async function sparkThroughput(options: StreamBenchOptions, broker: KafkaBroker, conf: Record<string, string>): Promise<ThroughputResult> {
  await createSparkSink(options.home, 'spark_backlog');
  const spawnedAt = Date.now();
  const run = await runSpark({ conf, brokers: broker.brokers, topic: 'bench_backlog', table: 'strata.bench_stream.spark_backlog', checkpoint: join(options.homeDir, 'spark-ckpt-backlog'), mode: 'available-now', seconds: 0 });
  const finished = await run.done;
  return { engine: 'Spark Structured Streaming (local[2])', events: options.events, ms: finished.doneAt - run.startedAt, windows: finished.rows, startupMs: run.startedAt - spawnedAt };
}

/** The Spark sink exists before the query (so both engines write the same schema). */
async function createSparkSink(home: StrataHome, name: string): Promise<void> {
  await home.catalog.createTable(`bench_stream.${name}`, [
    field(1, 'window_start', Types.timestamptz, false),
    field(2, 'window_end', Types.timestamptz, false),
    field(3, 'page', Types.string, false),
    field(4, 'n', Types.long, false),
    field(5, 'total', Types.long, false),
  ]);
}

interface SparkRun {
  readonly startedAt: number;
  readonly done: Promise<{ doneAt: number; rows: number }>;
  stop(): void;
}

function runSpark(args: Record<string, unknown>): Promise<SparkRun> {
  const script = fileURLToPath(new URL('./spark_stream.py', import.meta.url));
  const child = spawn('python3', [script, JSON.stringify({ lateness_s: LATENESS_S, window_s: WINDOW_S, max_offsets: 100_000, ...args })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4_000)));
  return new Promise((resolveStart, rejectStart) => {
    let resolveDone: (value: { doneAt: number; rows: number }) => void = () => undefined;
    let rejectDone: (error: Error) => void = () => undefined;
    const done = new Promise<{ doneAt: number; rows: number }>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const started = /STARTED (\d+)/.exec(out);
      if (started) resolveStart({ startedAt: Number(started[1]), done, stop: () => child.kill('SIGTERM') });
      const finished = /DONE (\d+) (\d+)/.exec(out);
      if (finished) resolveDone({ doneAt: Number(finished[1]), rows: Number(finished[2]) });
    });
    child.once('exit', (code) => {
      const error = new Error(`spark_stream.py exited with ${String(code)}: ${err.split('\n').filter((l) => /Error|Exception/.test(l)).slice(-3).join(' | ') || err.slice(-500)}`);
      rejectStart(error);
      if (!/DONE/.test(out)) rejectDone(error);
    });
    done.catch(() => undefined); // awaited by the caller when the query started; a failure before that rejects the start
    child.once('error', (error) => {
      rejectStart(error);
      rejectDone(error);
    });
  });
}

type LiveEngine = (topic: string, stop: AbortSignal) => Promise<{ table: string; finished: Promise<void> }>;

async function runStrataLive(home: StrataHome, broker: KafkaBroker, topic: string, stop: AbortSignal): Promise<{ table: string; finished: Promise<void> }> {
  const name = `strata_${topic}`;
  const runner = await StreamRunner.open({ home, definition: definition(name, broker, topic, '1s'), version: 'bench' });
  const finished = runner.run({ signal: stop }).then(
    () => runner.close(),
    async (error: unknown) => {
      await runner.close();
      throw error;
    },
  );
  return { table: `bench_stream.${name}`, finished };
}

async function runSparkLive(options: StreamBenchOptions, broker: KafkaBroker, conf: Record<string, string>, topic: string, stop: AbortSignal): Promise<{ table: string; finished: Promise<void> }> {
  const name = `spark_${topic}`;
  await createSparkSink(options.home, name);
  const run = await runSpark({ conf, brokers: broker.brokers, topic, table: `strata.bench_stream.${name}`, checkpoint: join(options.homeDir, `spark-ckpt-${topic}`), mode: 'seconds', seconds: 3_600 });
  stop.addEventListener('abort', () => run.stop(), { once: true });
  return { table: `bench_stream.${name}`, finished: run.done.then(() => undefined, () => undefined) };
}

async function liveRun(engine: string, rate: number, options: StreamBenchOptions, broker: KafkaBroker, start: LiveEngine): Promise<LatencyResult> {
  const topic = `live_${engine.startsWith('Strata') ? 's' : 'k'}_${rate}`;
  await createTopic(broker.brokers, topic, 3);
  const stop = new AbortController();
  const { table, finished } = await start(topic, stop.signal);
  const seen = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        const loaded = await options.home.catalog.loadTable(table);
        for (const row of await loaded.read()) {
          const key = `${String(row['window_start'])}|${String(row['page'])}`;
          if (!seen.has(key)) seen.set(key, Date.now());
        }
      } catch {
        // the table may not have a snapshot yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  // Produce at `rate` for `seconds`, in 100 ms slices; event time = the wall clock at production.
  const produced: { page: string; tsMs: number }[] = [];
  const began = Date.now();
  let i = 0;
  while (Date.now() - began < options.seconds * 1000) {
    const slice = Date.now();
    const due = Math.floor(((slice - began) / 1000) * rate) - i;
    const messages = [];
    for (let k = 0; k < due; k++, i++) {
      const page = PAGES[i % PAGES.length] ?? 'home';
      const tsMs = Date.now();
      produced.push({ page, tsMs });
      messages.push({ value: JSON.stringify({ page, user_id: i % 1000, amount: i % 97, ts: new Date(tsMs).toISOString() }), partition: i % 3 });
    }
    if (messages.length > 0) await produce(broker.brokers, topic, messages, 5_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - slice))));
  }
  const producedFor = (Date.now() - began) / 1000;
  // Keep a trickle going so the watermark closes the last full windows, then give the engine time to show them.
  const closeBy = Date.now() + (WINDOW_S + LATENESS_S + 3) * 1000;
  while (Date.now() < closeBy) {
    await produce(broker.brokers, topic, PAGES.map((page) => ({ value: JSON.stringify({ page, user_id: 0, amount: 0, ts: new Date().toISOString() }), partition: 0 })));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  polling = false;
  await poller;
  stop.abort();
  await finished;
  // Only windows that closed while the run was measured, and the events in them.
  const windowMs = WINDOW_S * 1000;
  const eventLatency: number[] = [];
  const delays = new Map<string, number>();
  for (const event of produced) {
    const startMs = Math.floor(event.tsMs / windowMs) * windowMs;
    const key = `${new Date(startMs).toISOString().replace('T', ' ').replace('.000Z', '+00')}|${event.page}`;
    const visible = seen.get(key);
    if (visible === undefined) continue;
    eventLatency.push(visible - event.tsMs);
    delays.set(key, visible - (startMs + windowMs + LATENESS_S * 1000));
  }
  const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
  const events = sorted(eventLatency);
  const delay = sorted([...delays.values()]);
  return {
    engine,
    rate,
    produced: produced.length,
    achievedRate: produced.length / producedFor,
    eventP50: percentile(events, 50),
    eventP95: percentile(events, 95),
    eventP99: percentile(events, 99),
    delayP50: percentile(delay, 50),
    delayP95: percentile(delay, 95),
    windows: delays.size,
  };
}
