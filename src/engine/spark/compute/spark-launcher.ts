/**
 * THE way Strata starts Spark: a Spark Connect server from the pip `pyspark` wheel on Java 17,
 *
 *   spark-submit --master local[<cores>] --driver-memory <memory> --name <name>
 *                --properties-file <dir>/spark-conf.properties
 *                --class org.apache.spark.sql.connect.service.SparkConnectServer spark-internal
 *
 * listening on 127.0.0.1 only, with Iceberg's Spark runtime in `spark.jars` and, given a REST
 * catalog, Strata's lake as the `strata` catalog. Used by `strata compute up` (a detached
 * cluster that outlives the CLI), by `withTransientSparkCluster` (pipelines) and by the test
 * harness (testing/spark-connect-server.ts).
 *
 * @example
 *   const cluster = await startSparkCluster({ cores: 2, memory: '2g', lakeCatalog: { restUri, token } });
 *   const client = SparkConnectClient.connect(cluster.connectionString);
 *   …
 *   await cluster.stop();
 *
 * Secrets never reach a command line (`ps` shows argv to every user): every `spark.*` setting,
 * the catalog token included, goes through a 0600 properties file that is deleted as soon as the
 * server listens (the JVM has read it by then); the Spark Connect token goes through the
 * SPARK_CONNECT_AUTHENTICATE_TOKEN environment variable (/proc/<pid>/environ is owner-only).
 *
 * Gotchas: start-up takes 10–30 s; one server is one JVM of `memory` heap plus ~300 MB.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError, freePort } from '../../../core/index.ts';
import { lakeCatalogConf, type LakeCatalogConfOptions } from '../lake-catalog-conf.ts';
import { ensureIcebergRuntimeJar } from './iceberg-runtime.ts';
import { SPARK_CONNECT_SERVER_CLASS, portAnswers, processAlive, stopProcessGroup } from './process-control.ts';
import { findSparkHome } from './spark-home.ts';
import { writeSparkPropertiesFile } from './spark-properties-file.ts';

export const DEFAULT_SPARK_CORES = 2;
export const DEFAULT_SPARK_MEMORY = '2g';
/** A JVM heap size as `-Xmx` takes it (Spark passes --driver-memory to -Xmx unchanged). */
export const SPARK_MEMORY_PATTERN = /^[1-9]\d*[kmgt]$/i;

export interface SparkClusterOptions {
  /** Worker threads: `--master local[<cores>]` (default 2). */
  readonly cores?: number;
  /** Driver heap, e.g. `2g`, `768m` (default `2g`). */
  readonly memory?: string;
  /** Strata's Iceberg REST catalog as a Spark catalog (`strata` unless `catalogName` says otherwise). */
  readonly lakeCatalog?: LakeCatalogConfOptions;
  /**
   * Put Iceberg's Spark runtime jar in `spark.jars`, fetching it with Maven if needed. Default:
   * true (a plain Spark without Iceberg cannot read the lake); the test harness turns it off.
   */
  readonly icebergRuntime?: boolean;
  /** Clients must send this bearer token (the URL's `;token=`). */
  readonly connectToken?: string;
  /** More Spark settings; they win over Strata's. */
  readonly conf?: Readonly<Record<string, string>>;
  /** Where the log, the warehouse and the properties file go. Default: a new temp dir that `stop()` deletes. */
  readonly dir?: string;
  /** The Spark Connect port on 127.0.0.1 (default: a free one). */
  readonly port?: number;
  /** The Spark application name (shown in logs). */
  readonly name?: string;
  /**
   * Outlive this process (`strata compute up`): no exit hook kills it and it does not keep the
   * event loop alive. Otherwise it is killed when this process exits without `stop()`.
   */
  readonly detached?: boolean;
  /** Give up (and kill it) when the port does not answer within this many ms (default 180 s). */
  readonly startTimeoutMs?: number;
}

export interface SparkCluster {
  /** `sc://127.0.0.1:<port>`, without the token (safe to print). */
  readonly url: string;
  /** What a client connects with: `url` plus `/;token=…;use_ssl=false` when a token is required. */
  readonly connectionString: string;
  readonly port: number;
  /** The JVM's pid, which leads its own process group. */
  readonly pid: number;
  readonly cores: number;
  readonly memory: string;
  readonly dir: string;
  /** The server's stdout/stderr (read it when something fails oddly). */
  readonly logPath: string;
  /** Milliseconds from spawn until the port answered. */
  readonly startupMs: number;
  /** SIGTERM, SIGKILL after a grace period; deletes `dir` if the launcher created it. Safe to call twice. */
  stop(): Promise<void>;
}

