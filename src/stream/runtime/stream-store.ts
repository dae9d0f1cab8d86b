/**
 * Registered streams, their desired state and lease, and per-batch progress, in the catalog
 * database (stream-migrations.ts). Every decision is one statement whose affected-row count says
 * who won, as in the pipeline plane's run store: two processes starting the same stream cannot
 * both hold its lease, and a dead runner's lease expires so another can take over.
 *
 * @example
 *   const store = await StreamStore.open(connection);
 *   await store.register(definition, { source: 'clicks.stream.yaml', desired: 'running' });
 *   if (await store.claim('clicks', owner, 30_000)) { … await store.release('clicks', owner, 'stopped'); }
 */
import type { Kysely } from 'kysely';
import type { CatalogDialect } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import type { BatchProgress, StreamDefinition } from '../model/index.ts';
import { migrateStreams } from './stream-migrations.ts';

export type DesiredState = 'running' | 'stopped';
export type StreamStatus = 'registered' | 'starting' | 'running' | 'stopped' | 'failed' | 'finished';

export interface StreamRecord {
  readonly name: string;
  readonly definition: StreamDefinition;
  readonly version: string;
  readonly source?: string;
  readonly desired: DesiredState;
  readonly status: StreamStatus;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: number;
  readonly lastError?: string;
  readonly updatedAt: number;
}

interface StreamTables {
  strata_stream: {
    name: string;
    definition: string;
    version: string;
    source: string | null;
    desired: string;
    status: string;
    lease_owner: string | null;
    lease_expires_at: number | string | null;
    last_error: string | null;
    updated_at: number | string;
  };
  strata_stream_progress: { stream: string; batch_id: number | string; progress: string; finished_at: number | string };
  strata_stream_replay: { stream: string; letter: string; replayed_at: number | string };
}

export interface StreamStoreConnection {
  readonly db: Kysely<unknown>;
  readonly dialect: CatalogDialect;
}

/** How many progress rows a stream keeps (older ones are deleted as new batches finish). */
export const PROGRESS_KEPT = 1_000;

export class StreamStore {
  readonly #db: Kysely<StreamTables>;
  readonly #now: () => number;

  private constructor(db: Kysely<StreamTables>, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  static async open(connection: StreamStoreConnection, options: { now?: () => number } = {}): Promise<StreamStore> {
    await migrateStreams(connection.db, connection.dialect);
    return new StreamStore(connection.db as unknown as Kysely<StreamTables>, options.now ?? Date.now);
  }

  /** The catalog database behind a home's catalog (SQLite or Postgres). */
  static connectionOf(backend: unknown): StreamStoreConnection {
    const connection = (backend as { readonly connection?: StreamStoreConnection }).connection;
    if (!connection) throw new StrataError('CATALOG_ERROR', 'This catalog backend has no SQL connection for streams');
    return connection;
  }

  /** Adds the stream or replaces its definition (keeping its lease and status). */
  async register(definition: StreamDefinition, options: { version: string; source?: string; desired: DesiredState }): Promise<StreamRecord> {
    const now = this.#now();
    await this.#db
      .insertInto('strata_stream')
      .values({
        name: definition.name,
        definition: JSON.stringify(definition),
        version: options.version,
        source: options.source ?? null,
        desired: options.desired,
        status: 'registered',
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ definition: JSON.stringify(definition), version: options.version, source: options.source ?? null, desired: options.desired, updated_at: now }),
      )
      .execute();
    return this.require(definition.name);
  }

  async get(name: string): Promise<StreamRecord | undefined> {
    const row = await this.#db.selectFrom('strata_stream').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async require(name: string): Promise<StreamRecord> {
    const record = await this.get(name);
    if (!record) throw new StrataError('STREAM_NOT_FOUND', `No stream named ${name}; "strata stream list" shows the registered ones`, { stream: name });
    return record;
  }

