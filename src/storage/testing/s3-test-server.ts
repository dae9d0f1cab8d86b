/**
 * A real, throw-away S3-compatible server for tests: S3Proxy (Java, from Maven Central) with its
 * `filesystem-nio2` blob store in a temp directory, listening on 127.0.0.1 on a free port, AWS
 * signature v2/v4 auth with fixed test credentials, one bucket created up front. Not a fake: the
 * AWS SDK talks HTTP to it exactly as to AWS S3, and it enforces conditional writes
 * (`If-None-Match: *` → 412), which Strata's commits rely on.
 *
 * Why S3Proxy and not MinIO: S3Proxy publishes a runnable `jar-with-dependencies` on Maven Central
 * (one ~53 MB download, ~20 s), starts in 1–3 s, and needs only the Java 17 the Spark tests need
 * anyway; building MinIO with `go install` takes about 5 minutes on CI's 2 cores.
 *
 * @example
 *   const s3 = await s3ForTests();                      // top level of a test file
 *   after(() => s3.server?.stop());
 *   describe('on S3', { skip: s3.skip }, () => { … new S3ObjectStore(s3.server!.storeConfig('prefix')) … });
 *
 * Where the jar comes from: `STRATA_TEST_S3PROXY_JAR` if set, else Maven's local repository
 * (`~/.m2/repository/org/gaul/s3proxy/<v>/`), fetched there with `mvn dependency:get` when missing
 * (`.ci/run` does that before the tests, via `node --import tsx <this file> provision`). Without
 * Java, or when the jar cannot be had, tests skip their S3 cases with a message, except in CI
 * (`CI` set) where that is a failure.
 *
 * Gotcha: one server takes ~200 MB of memory; share one per test file and give each test its own
 * key prefix (or bucket, `createBucket()`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ObjectStoreConfig } from '../s3-object-store.ts';
import { freePort } from '../../core/index.ts';
import { commandSucceeds, ensureMavenArtifact, mavenLocalJarPath, type MavenArtifact } from '../../provision/index.ts';

export const S3PROXY_VERSION = '4.1.0';
const S3PROXY: MavenArtifact = { groupId: 'org.gaul', artifactId: 's3proxy', version: S3PROXY_VERSION, classifier: 'jar-with-dependencies' };
const START_TIMEOUT_MS = 60_000;

/** Where a test connects: everything an `S3ObjectStore` (or DuckDB, or Spark) needs. */
export interface S3TestConnection {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** The jar Maven puts in its local repository (`~/.m2`, or `-Dmaven.repo.local`'s default). */
export function s3ProxyJarPath(): string {
  const fromEnv = process.env['STRATA_TEST_S3PROXY_JAR'];
  if (fromEnv) return fromEnv;
  return mavenLocalJarPath(S3PROXY);
}

/**
 * Makes sure the S3Proxy jar is on disk, fetching it from Maven Central with `mvn` when missing.
 * Returns the jar's path, or the reason it cannot be had (no Java, no Maven, download failed).
 */
export function provisionS3Proxy(): { jar: string } | { problem: string } {
  if (!commandSucceeds('java', ['-version'])) {
    return { problem: 'Java is not installed (S3Proxy needs a Java 17 runtime: apt-get install openjdk-17-jre-headless)' };
  }
  const jar = s3ProxyJarPath();
  if (process.env['STRATA_TEST_S3PROXY_JAR'] && !existsSync(jar)) return { problem: `STRATA_TEST_S3PROXY_JAR points to ${jar}, which does not exist` };
  return ensureMavenArtifact(S3PROXY, { jar, what: 'the S3Proxy jar' });
}

export class S3TestServer implements S3TestConnection {
  readonly endpoint: string;
  readonly bucket = 'strata-test';
  readonly accessKeyId = 'strata-test';
  readonly secretAccessKey: string;
  readonly region = 'us-east-1';
  readonly #root: string;
  readonly #process: ChildProcess;
  #stopped = false;
  readonly #onExit = (): void => {
    this.#process.kill('SIGKILL');
    rmSync(this.#root, { recursive: true, force: true });
  };

  private constructor(root: string, port: number, secret: string, child: ChildProcess) {
    this.#root = root;
    this.endpoint = `http://127.0.0.1:${port}`;
    this.secretAccessKey = secret;
    this.#process = child;
    // A test process that dies without `stop()` must not leave a JVM behind.
    process.once('exit', this.#onExit);
  }

  /** Starts S3Proxy from `jar` and creates the bucket. Throws (with the server's log) on failure. */
  static async start(jar: string): Promise<S3TestServer> {
    const root = mkdtempSync(join(tmpdir(), 'strata-s3-'));
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const port = await freePort();
    const secret = randomBytes(16).toString('hex');
    const properties = join(root, 's3proxy.properties');
    writeFileSync(
      properties,
      [
        `s3proxy.endpoint=http://127.0.0.1:${port}`,
        's3proxy.authorization=aws-v2-or-v4',
        's3proxy.identity=strata-test',
        `s3proxy.credential=${secret}`,
        'jclouds.provider=filesystem-nio2',
        `jclouds.filesystem.basedir=${dataDir}`,
        '',
      ].join('\n'),
    );
    const logPath = join(root, 's3proxy.log');
    const log = openSync(logPath, 'w');
    // C1-only JIT and the serial GC: about half the start-up time, plenty of speed for tests.
    const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx512m', '-jar', jar, '--properties', properties], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const server = new S3TestServer(root, port, secret, child);
    try {
      await server.#waitUntilUp(logPath);
      await server.createBucket(server.bucket);
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  /** Options for an `S3ObjectStore` on this server's bucket, under `prefix`. */
  storeConfig(prefix = ''): S3ObjectStoreConfig {
    return {
      bucket: this.bucket,
      prefix,
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
      forcePathStyle: true,
    };
  }

  async createBucket(name: string): Promise<void> {
    const client = new S3Client({
      endpoint: this.endpoint,
      region: this.region,
      forcePathStyle: true,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    } finally {
      client.destroy();
    }
  }

  /** Stops the server and deletes its data. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    process.removeListener('exit', this.#onExit);
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.#process.once('exit', () => resolve()));
      this.#process.kill('SIGTERM');
      const timer = setTimeout(() => this.#process.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#root, { recursive: true, force: true });
  }

  async #waitUntilUp(logPath: string): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.#process.exitCode !== null || this.#process.signalCode !== null) {
        throw new Error(`S3Proxy exited (${this.#process.exitCode ?? this.#process.signalCode}) while starting:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
      }
      try {
        await fetch(this.endpoint, { signal: AbortSignal.timeout(2_000) });
        return; // any HTTP answer (403 for an unsigned request) means it is serving
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`S3Proxy did not answer on ${this.endpoint} within ${START_TIMEOUT_MS / 1000}s:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
  }
}

/** What a test file gets: a running server, or the reason its S3 cases are skipped. */
export interface S3ForTests {
  readonly server: S3TestServer | undefined;
  /** False when the server runs; otherwise the skip message for `describe(…, { skip })`. */
  readonly skip: string | false;
}

/**
 * Starts one server for a test file. When S3Proxy cannot be provisioned: skips outside CI and
 * throws in CI, so CI never passes by silently not testing S3.
 */
export async function s3ForTests(): Promise<S3ForTests> {
  const provisioned = provisionS3Proxy();
  if ('problem' in provisioned) {
    const message = `no S3-compatible test server: ${provisioned.problem}`;
    if (process.env['CI']) throw new Error(`${message}. CI must run the S3 tests: .ci/run installs Java and Maven and fetches S3Proxy.`);
    return { server: undefined, skip: message };
  }
  return { server: await S3TestServer.start(provisioned.jar), skip: false };
}


// `node --import tsx src/storage/testing/s3-test-server.ts provision`: fetch the jar ahead of the tests (.ci/run).
if (process.argv[1]?.endsWith('s3-test-server.ts') && process.argv[2] === 'provision') {
  const provisioned = provisionS3Proxy();
  if ('problem' in provisioned) {
    process.stderr.write(`${provisioned.problem}\n`);
    process.exit(1);
  }
  process.stdout.write(`S3Proxy ${S3PROXY_VERSION}: ${provisioned.jar}\n`);
}