/** `url` with the client parameters a token needs (a token alone would make clients use TLS). */
export function sparkConnectionString(url: string, token: string | undefined): string {
  return token === undefined ? url : `${url}/;token=${encodeURIComponent(token)};use_ssl=false`;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

function checkedCores(cores: number): number {
  if (!Number.isSafeInteger(cores) || cores < 1) throw new StrataError('INVALID_ARGUMENT', `Spark cores must be a whole number >= 1, not ${cores}`, { cores });
  return cores;
}

function checkedMemory(memory: string): string {
  if (!SPARK_MEMORY_PATTERN.test(memory)) {
    throw new StrataError('INVALID_ARGUMENT', `Spark memory must be a JVM size such as 2g or 768m, not ${JSON.stringify(memory)}`, { memory });
  }
  return memory;
}

/** Starts a Spark Connect server on 127.0.0.1 and resolves once it accepts connections. */
export async function startSparkCluster(options: SparkClusterOptions = {}): Promise<SparkCluster> {
  const cores = checkedCores(options.cores ?? DEFAULT_SPARK_CORES);
  const memory = checkedMemory(options.memory ?? DEFAULT_SPARK_MEMORY);
  const found = findSparkHome();
  if (!('sparkHome' in found)) throw new StrataError('COMPUTE_ERROR', `Cannot start Spark: it needs ${found.missing}`, { missing: found.missing });
  const { sparkHome } = found;
  const icebergJar = options.icebergRuntime === false ? undefined : ensureIcebergRuntimeJar();
  const port = options.port ?? (await freePort());
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'strata-spark-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logPath = join(dir, 'server.log');
  const propertiesPath = join(dir, 'spark-conf.properties');
  const conf: Record<string, string> = {
    'spark.connect.grpc.binding.address': '127.0.0.1',
    'spark.connect.grpc.binding.port': String(port),
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': String(Math.max(4, cores * 2)),
    'spark.sql.catalogImplementation': 'in-memory',
    'spark.sql.warehouse.dir': join(dir, 'warehouse'),
    'spark.sql.session.timeZone': 'UTC',
    ...(icebergJar === undefined ? {} : { 'spark.jars': icebergJar }),
    ...(options.lakeCatalog === undefined ? {} : lakeCatalogConf(options.lakeCatalog)),
    ...options.conf,
  };
  writeSparkPropertiesFile(propertiesPath, conf);
  const args = [
    '--master',
    `local[${cores}]`,
    '--driver-memory',
    memory,
    '--name',
    options.name ?? 'strata-spark-connect',
    '--properties-file',
    propertiesPath,
    '--class',
    SPARK_CONNECT_SERVER_CLASS,
    'spark-internal',
  ];
  const log = openSync(logPath, 'w', 0o600);
  const started = Date.now();
  const child = spawn(join(sparkHome, 'bin', 'spark-submit'), args, {
    cwd: dir,
    // Its own process group, so stop() ends the launcher script and the JVM together.
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      SPARK_HOME: sparkHome,
      SPARK_LOCAL_IP: '127.0.0.1',
      SPARK_LOG_DIR: dir,
      ...(options.connectToken !== undefined ? { SPARK_CONNECT_AUTHENTICATE_TOKEN: options.connectToken } : {}),
    },
  });
  closeSync(log);
  const forgetConf = (): void => rmSync(propertiesPath, { force: true });
  if (child.pid === undefined) {
    forgetConf();
    const spawnError = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new StrataError('COMPUTE_ERROR', `Cannot run spark-submit: ${spawnError.message}`, { sparkHome });
  }
  const pid = child.pid;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  // If this process dies without stop(), do not leave a JVM behind (unless it is meant to outlive us).
  const onExit = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // Until it listens, a cluster belongs to this process even when detached: Ctrl-C during start-up
  // (which does not reach its separate process group) must not leave an unrecorded JVM behind.
  const interrupted = (): void => {
    onExit();
    process.exit(130);
  };
  process.once('exit', onExit);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const startupOver = (): void => {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    if (options.detached === true) process.removeListener('exit', onExit);
  };
  if (options.detached === true) child.unref();

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', onExit);
      forgetConf();
      const gone = await stopProcessGroup(pid);
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
      if (!gone) throw new StrataError('COMPUTE_ERROR', `Spark (pid ${pid}) did not stop, even after SIGKILL`, { pid });
    })();
    return stopped;
  };

  const timeoutMs = options.startTimeoutMs ?? 180_000;
  const deadline = started + timeoutMs;
  try {
    while (!(await portAnswers('127.0.0.1', port))) {
      if (exited || !processAlive(pid)) {
        throw new StrataError('COMPUTE_ERROR', `Spark exited before it listened on port ${port}:\n${logTail(logPath)}`, { port, logPath });
      }
      if (Date.now() > deadline) {
        throw new StrataError('COMPUTE_ERROR', `Spark did not listen on port ${port} within ${timeoutMs} ms:\n${logTail(logPath)}`, { port, logPath });
      }
      await sleep(250);
    }
  } catch (error) {
    startupOver();
    // Keep the log of a managed cluster (the user reads it); a temp dir goes with the cluster.
    await stop().catch(() => undefined);
    throw error;
  }
  startupOver();
  // The JVM has read its configuration: the catalog token now lives only in its memory.
  forgetConf();
  const url = `sc://127.0.0.1:${port}`;
  return {
    url,
    connectionString: sparkConnectionString(url, options.connectToken),
    port,
    pid,
    cores,
    memory,
    dir,
    logPath,
    startupMs: Date.now() - started,
    stop,
  };
}

