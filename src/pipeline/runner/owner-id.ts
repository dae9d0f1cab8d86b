/**
 * Lease owners: `<host>:<pid>:<random>`. A lease normally ends by expiring; but when its owner
 * ran on this host and that process is gone (killed, crashed), waiting for the expiry only delays
 * the restart, so `isDeadLocalOwner` lets a restarted Strata take the work over at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function isDeadLocalOwner(owner: string | undefined): boolean {
  if (owner === undefined) return false;
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
