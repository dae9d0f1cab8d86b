/**
 * A real Spark Connect server for tests, started by Strata's one Spark launcher
 * (compute/spark-launcher.ts: pip `pyspark` 4.0.x on Java 17, loopback only, its own temp dir)
 * with test-sized defaults: 2 cores, 768 MB of driver heap, no Iceberg jar unless a lake catalog
 * is asked for. It takes 10–30 s to start, so start one per test file (in `before`) and `stop()`
 * it in `after`.
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
 * line, where `ps` would show it); every client must then send it (`url` does not carry it).
 */
import { findSparkHome } from '../compute/spark-home.ts';
import { startSparkCluster } from '../compute/spark-launcher.ts';
import type { LakeCatalogConfOptions } from '../lake-catalog-conf.ts';

export { findSparkHome };

export interface SparkConnectTestServer {
  /** `sc://127.0.0.1:<port>` (append `/;token=…;use_ssl=false` when the server was started with a token). */
  readonly url: string;
  readonly port: number;
  /** The JVM's pid (it leads its own process group). */
  readonly pid: number;
  /** Where the server's stdout/stderr go (read it when a test fails oddly). */
  readonly logPath: string;
  /** Milliseconds from spawn until the port answered. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface StartSparkConnectOptions {
  /** Require this bearer token from clients (`spark.connect.authenticate.token`). */
  readonly token?: string;
  /** Strata's REST catalog as Spark's `strata` catalog; also puts Iceberg's Spark runtime jar on the class path. */
  readonly lakeCatalog?: LakeCatalogConfOptions;
  /** Extra `spark.*` settings (e.g. reattach stream limits); they win over the harness's. */
  readonly conf?: Readonly<Record<string, string>>;
  /** `local[<cores>]` (default 2). */
  readonly cores?: number;
  /** Driver heap (default 768m). */
  readonly memory?: string;
  /** Give up when the port does not answer within this many ms (default 180 s). */
  readonly startTimeoutMs?: number;
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

/** Starts a Spark Connect server on a free loopback port and waits until it accepts connections. */
export async function startSparkConnectServer(options: StartSparkConnectOptions = {}): Promise<SparkConnectTestServer> {
  const cluster = await startSparkCluster({
    cores: options.cores ?? 2,
    memory: options.memory ?? '768m',
    name: 'strata-test-spark-connect',
    icebergRuntime: options.lakeCatalog !== undefined,
    ...(options.lakeCatalog === undefined ? {} : { lakeCatalog: options.lakeCatalog }),
    ...(options.token === undefined ? {} : { connectToken: options.token }),
    ...(options.conf === undefined ? {} : { conf: options.conf }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  });
  return { url: cluster.url, port: cluster.port, pid: cluster.pid, logPath: cluster.logPath, startupMs: cluster.startupMs, stop: () => cluster.stop() };
}