  async list(): Promise<StreamRecord[]> {
    const rows = await this.#db.selectFrom('strata_stream').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  /** Sets what the operator wants; asking a failed or finished stream to run clears its status for the supervisor. */
  async setDesired(name: string, desired: DesiredState): Promise<void> {
    const result = await this.#db.updateTable('strata_stream').set({ desired, updated_at: this.#now() }).where('name', '=', name).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) await this.require(name);
    if (desired === 'running') {
      await this.#db
        .updateTable('strata_stream')
        .set({ status: 'registered' })
        .where('name', '=', name)
        .where('lease_owner', 'is', null)
        .where('status', 'in', ['failed', 'finished', 'stopped'])
        .execute();
    }
  }

  async remove(name: string): Promise<void> {
    await this.#db.deleteFrom('strata_stream_progress').where('stream', '=', name).execute();
    await this.#db.deleteFrom('strata_stream_replay').where('stream', '=', name).execute();
    await this.#db.deleteFrom('strata_stream').where('name', '=', name).execute();
  }

  /** Takes the stream's lease when it is free, expired, or already ours. True when we hold it. */
  async claim(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const result = await this.#db
      .updateTable('strata_stream')
      .set({ lease_owner: owner, lease_expires_at: now + ttlMs, status: 'starting', last_error: null, updated_at: now })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_expires_at', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Extends our lease and reports our status; false when we lost the lease (stop at once). */
  async renew(name: string, owner: string, ttlMs: number, status: StreamStatus = 'running'): Promise<boolean> {
    const now = this.#now();
    const result = await this.#db
      .updateTable('strata_stream')
      .set({ lease_expires_at: now + ttlMs, status, updated_at: now })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async release(name: string, owner: string, status: StreamStatus, error?: string): Promise<void> {
    await this.#db
      .updateTable('strata_stream')
      .set({ lease_owner: null, lease_expires_at: null, status, last_error: error ?? null, updated_at: this.#now() })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async recordProgress(progress: BatchProgress): Promise<void> {
    await this.#db
      .insertInto('strata_stream_progress')
      .values({ stream: progress.stream, batch_id: progress.batchId, progress: JSON.stringify(progress), finished_at: progress.finishedAt })
      .onConflict((oc) => oc.columns(['stream', 'batch_id']).doUpdateSet({ progress: JSON.stringify(progress), finished_at: progress.finishedAt }))
      .execute();
    if (progress.batchId % 100 === 0) {
      await this.#db.deleteFrom('strata_stream_progress').where('stream', '=', progress.stream).where('batch_id', '<=', progress.batchId - PROGRESS_KEPT).execute();
    }
  }

  /**
   * Claims dead letters for replay: records each id as replayed and returns those that were not
   * already (one statement per id; ON CONFLICT makes a second replay of the same letter a no-op).
   */
  async claimReplays(stream: string, letters: readonly string[]): Promise<Set<string>> {
    const claimed = new Set<string>();
    const now = this.#now();
    for (const letter of letters) {
      const result = await this.#db
        .insertInto('strata_stream_replay')
        .values({ stream, letter, replayed_at: now })
        .onConflict((oc) => oc.columns(['stream', 'letter']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 1) claimed.add(letter);
    }
    return claimed;
  }

  /** Forgets replay claims (when sending them to the source failed, so they can be replayed again). */
  async unclaimReplays(stream: string, letters: readonly string[]): Promise<void> {
    if (letters.length === 0) return;
    await this.#db.deleteFrom('strata_stream_replay').where('stream', '=', stream).where('letter', 'in', [...letters]).execute();
  }

  /** The newest progress rows, newest first. */
  async progress(name: string, limit = 20): Promise<BatchProgress[]> {
    const rows = await this.#db.selectFrom('strata_stream_progress').select('progress').where('stream', '=', name).orderBy('batch_id', 'desc').limit(limit).execute();
    return rows.map((r) => JSON.parse(r.progress) as BatchProgress);
  }
}

function toRecord(row: StreamTables['strata_stream']): StreamRecord {
  return {
    name: row.name,
    definition: JSON.parse(row.definition) as StreamDefinition,
    version: row.version,
    ...(row.source === null ? {} : { source: row.source }),
    desired: row.desired as DesiredState,
    status: row.status as StreamStatus,
    ...(row.lease_owner === null ? {} : { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: Number(row.lease_expires_at) }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    updatedAt: Number(row.updated_at),
  };
}
