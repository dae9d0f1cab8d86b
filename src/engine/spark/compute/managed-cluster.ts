/**
 * The home's managed Spark cluster (`strata compute up/status/down`): one detached Spark Connect
 * server per home that outlives the CLI process, remembered in `<home>/compute/`:
 *
 *   spark.json             { pid, url, port, startedAt, cores, memory, catalogUri, catalogTokenId, logPath } — no secret
 *   spark-connect.token    the token Spark Connect requires from clients (0600)
 *   spark/server.log       Spark's output
 *
 * The lake catalog's bearer token is in none of them: the JVM read it from a 0600 properties file
 * that was deleted once Spark listened (see spark-launcher.ts); spark.json keeps only its id, so
 * `down` can revoke it.
 *
 * Why a Spark Connect token at all, on loopback: the server holds a catalog token of a Strata
 * administrator, so anyone on the machine who could reach the port could read the whole lake.
 *
 * Gotcha: the state is "running" only while the pid is alive AND the port answers; a recorded
 * cluster whose process is gone is stale, and `managedClusterStatus` removes its files.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '../../../core/index.ts';
import type { LakeCatalogConfOptions } from '../lake-catalog-conf.ts';
import { isSparkConnectProcess, portAnswers, processAlive, stopProcessGroup } from './process-control.ts';
import { sparkConnectionString, startSparkCluster } from './spark-launcher.ts';

export interface ManagedSparkState {
  readonly pid: number;
  /** `sc://127.0.0.1:<port>` (no token). */
  readonly url: string;
  readonly port: number;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly cores: number;
  readonly memory: string;
  /** The Strata REST catalog Spark was pointed at, or null for a Spark without the lake. */
  readonly catalogUri: string | null;
  /** The id (not the token) of the catalog bearer token minted for this cluster, to revoke on `down`. */
  readonly catalogTokenId: string | null;
  readonly logPath: string;
}

export type ManagedClusterStatus =
  | { readonly state: 'running'; readonly cluster: ManagedSparkState }
  /** The process lives but its port does not answer (hung, or still shutting down); `down` stops it. */
  | { readonly state: 'unresponsive'; readonly cluster: ManagedSparkState; readonly reason: string }
  /** Nothing runs. `stale` is a recorded cluster that died (its files were just removed). */
  | { readonly state: 'stopped'; readonly stale?: ManagedSparkState; readonly reason?: string };

/** The lake catalog a newly started cluster gets, asked for only when a cluster is really started. */
export interface ManagedCatalogCredentials extends LakeCatalogConfOptions {
  /** The token's id, recorded so `down` can revoke it. */
  readonly tokenId?: string;
}

