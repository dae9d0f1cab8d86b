/**
 * A StateStore (model/state-store.ts) that lives in memory, for operator and runtime tests.
 *
 * It is strict where the real store (src/stream/state) is permissive, so tests catch operators
 * that would break in production:
 * - every `put` serialises the value with the real store's codec (JSON + tagged bigint/bytes) and
 *   refuses anything the codec would not round-trip (Maps, Sets, class instances, functions,
 *   undefined); every `get` decodes a fresh copy, so mutating a read value changes nothing;
 * - writing to a namespace while iterating its `entries()` throws.
 *
 * `checkpoint(n)` keeps a full copy of the state in a `checkpoints` map keyed by batch id;
 * `restore(n)` loads that copy. Pass the same map to a second store to simulate a restart on
 * another machine:
 *
 *   const checkpoints: InMemoryCheckpoints = new Map();
 *   const a = new InMemoryStateStore({ checkpoints });
 *   … a.beginBatch(3, ts); operator.process(…); await a.checkpoint(3);
 *   const b = new InMemoryStateStore({ checkpoints });
 *   await b.restore(3); // b now holds exactly a's state after batch 3
 *
 * TTL: each write is stamped with the `batchTimestampMs` of the last `beginBatch`, and
 * `expireIdle(now)` drops entries stamped before `now - ttlMs` — processing time of the batches,
 * never the wall clock, like the real store.
 */
import { StrataError } from '../../core/index.ts';
import type { CheckpointInfo, KeyedState, StateStats, StateStore } from '../model/index.ts';
import { decodeState, encodeState } from '../state/index.ts';

interface Entry {
  readonly text: string;
  readonly writtenMs: number;
}

type Namespaces = Map<string, Map<string, Entry>>;

/** Checkpoints by batch id: shared between stores to simulate a restart. */
export type InMemoryCheckpoints = Map<number, ReadonlyMap<string, ReadonlyMap<string, Entry>>>;

export interface InMemoryStateStoreOptions {
  /** Where checkpoints go (default: a map of this store's own). */
  readonly checkpoints?: InMemoryCheckpoints;
  /** Entries not written for this long (batch processing time) are dropped by `expireIdle`. */
  readonly ttlMs?: number;
}

export class InMemoryStateStore implements StateStore {
  readonly checkpoints: InMemoryCheckpoints;
  readonly #ttlMs: number | undefined;
  #namespaces: Namespaces = new Map();
  readonly #views = new Map<string, KeyedState<unknown>>();
  /** Namespaces with an `entries()` iteration in progress (name → open iterators). */
  readonly #iterating = new Map<string, number>();
  #batchTimestampMs = 0;
  #closed = false;

  constructor(options: InMemoryStateStoreOptions = {}) {
    this.checkpoints = options.checkpoints ?? new Map();
    this.#ttlMs = options.ttlMs;
  }

  namespace<V>(name: string): KeyedState<V> {
    this.#open();
    let view = this.#views.get(name);
    if (!view) {
      view = this.#createView(name);
      this.#views.set(name, view);
    }
    return view as KeyedState<V>;
  }

  stats(): StateStats {
    let rows = 0;
    let bytes = 0;
    for (const [name, entries] of this.#namespaces) {
      rows += entries.size;
      for (const [key, entry] of entries) bytes += name.length + key.length + entry.text.length;
    }
    return { rows, bytes, spilledRows: 0 };
  }

  beginBatch(_batchId: number, batchTimestampMs: number): void {
    this.#open();
    this.#batchTimestampMs = batchTimestampMs;
  }

