/**
 * The stream state store (model/state-store.ts): a two-tier key-value store — a bounded in-memory
 * LRU map, spilling its coldest entries to a local SQLite file — with changelog checkpoints to the
 * lake.
 *
 * - Every key lives in exactly one tier. Reading a spilled key moves it back to memory (and may
 *   spill others), so a hot working set stays in memory and the rest costs a disk read.
 * - Every put and delete is remembered until the next checkpoint, which writes only those keys
 *   (`changelog/<batch>.ndjson.gz`) — or all state (`snapshot/<batch>.ndjson.gz`) every
 *   `snapshotEvery` batches and for the first checkpoint after a restore without a snapshot.
 * - `restore(n)` rebuilds the state of batch n from the newest snapshot at or before n plus the
 *   changelogs after it, and deletes checkpoints newer than n (an attempt that never committed).
 *   Checkpoints live in the lake, so a restore on another machine gives the same state.
 * - Writes carry the batch's processing time (`beginBatch`), checkpointed with the value, so TTL
 *   expiry is the same on replay and after a restore.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { StrataError } from '../../core/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import type { CheckpointInfo, KeyedState, StateSettings, StateStats, StateStore } from '../model/index.ts';
import { decodeState, encodeState } from './state-codec.ts';

export interface StateStoreOptions {
  /** The stream's state area in the lake. */
  readonly store: ObjectStore;
  /** Local scratch directory for the spill database. */
  readonly localDir: string;
  readonly settings: StateSettings;
  readonly log?: (line: string) => void;
}

interface Entry {
  text: string;
  written: number;
}

/** One checkpoint line: [namespace, key, value text or null for a delete, written-at ms]. */
type Line = [string, string, string | null, number];

const SEP = '\u0000';
const SNAPSHOT = /^snapshot\/(\d{12})\.ndjson\.gz$/;
const CHANGELOG = /^changelog\/(\d{12})\.ndjson\.gz$/;

export async function openStateStore(options: StateStoreOptions): Promise<StateStore> {
  mkdirSync(options.localDir, { recursive: true });
  return Promise.resolve(new LocalStateStore(options));
}

