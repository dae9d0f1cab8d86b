/**
 * A real Spark Connect server for tests, started from the pip `pyspark` 4.0.x wheel (which ships
 * Spark's jars, including spark-connect, and the bin/ scripts) on Java 17:
 *
 *   spark-submit --master local[2] --class org.apache.spark.sql.connect.service.SparkConnectServer
 *                --conf spark.connect.grpc.binding.address=127.0.0.1 --conf spark.connect.grpc.binding.port=<free> …
 *
 * It listens on loopback only, keeps its warehouse and logs in a temp dir, and takes 10–30 s to
 * start, so start one per test file (in `before`) and `stop()` it in `after`.
 *
 * @example
 *   const skip = sparkConnectSkipReason();          // throws in CI when pyspark/java are missing
 *   describe('…', { skip }, () => {
 *     let server: SparkConnectTestServer;
 *     before(async () => { server = await startSparkConnectServer(); }, { timeout: 180_000 });
 *     after(() => server?.stop());
 *   });
 *
 * Gotcha: a token given here is passed through SPARK_CONNECT_AUTHENTICATE_TOKEN (not the command
 * line, where `ps` would show it); every client must then send it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, closeSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../core/index.ts';

export interface SparkConnectTestServer {
  /** `sc://127.0.0.1:<port>` (append `/;token=…` when the server was started with a token). */
  readonly url: string;
  readonly port: number;
  /** Where the server's stdout/stderr go (read it when a test fails oddly). */
  readonly logPath: string;
  /** Milliseconds from spawn until the port answered. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface StartSparkConnectOptions {
  /** Require this bearer token from clients (`spark.connect.authenticate.token`). */
  readonly token?: string;
  /** Extra `--conf key=value` settings (e.g. reattach stream limits). */
  readonly conf?: Readonly<Record<string, string>>;
  /** Give up when the port does not answer within this many ms (default 180 s). */
  readonly startTimeoutMs?: number;
}

const PYTHON = process.env['STRATA_TEST_PYTHON'] ?? 'python3';

/** The pyspark install's directory (SPARK_HOME), or why it cannot be used. */
export function findSparkHome(): { sparkHome: string } | { missing: string } {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return { missing: 'java (Java 17) on PATH' };
  const py = spawnSync(PYTHON, ['-c', 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'], { encoding: 'utf8' });
  if (py.error || py.status !== 0) {
    return { missing: `the pyspark package for ${PYTHON} (pip install -r requirements-test.txt)` };
  }
  const sparkHome = py.stdout.trim();
  if (!existsSync(join(sparkHome, 'bin', 'spark-submit'))) return { missing: `${sparkHome}/bin/spark-submit (a complete pyspark install)` };
  return { sparkHome };
}

/**
 * `undefined` when a Spark Connect server can be started here; otherwise a skip message. In CI
 * (`process.env.CI` set) a missing pyspark or Java is an error, never a silent skip.
 */
export function sparkConnectSkipReason(): string | undefined {
  const found = findSparkHome();
  if ('sparkHome' in found) return undefined;
  const message = `Spark Connect tests need ${found.missing}`;
  if (process.env['CI']) throw new Error(`${message}; CI must install it (.ci/run)`);
  return `${message}; skipping`;
}


function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts a Spark Connect server on a free loopback port and waits until it accepts connections. */
export async function startSparkConnectServer(options: StartSparkConnectOptions = {}): Promise<SparkConnectTestServer> {
  const found = findSparkHome();
  if (!('sparkHome' in found)) throw new Error(`Cannot start Spark Connect: it needs ${found.missing}`);
  const { sparkHome } = found;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'strata-spark-connect-'));
  const logPath = join(dir, 'server.log');
  const conf: Record<string, string> = {
    'spark.connect.grpc.binding.address': '127.0.0.1',
    'spark.connect.grpc.binding.port': String(port),
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': '4',
    'spark.sql.catalogImplementation': 'in-memory',
    'spark.sql.warehouse.dir': join(dir, 'warehouse'),
    'spark.sql.session.timeZone': 'UTC',
    ...options.conf,
  };
  const args = [
    '--master',
    'local[2]',
    '--driver-memory',
    '768m',
    '--name',
    'strata-test-spark-connect',
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    '--class',
    'org.apache.spark.sql.connect.service.SparkConnectServer',
    'spark-internal',
  ];
  const log = openSync(logPath, 'a');
  const started = Date.now();
  const child: ChildProcess = spawn(join(sparkHome, 'bin', 'spark-submit'), args, {
    cwd: dir,
    // Its own process group, so stop() ends the launcher script and the JVM together.
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      SPARK_HOME: sparkHome,
      SPARK_LOCAL_IP: '127.0.0.1',
      SPARK_LOG_DIR: dir,
      ...(options.token !== undefined ? { SPARK_CONNECT_AUTHENTICATE_TOKEN: options.token } : {}),
    },
  });
  closeSync(log);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const killGroup = (signal: NodeJS.Signals): void => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // If the test process dies without calling stop(), do not leave a JVM behind.
  const onExit = (): void => killGroup('SIGKILL');
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 15_000);
    await exitedPromise;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = started + (options.startTimeoutMs ?? 180_000);
  while (!(await portAnswers(port))) {
    if (exited) {
      const tail = logTail(logPath);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Spark Connect exited before it listened on ${port}:\n${tail}`);
    }
    if (Date.now() > deadline) {
      const tail = logTail(logPath);
      await stop();
      throw new Error(`Spark Connect did not listen on ${port} within ${options.startTimeoutMs ?? 180_000} ms:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url: `sc://127.0.0.1:${port}`, port, logPath, startupMs: Date.now() - started, stop };
}
