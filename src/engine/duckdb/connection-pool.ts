/**
 * A fixed-size pool of DuckDB connections over one instance. DuckDB runs one query per connection
 * at a time, so the pool bounds how many queries run at once; callers beyond that wait in a strict
 * FIFO queue (no starvation: a released connection goes to the oldest waiter). Connections are
 * opened lazily. A connection whose query was interrupted is discarded rather than reused, because
 * its session state after an interrupt is not worth trusting; the next caller gets a fresh one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { StrataError } from '../../core/index.ts';

interface Waiter {
  readonly resolve: (connection: DuckDBConnection) => void;
  readonly reject: (error: unknown) => void;
}

export interface PoolStats {
  readonly size: number;
  readonly open: number;
  readonly idle: number;
  readonly waiting: number;
}

export class ConnectionPool {
  readonly size: number;
  readonly #connect: () => Promise<DuckDBConnection>;
  readonly #idle: DuckDBConnection[] = [];
  readonly #waiters: Waiter[] = [];
  #open = 0;
  #closed = false;

  constructor(connect: () => Promise<DuckDBConnection>, size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new StrataError('INVALID_CONFIG', `Connection pool size must be a positive integer, got ${size}`, { size });
    }
    this.#connect = connect;
    this.size = size;
  }

  get stats(): PoolStats {
    return { size: this.size, open: this.#open, idle: this.#idle.length, waiting: this.#waiters.length };
  }

  /** A connection for exclusive use; give it back with `release`. Aborting `signal` leaves the queue. */
  async acquire(signal?: AbortSignal): Promise<DuckDBConnection> {
    if (this.#closed) throw new StrataError('INVALID_ARGUMENT', 'The engine is closed; open a new one');
    signal?.throwIfAborted();
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#open < this.size) {
      this.#open++;
      try {
        return await this.#connect();
      } catch (error) {
        this.#open--;
        throw error;
      }
    }
    return new Promise<DuckDBConnection>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: (c) => {
          signal?.removeEventListener('abort', onAbort);
          // Aborted after being taken off the queue (while its connection was being opened): the
          // caller is gone, so the connection goes back to the pool instead of leaking its slot.
          if (signal?.aborted) this.release(c);
          else resolve(c);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Return a connection; with `discard` it is closed and its slot reopened for the next waiter. */
  release(connection: DuckDBConnection, options: { discard?: boolean } = {}): void {
    if (options.discard === true || this.#closed) {
      connection.closeSync();
      this.#open--;
      const waiter = this.#waiters.shift();
      if (waiter && !this.#closed) {
        this.#open++;
        this.#connect().then(waiter.resolve, (error: unknown) => {
          this.#open--;
          waiter.reject(error);
        });
      }
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(connection);
    else this.#idle.push(connection);
  }

  /** Close idle connections and refuse waiters; connections in use close when released. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(new StrataError('QUERY_CANCELLED', 'The engine was closed while the query waited for a connection'));
    }
    for (const connection of this.#idle.splice(0)) {
      connection.closeSync();
      this.#open--;
    }
  }
}