class LocalStateStore implements StateStore {
  readonly #options: StateStoreOptions;
  readonly #db: Database.Database;
  readonly #memory = new Map<string, Entry>();
  readonly #dirty = new Set<string>();
  readonly #counts = new Map<string, number>();
  #memoryBytes = 0;
  #spilledRows = 0;
  #spilledBytes = 0;
  #now = 0;
  #needsSnapshot = true;
  readonly #sql: {
    get: Database.Statement<[string], { text: string; written: number }>;
    put: Database.Statement<[string, string, number]>;
    del: Database.Statement<[string]>;
    all: Database.Statement<[], { k: string; text: string; written: number }>;
    prefix: Database.Statement<[string, string], { k: string; text: string; written: number }>;
  };

  constructor(options: StateStoreOptions) {
    this.#options = options;
    this.#db = new Database(join(options.localDir, 'state-spill.db'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = OFF'); // scratch: the lake checkpoints are the durable copy
    this.#db.exec('DROP TABLE IF EXISTS spill; CREATE TABLE spill (k TEXT PRIMARY KEY, text TEXT NOT NULL, written INTEGER NOT NULL)');
    this.#sql = {
      get: this.#db.prepare('SELECT text, written FROM spill WHERE k = ?'),
      put: this.#db.prepare('INSERT OR REPLACE INTO spill (k, text, written) VALUES (?, ?, ?)'),
      del: this.#db.prepare('DELETE FROM spill WHERE k = ?'),
      all: this.#db.prepare('SELECT k, text, written FROM spill'),
      prefix: this.#db.prepare('SELECT k, text, written FROM spill WHERE k >= ? AND k < ?'),
    };
  }

  namespace<V>(name: string): KeyedState<V> {
    const prefix = `${name}${SEP}`;
    const counts = this.#counts;
    return {
      get: (key) => {
        const entry = this.#read(prefix + key);
        return entry === undefined ? undefined : (decodeState(entry.text) as V);
      },
      put: (key, value) => this.#write(name, prefix + key, encodeState(value)),
      delete: (key) => this.#remove(name, prefix + key),
      has: (key) => this.#read(prefix + key) !== undefined,
      entries: () => this.#entries<V>(name, prefix),
      get size() {
        return counts.get(name) ?? 0;
      },
    };
  }

  *#entries<V>(name: string, prefix: string): IterableIterator<[string, V]> {
    // Snapshot both tiers first: the caller may read other keys while iterating, which moves entries between tiers.
    const inMemory = [...this.#memory.entries()].filter(([k]) => k.startsWith(prefix));
    const spilled = this.#sql.prefix.all(prefix, `${name}\u0001`);
    for (const [k, entry] of inMemory) yield [k.slice(prefix.length), decodeState(entry.text) as V];
    for (const row of spilled) yield [row.k.slice(prefix.length), decodeState(row.text) as V];
  }

  #read(k: string): Entry | undefined {
    const entry = this.#memory.get(k);
    if (entry) {
      this.#memory.delete(k);
      this.#memory.set(k, entry); // most recently used last
      return entry;
    }
    const row = this.#sql.get.get(k);
    if (!row) return undefined;
    // Back to memory: the key is hot again.
    this.#sql.del.run(k);
    this.#spilledRows--;
    this.#spilledBytes -= k.length + row.text.length;
    const loaded = { text: row.text, written: row.written };
    this.#memory.set(k, loaded);
    this.#memoryBytes += k.length + row.text.length;
    this.#spill();
    return loaded;
  }

  #write(namespace: string, k: string, text: string): void {
    const existing = this.#read(k);
    if (existing) {
      this.#memoryBytes += text.length - existing.text.length;
      existing.text = text;
      existing.written = this.#now;
    } else {
      this.#memory.set(k, { text, written: this.#now });
      this.#memoryBytes += k.length + text.length;
      this.#counts.set(namespace, (this.#counts.get(namespace) ?? 0) + 1);
    }
    this.#dirty.add(k);
    this.#spill();
  }

  #remove(namespace: string, k: string): void {
    const entry = this.#read(k);
    if (!entry) return;
    this.#memory.delete(k);
    this.#memoryBytes -= k.length + entry.text.length;
    this.#counts.set(namespace, (this.#counts.get(namespace) ?? 1) - 1);
    this.#dirty.add(k);
  }

  /** Moves the least recently used entries to disk until memory is within its budget. */
  #spill(): void {
    if (this.#memoryBytes <= this.#options.settings.memoryBytes) return;
    const move = this.#db.transaction(() => {
      for (const [k, entry] of this.#memory) {
        if (this.#memoryBytes <= this.#options.settings.memoryBytes * 0.9 || this.#memory.size <= 1) break;
        this.#sql.put.run(k, entry.text, entry.written);
        this.#memory.delete(k);
        const bytes = k.length + entry.text.length;
        this.#memoryBytes -= bytes;
        this.#spilledBytes += bytes;
        this.#spilledRows++;
      }
    });
    move();
  }

  stats(): StateStats {
    let rows = 0;
    for (const count of this.#counts.values()) rows += count;
    return { rows, bytes: this.#memoryBytes + this.#spilledBytes, spilledRows: this.#spilledRows };
  }

  beginBatch(_batchId: number, batchTimestampMs: number): void {
    this.#now = batchTimestampMs;
  }

  expireIdle(nowMs: number): number {
    const ttl = this.#options.settings.ttlMs;
    if (ttl === undefined) return 0;
    const cutoff = nowMs - ttl;
    const expired: string[] = [];
    for (const [k, entry] of this.#memory) if (entry.written < cutoff) expired.push(k);
    for (const row of this.#sql.all.all()) if (row.written < cutoff) expired.push(row.k);
    for (const k of expired) this.#remove(k.slice(0, k.indexOf(SEP)), k);
    return expired.length;
  }

  async checkpoint(batchId: number): Promise<CheckpointInfo> {
    const { snapshotEvery } = this.#options.settings;
    const snapshot = this.#needsSnapshot || batchId % snapshotEvery === 0;
    const lines: Line[] = [];
    if (snapshot) {
      for (const [k, entry] of this.#memory) lines.push(lineOf(k, entry));
      for (const row of this.#sql.all.all()) lines.push(lineOf(row.k, row));
    } else {
      for (const k of this.#dirty) {
        const entry = this.#memory.get(k) ?? this.#sql.get.get(k);
        lines.push(entry ? lineOf(k, entry) : [k.slice(0, k.indexOf(SEP)), k.slice(k.indexOf(SEP) + 1), null, 0]);
      }
    }
    lines.sort((a, b) => (a[0] + SEP + a[1] < b[0] + SEP + b[1] ? -1 : 1));
    const key = `${snapshot ? 'snapshot' : 'changelog'}/${pad(batchId)}.ndjson.gz`;
    const body = gzipSync(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')));
    await this.#options.store.put(key, body);
    this.#dirty.clear();
    this.#needsSnapshot = false;
    if (snapshot) await this.#prune(batchId);
    return { batchId, kind: snapshot ? 'snapshot' : 'changelog', keys: [key], bytes: body.length };
  }

  /**
   * After snapshot `batchId`: keeps it, the newest `retainSnapshots` snapshots before it and the
   * changelogs after the oldest kept. The older snapshots count, not this one: until batch
   * `batchId` commits, a restore may still need the chain to the batch before it.
   */
  async #prune(batchId: number): Promise<void> {
    const { snapshots, changelogs } = await this.#list();
    const kept = snapshots.filter((id) => id < batchId).slice(-Math.max(1, this.#options.settings.retainSnapshots));
    const oldest = kept[0] ?? batchId;
    const stale = [
      ...snapshots.filter((id) => id < oldest).map((id) => `snapshot/${pad(id)}.ndjson.gz`),
      ...changelogs.filter((id) => id <= oldest).map((id) => `changelog/${pad(id)}.ndjson.gz`),
    ];
    if (stale.length > 0) await this.#options.store.deleteMany(stale);
  }

  async #list(): Promise<{ snapshots: number[]; changelogs: number[] }> {
    const snapshots: number[] = [];
    const changelogs: number[] = [];
    for await (const info of this.#options.store.list('')) {
      const s = SNAPSHOT.exec(info.key);
      if (s) snapshots.push(Number(s[1]));
      const c = CHANGELOG.exec(info.key);
      if (c) changelogs.push(Number(c[1]));
    }
    const ascending = (a: number, b: number): number => a - b;
    return { snapshots: snapshots.sort(ascending), changelogs: changelogs.sort(ascending) };
  }

  async restore(batchId: number | undefined): Promise<void> {
    this.#clear();
    const { snapshots, changelogs } = await this.#list();
    const newer = [
      ...snapshots.filter((id) => batchId === undefined || id > batchId).map((id) => `snapshot/${pad(id)}.ndjson.gz`),
      ...changelogs.filter((id) => batchId === undefined || id > batchId).map((id) => `changelog/${pad(id)}.ndjson.gz`),
    ];
    if (newer.length > 0) await this.#options.store.deleteMany(newer);
    if (batchId === undefined) return;
    const base = snapshots.filter((id) => id <= batchId).at(-1);
    if (base === undefined) {
      throw new StrataError('STATE_CORRUPT', `No state snapshot at or before batch ${batchId} in the stream's checkpoint area; the state of the committed batches cannot be rebuilt`, { batchId });
    }
    this.#apply(await this.#readLines(`snapshot/${pad(base)}.ndjson.gz`));
    const present = new Set(changelogs);
    for (let id = base + 1; id <= batchId; id++) {
      if (!present.has(id)) {
        throw new StrataError('STATE_CORRUPT', `The state changelog of batch ${id} is missing (snapshot ${base}, committed batch ${batchId}); the stream's state cannot be rebuilt`, {
          batchId: id,
        });
      }
      this.#apply(await this.#readLines(`changelog/${pad(id)}.ndjson.gz`));
    }
    this.#dirty.clear();
    this.#needsSnapshot = false;
    this.#options.log?.(`state restored to batch ${batchId}: ${this.stats().rows} key(s) from snapshot ${base} + ${batchId - base} changelog(s)`);
  }

  async #readLines(key: string): Promise<Line[]> {
    try {
      const text = gunzipSync(await this.#options.store.get(key)).toString('utf8');
      return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as Line);
    } catch (error) {
      throw new StrataError('STATE_CORRUPT', `State checkpoint ${key} is unreadable: ${(error as Error).message}`, { key }, { cause: error });
    }
  }

  #apply(lines: readonly Line[]): void {
    for (const [namespace, key, text, written] of lines) {
      const k = namespace + SEP + key;
      const saved = this.#now;
      this.#now = written;
      if (text === null) this.#remove(namespace, k);
      else this.#write(namespace, k, text);
      this.#now = saved;
    }
  }

  #clear(): void {
    this.#memory.clear();
    this.#dirty.clear();
    this.#counts.clear();
    this.#db.exec('DELETE FROM spill');
    this.#memoryBytes = 0;
    this.#spilledRows = 0;
    this.#spilledBytes = 0;
    this.#needsSnapshot = true;
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}

function lineOf(k: string, entry: Entry): Line {
  const at = k.indexOf(SEP);
  return [k.slice(0, at), k.slice(at + 1), entry.text, entry.written];
}

function pad(id: number): string {
  return String(id).padStart(12, '0');
}