export interface StartManagedClusterOptions {
  readonly cores: number;
  readonly memory: string;
  /** Called once, only when a new cluster starts (not when one runs already). */
  readonly lakeCatalog?: () => Promise<ManagedCatalogCredentials>;
  readonly conf?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export function managedClusterPaths(home: string): { dir: string; stateFile: string; tokenFile: string; lockFile: string; workDir: string } {
  const dir = join(home, 'compute');
  return {
    dir,
    stateFile: join(dir, 'spark.json'),
    tokenFile: join(dir, 'spark-connect.token'),
    lockFile: join(dir, 'spark.lock'),
    workDir: join(dir, 'spark'),
  };
}

/** The recorded cluster, whether or not it still runs; undefined when none is recorded. */
export function readManagedState(home: string): ManagedSparkState | undefined {
  const { stateFile } = managedClusterPaths(home);
  let text: string;
  try {
    text = readFileSync(stateFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as ManagedSparkState;
    if (!Number.isSafeInteger(state.pid) || typeof state.url !== 'string') throw new Error('missing pid or url');
    return state;
  } catch (error) {
    throw new StrataError('COMPUTE_ERROR', `${stateFile} is not a Strata compute state file (${(error as Error).message}); delete it if no cluster runs`, {
      stateFile,
    });
  }
}

/** The client token of the recorded cluster, if its file is there. */
export function readManagedConnectToken(home: string): string | undefined {
  try {
    return readFileSync(managedClusterPaths(home).tokenFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** What a client connects to the managed cluster with (token included), if one is recorded and its process lives. */
export function managedConnectionString(home: string): string | undefined {
  const state = readManagedState(home);
  if (state === undefined || !isSparkConnectProcess(state.pid)) return undefined;
  return sparkConnectionString(state.url, readManagedConnectToken(home));
}

function forget(home: string): void {
  const { stateFile, tokenFile } = managedClusterPaths(home);
  rmSync(stateFile, { force: true });
  rmSync(tokenFile, { force: true });
}

/** Running, unresponsive or stopped; a dead recorded cluster is cleaned up and reported as `stale`. */
export async function managedClusterStatus(home: string): Promise<ManagedClusterStatus> {
  const cluster = readManagedState(home);
  if (cluster === undefined) return { state: 'stopped' };
  if (!isSparkConnectProcess(cluster.pid)) {
    forget(home);
    return { state: 'stopped', stale: cluster, reason: `process ${cluster.pid} is gone` };
  }
  if (!(await portAnswers('127.0.0.1', cluster.port))) {
    return { state: 'unresponsive', cluster, reason: `process ${cluster.pid} runs but port ${cluster.port} does not answer` };
  }
  return { state: 'running', cluster };
}

/** One `up` at a time per home: a lock file holding the starter's pid (a dead starter's lock is taken over). */
function lock(home: string): () => void {
  const { lockFile } = managedClusterPaths(home);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        throw new StrataError('COMPUTE_ERROR', `Another "strata compute up" (pid ${holder}) is starting this home's cluster; wait for it`, { pid: holder });
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new StrataError('COMPUTE_ERROR', `Could not take ${lockFile}`, { lockFile });
}

/**
 * Starts the home's managed cluster unless one runs already (`started: false` then, and nothing
 * else happens). A stale record is cleaned up first and returned, so the caller can revoke its
 * catalog token.
 */
export async function startManagedCluster(
  home: string,
  options: StartManagedClusterOptions,
): Promise<{ readonly started: boolean; readonly cluster: ManagedSparkState; readonly stale?: ManagedSparkState }> {
  const paths = managedClusterPaths(home);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const unlock = lock(home);
  try {
    const status = await managedClusterStatus(home);
    if (status.state === 'running') return { started: false, cluster: status.cluster };
    if (status.state === 'unresponsive') {
      throw new StrataError('COMPUTE_ERROR', `A Spark cluster is recorded but does not answer (${status.reason}); run "strata compute down" first`, {
        pid: status.cluster.pid,
      });
    }
    const catalog = options.lakeCatalog === undefined ? undefined : await options.lakeCatalog();
    const connectToken = randomBytes(32).toString('hex');
    rmSync(paths.workDir, { recursive: true, force: true });
    const started = await startSparkCluster({
      cores: options.cores,
      memory: options.memory,
      dir: paths.workDir,
      detached: true,
      name: 'strata-compute',
      connectToken,
      ...(catalog === undefined ? {} : { lakeCatalog: catalog }),
      ...(options.conf === undefined ? {} : { conf: options.conf }),
      ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    });
    const cluster: ManagedSparkState = {
      pid: started.pid,
      url: started.url,
      port: started.port,
      startedAt: new Date().toISOString(),
      cores: started.cores,
      memory: started.memory,
      catalogUri: catalog?.restUri ?? null,
      catalogTokenId: catalog?.tokenId ?? null,
      logPath: started.logPath,
    };
    try {
      writeFileSync(paths.tokenFile, `${connectToken}\n`, { mode: 0o600 });
      const temp = `${paths.stateFile}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(cluster, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, paths.stateFile);
    } catch (error) {
      await started.stop();
      forget(home);
      throw error;
    }
    return { started: true, cluster, ...(status.stale === undefined ? {} : { stale: status.stale }) };
  } finally {
    unlock();
  }
}

/**
 * Stops the home's managed cluster (SIGTERM to its process group, SIGKILL after `graceMs`) and
 * removes its record. Returns what was recorded (undefined when nothing was), so the caller can
 * revoke its catalog token. A recorded pid that no longer runs Spark is never signalled.
 */
export async function stopManagedCluster(home: string, graceMs = 10_000): Promise<ManagedSparkState | undefined> {
  const cluster = readManagedState(home);
  if (cluster === undefined) return undefined;
  if (isSparkConnectProcess(cluster.pid) && !(await stopProcessGroup(cluster.pid, graceMs))) {
    throw new StrataError('COMPUTE_ERROR', `Spark (pid ${cluster.pid}) did not stop, even after SIGKILL`, { pid: cluster.pid });
  }
  forget(home);
  return cluster;
}

