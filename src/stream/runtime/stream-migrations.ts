/**
 * The stream plane's tables in the catalog database (own bookkeeping table, like the pipeline
 * plane's): registered streams with their desired state and lease, and the progress of each
 * micro-batch. Never edit a released migration; add `0002_…`. Timestamps are epoch ms in bigint
 * columns (Postgres drivers read them back as strings: convert on read).
 */
import type { Kysely, Migration } from 'kysely';
import { runMigrations, type CatalogDialect } from '../../catalog/index.ts';

export const STREAM_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_streams': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('strata_stream')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('definition', 'text', (col) => col.notNull())
        .addColumn('version', 'text', (col) => col.notNull())
        .addColumn('source', 'text')
        // What the operator asked for ('running' | 'stopped'); runners poll it between batches.
        .addColumn('desired', 'text', (col) => col.notNull())
        // What the runner reports ('starting' | 'running' | 'stopped' | 'failed' | 'finished').
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('strata_stream_progress')
        .addColumn('stream', 'text', (col) => col.notNull())
        .addColumn('batch_id', 'bigint', (col) => col.notNull())
        .addColumn('progress', 'text', (col) => col.notNull())
        .addColumn('finished_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_stream_progress_pk', ['stream', 'batch_id'])
        .execute();
      // Dead letters sent back to the source by `strata stream replay-dlq`: each is replayed once.
      await db.schema
        .createTable('strata_stream_replay')
        .addColumn('stream', 'text', (col) => col.notNull())
        .addColumn('letter', 'text', (col) => col.notNull())
        .addColumn('replayed_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_stream_replay_pk', ['stream', 'letter'])
        .execute();
    },
  },
};

export async function migrateStreams<DB>(db: Kysely<DB>, dialect: CatalogDialect): Promise<void> {
  await runMigrations(
    db,
    { withLock: (fn) => dialect.withMigrationLock(fn), disableTransactions: dialect.migrationsInsideLock },
    { subject: 'stream', migrations: STREAM_MIGRATIONS, table: 'strata_stream_migration', lockTable: 'strata_stream_migration_lock' },
  );
}
