/**
 * A real Apache Kafka broker for tests and benchmarks: Kafka 3.9.1 from Maven Central, one node in
 * KRaft mode (broker and controller in one JVM), on loopback ports, in a throw-away directory.
 *
 * Why 3.9: kafkajs 2.2 predates Kafka 4, which dropped old protocol versions (KIP-896); 3.9 is the
 * newest line before that, runs in KRaft mode (no ZooKeeper), and is what the stream tests verify.
 *
 * Provisioning: Maven resolves `org.apache.kafka:kafka_2.13` and its runtime dependencies into
 * `~/.m2` from a small generated POM and writes the class path to
 * `~/.cache/strata/kafka-<version>/classpath.txt`. `.ci/run` does it once up front
 * (`node --import tsx src/stream/testing/kafka-broker.ts provision`); a test that finds no class
 * path provisions it itself.
 *
 * @example
 *   const broker = await startKafkaBroker();
 *   await createTopic(broker.brokers, 'clicks', 3);
 *   …
 *   await broker.close();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from '../../core/index.ts';

export const KAFKA_VERSION = '3.9.1';
const START_TIMEOUT_MS = 60_000;

export interface KafkaBroker {
  /** `['127.0.0.1:<port>']` */
  readonly brokers: string[];
  close(): Promise<void>;
}

function cacheDir(): string {
  return join(homedir(), '.cache', 'strata', `kafka-${KAFKA_VERSION}`);
}

/** The broker's class path, resolving it with Maven (downloads from Maven Central) when missing. */
export function provisionKafka(): string {
  const dir = cacheDir();
  const classpathFile = join(dir, 'classpath.txt');
  if (existsSync(classpathFile)) {
    const classpath = readFileSync(classpathFile, 'utf8').trim();
    if (classpath.split(':').every((jar) => existsSync(jar))) return classpath;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.strata.test</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`,
  );
  const result = spawnSync('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(classpathFile)) {
    throw new Error(`Resolving Kafka ${KAFKA_VERSION} from Maven Central failed (is Maven installed?): ${result.stderr || result.stdout || result.error?.message}`);
  }
  return readFileSync(classpathFile, 'utf8').trim();
}

export async function startKafkaBroker(options: { partitions?: number } = {}): Promise<KafkaBroker> {
  const classpath = provisionKafka();
  const root = mkdtempSync(join(tmpdir(), 'strata-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const properties = join(root, 'server.properties');
  const log4j = join(root, 'log4j.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(root, 'data')}`,
      `num.partitions=${options.partitions ?? 1}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      '',
    ].join('\n'),
  );
  writeFileSync(log4j, 'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n');
  const jvm = ['-Xmx512m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j.configuration=file:${log4j}`, '-cp', classpath];
  // A cluster id is 16 random bytes in base64url; one starting with '-' would be read as an option
  // by the format tool (about 1 start in 64), so draw again — Kafka's own generator does the same.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`Formatting the Kafka log directory failed: ${format.stderr || format.stdout}`);
  const logPath = join(root, 'broker.log');
  const out = openSync(logPath, 'w');
  const child: ChildProcess = spawn('java', [...jvm, 'kafka.Kafka', properties], { stdio: ['ignore', out, out] });
  closeSync(out);
  const kill = (): void => {
    child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', kill);
  const brokers = [`127.0.0.1:${port}`];
  try {
    await waitUntilReady(brokers, child, logPath);
  } catch (error) {
    process.off('exit', kill);
    kill();
    throw error;
  }
  return {
    brokers,
    async close() {
      process.off('exit', kill);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(brokers: string[], child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } }).admin();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Kafka exited with code ${child.exitCode}: ${readFileSync(logPath, 'utf8').slice(-2_000)}`);
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      return;
    } catch {
      await admin.disconnect().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`Kafka did not start within ${START_TIMEOUT_MS / 1000} s: ${readFileSync(logPath, 'utf8').slice(-2_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

// `node --import tsx src/stream/testing/kafka-broker.ts provision` (from .ci/run)
if (process.argv[1]?.endsWith('kafka-broker.ts') && process.argv[2] === 'provision') {
  process.stdout.write(`Kafka ${KAFKA_VERSION} class path: ${provisionKafka().split(':').length} jars\n`);
}
