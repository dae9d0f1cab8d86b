/**
 * Watching and stopping a Spark server by pid, also from a later process than the one that
 * started it (`strata compute down` after `strata compute up` has long exited).
 *
 * Gotchas:
 * - spark-submit `exec`s down to the JVM, so the recorded pid IS the JVM, and it leads its own
 *   process group (spawned detached): signals go to the group, so nothing it forked survives.
 * - a pid can be reused after a reboot or a crash; before signalling, `isSparkConnectProcess`
 *   checks (on Linux, through /proc) that the pid still runs Spark Connect.
 * - a dead child not yet reaped is a zombie that `kill(pid, 0)` still finds; /proc tells them apart.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const SPARK_CONNECT_SERVER_CLASS = 'org.apache.spark.sql.connect.service.SparkConnectServer';

function procText(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** True when `pid` runs and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procText(pid, 'stat');
  if (stat === undefined) return true; // no /proc (not Linux): trust kill(0)
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** True when `pid` is alive and (where /proc exists) its command line is a Spark Connect server. */
export function isSparkConnectProcess(pid: number): boolean {
  if (!processAlive(pid)) return false;
  const cmdline = procText(pid, 'cmdline');
  return cmdline === undefined || cmdline.includes(SPARK_CONNECT_SERVER_CLASS);
}

/** The process's command line as /proc shows it to anyone on the machine (NUL-separated), if readable. */
export function processCommandLine(pid: number): string | undefined {
  return procText(pid, 'cmdline');
}

/** True when something accepts TCP connections on host:port within `timeoutMs`. */
export function portAnswers(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * SIGTERM to the process group led by `pid` (Spark shuts down cleanly), SIGKILL after `graceMs`,
 * and waits until the leader is gone. Resolves false if it outlived even SIGKILL (5 s more).
 */
export async function stopProcessGroup(pid: number, graceMs = 10_000): Promise<boolean> {
  if (!processAlive(pid)) return true;
  signalGroup(pid, 'SIGTERM');
  const killAt = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < killAt) await sleep(100);
  if (!processAlive(pid)) return true;
  signalGroup(pid, 'SIGKILL');
  const giveUpAt = Date.now() + 5_000;
  while (processAlive(pid) && Date.now() < giveUpAt) await sleep(100);
  return !processAlive(pid);
}
