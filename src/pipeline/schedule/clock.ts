/**
 * Time as a dependency: the scheduler and the runner ask a `Clock` for "now" and for sleeps, so
 * tests drive hours of schedule and backoff in microseconds with a `ManualClock` instead of
 * waiting on real timers (tests never assert on wall-clock time).
 *
 * Both clocks reject an aborted sleep with the signal's reason (an `AbortError` DOMException by
 * default), like `timers/promises`.
 *
 * @example
 *   const clock = new ManualClock(Date.parse('2024-03-01T00:00:00Z'));
 *   const slept = clock.sleep(5_000);
 *   await clock.advance(5_000); // `slept` is resolved, clock.now() moved 5 s
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (≤ 0: at once); rejects with `signal.reason` when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolvePromise, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolvePromise();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
});

interface Sleeper {
  readonly due: number;
  readonly seq: number;
  readonly resolve: () => void;
  readonly detach: () => void;
}

/**
 * A clock that moves only when told. `advance(ms)` walks time forward through each due sleeper in
 * order (same due time: the one that started sleeping first), setting `now()` to that sleeper's
 * due time and letting its continuation run before waking the next, so code that sleeps again
 * inside the window is woken in the same `advance` when due.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolvePromise, reject) => {
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        due: this.#now + ms,
        seq: this.#seq++,
        resolve: resolvePromise,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
      this.#notifyWaiters();
    });
  }

  /** Moves time forward by `ms`, waking due sleepers one at a time in time order. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError(`ManualClock.advance: ms must be ≥ 0, got ${ms}`);
    await this.#runUntil(this.#now + ms);
  }

  /** Sets the time; moving forward wakes due sleepers like `advance`, moving back wakes none. */
  async set(ms: number): Promise<void> {
    if (ms <= this.#now) {
      this.#now = ms;
      return;
    }
    await this.#runUntil(ms);
  }

  /** Due times of the sleeps in progress, earliest first. */
  pendingSleeps(): readonly number[] {
    return this.#ordered().map((s) => s.due);
  }

  /** Resolves once at least `count` sleeps are in progress (for tests that wait for a loop to park). */
  waitForSleepers(count = 1): Promise<void> {
    if (this.#sleepers.length >= count) return Promise.resolve();
    return new Promise((resolvePromise) => this.#waiters.push({ count, resolve: resolvePromise }));
  }

  async #runUntil(target: number): Promise<void> {
    while (true) {
      const next = this.#ordered()[0];
      if (next === undefined || next.due > target) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      this.#now = Math.max(this.#now, next.due);
      next.detach();
      next.resolve();
      await settle();
    }
    this.#now = Math.max(this.#now, target);
  }

  #ordered(): Sleeper[] {
    return [...this.#sleepers].sort((a, b) => a.due - b.due || a.seq - b.seq);
  }

  #notifyWaiters(): void {
    const ready = this.#waiters.filter((w) => this.#sleepers.length >= w.count);
    this.#waiters = this.#waiters.filter((w) => this.#sleepers.length < w.count);
    for (const waiter of ready) waiter.resolve();
  }
}

/** Lets promise continuations (and the I/O they start) run before the next sleeper wakes. */
function settle(): Promise<void> {
  return new Promise((resolvePromise) => setImmediate(resolvePromise));
}