  checkpoint(batchId: number): Promise<CheckpointInfo> {
    this.#open();
    const copy = cloneNamespaces(this.#namespaces);
    this.checkpoints.set(batchId, copy);
    return Promise.resolve({ batchId, kind: 'snapshot', keys: [`memory/${batchId}`], bytes: this.stats().bytes });
  }

  restore(batchId: number | undefined): Promise<void> {
    this.#open();
    if (batchId === undefined) {
      this.#namespaces = new Map();
      return Promise.resolve();
    }
    const saved = this.checkpoints.get(batchId);
    if (!saved) {
      return Promise.reject(
        new StrataError('STATE_CORRUPT', `No in-memory checkpoint of batch ${batchId}; checkpointed batches: ${[...this.checkpoints.keys()].join(', ') || 'none'}`, { batchId }),
      );
    }
    this.#namespaces = cloneNamespaces(saved);
    // Checkpoints of later batches belong to attempts that never committed.
    for (const id of [...this.checkpoints.keys()]) if (id > batchId) this.checkpoints.delete(id);
    return Promise.resolve();
  }

  expireIdle(nowMs: number): number {
    this.#open();
    if (this.#ttlMs === undefined) return 0;
    const cutoff = nowMs - this.#ttlMs;
    let dropped = 0;
    for (const [name, entries] of this.#namespaces) {
      this.#refuseWhileIterating(name);
      for (const [key, entry] of [...entries]) {
        if (entry.writtenMs < cutoff) {
          entries.delete(key);
          dropped++;
        }
      }
    }
    return dropped;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#namespaces = new Map();
    this.#views.clear();
    return Promise.resolve();
  }

  #open(): void {
    if (this.#closed) throw new StrataError('INVALID_ARGUMENT', 'The in-memory state store is closed; open a new one (and restore it) to continue');
  }

  #entries(name: string): Map<string, Entry> {
    let entries = this.#namespaces.get(name);
    if (!entries) {
      entries = new Map();
      this.#namespaces.set(name, entries);
    }
    return entries;
  }

  #refuseWhileIterating(name: string): void {
    if ((this.#iterating.get(name) ?? 0) > 0) {
      throw new StrataError('INVALID_ARGUMENT', `State namespace ${name} was written while its entries() were being iterated; collect the keys first, then write`, { namespace: name });
    }
  }

  #createView<V>(name: string): KeyedState<V> {
    // Resolved on each call: restore() replaces the namespaces map.
    const entries = (): Map<string, Entry> => {
      this.#open();
      return this.#entries(name);
    };
    const iterating = this.#iterating;
    return {
      get: (key) => {
        const entry = entries().get(key);
        return entry === undefined ? undefined : (decodeState(entry.text) as V);
      },
      put: (key, value) => {
        this.#refuseWhileIterating(name);
        assertPlainData(value, `${name}[${key}]`);
        entries().set(key, { text: encodeState(value), writtenMs: this.#batchTimestampMs });
      },
      delete: (key) => {
        this.#refuseWhileIterating(name);
        entries().delete(key);
      },
      has: (key) => entries().has(key),
      entries: function* (): IterableIterator<[string, V]> {
        const map = entries();
        iterating.set(name, (iterating.get(name) ?? 0) + 1);
        try {
          for (const [key, entry] of map) yield [key, decodeState(entry.text) as V];
        } finally {
          iterating.set(name, (iterating.get(name) ?? 1) - 1);
        }
      },
      get size() {
        return entries().size;
      },
    };
  }
}

function cloneNamespaces(source: ReadonlyMap<string, ReadonlyMap<string, Entry>>): Namespaces {
  return new Map([...source].map(([name, entries]) => [name, new Map(entries)]));
}

/** Refuses values the state codec cannot round-trip exactly. */
function assertPlainData(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint' || value instanceof Uint8Array) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse(path, `the number ${value} (JSON has no NaN or Infinity)`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainData(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) refuse(path, `an instance of ${(value as object).constructor.name}`);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && (keys[0] === '$b' || keys[0] === '$u')) refuse(path, `an object whose only key is ${keys[0]} (the codec's tag)`);
    for (const key of keys) assertPlainData(record[key], `${path}.${key}`);
    return;
  }
  refuse(path, typeof value);
}

function refuse(path: string, what: string): never {
  throw new StrataError('INVALID_ARGUMENT', `State value ${path} is ${what}; state values must be plain data (objects, arrays, strings, finite numbers, booleans, null, bigint, Uint8Array)`, {
    path,
  });
}
