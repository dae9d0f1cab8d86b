/**
 * Versioned migrations of the pipeline plane's tables inside the catalog database, recorded in their
 * own bookkeeping table (`strata_pipeline_migration`) so the catalog's, governance's and the query
 * service's migrations never see them.
 *
 * Rules for the future: never edit or rename a released migration; add `0002_…`. Write each with
 * Kysely's schema builder so it runs on SQLite and Postgres alike. Timestamps are epoch
 * milliseconds in `bigint` columns (Postgres drivers read them back as strings: convert on read).
 */
import type { Kysely, Migration } from 'kysely';
import { runMigrations, type CatalogDialect } from '../../catalog/index.ts';

export const PIPELINE_MIGRATION_TABLE = 'strata_pipeline_migration';
export const PIPELINE_MIGRATION_LOCK_TABLE = 'strata_pipeline_migration_lock';

export const PIPELINE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_pipeline_runs': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('strata_pipeline_version')
        .addColumn('pipeline', 'text', (col) => col.notNull())
        .addColumn('version', 'text', (col) => col.notNull())
        .addColumn('definition', 'text', (col) => col.notNull())
        .addColumn('source', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_pipeline_version_pk', ['pipeline', 'version'])
        .execute();

      await db.schema
        .createTable('strata_pipeline_run')
        .addColumn('run_id', 'text', (col) => col.primaryKey())
        .addColumn('pipeline', 'text', (col) => col.notNull())
        .addColumn('version', 'text', (col) => col.notNull())
        .addColumn('logical_date', 'text', (col) => col.notNull())
        .addColumn('partition', 'text', (col) => col.notNull())
        .addColumn('trigger', 'text', (col) => col.notNull())
        .addColumn('priority', 'integer', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('backfill_id', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('redrives', 'integer', (col) => col.notNull().defaultTo(0))
        .execute();
      // Claiming scans queued runs in (priority, created_at) order and counts running ones.
      await db.schema.createIndex('strata_pipeline_run_claim_idx').on('strata_pipeline_run').columns(['state', 'priority', 'created_at']).execute();
      // Listing a pipeline's runs newest first; latest run per partition.
      await db.schema.createIndex('strata_pipeline_run_list_idx').on('strata_pipeline_run').columns(['pipeline', 'created_at']).execute();
      await db.schema.createIndex('strata_pipeline_run_backfill_idx').on('strata_pipeline_run').columns(['backfill_id', 'state']).execute();

      await db.schema
        .createTable('strata_pipeline_step_run')
        .addColumn('run_id', 'text', (col) => col.notNull())
        .addColumn('step_id', 'text', (col) => col.notNull())
        // The step's index in the definition, so `steps()` lists them in the order they were declared.
        .addColumn('position', 'integer', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('output', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addPrimaryKeyConstraint('strata_pipeline_step_run_pk', ['run_id', 'step_id'])
        .execute();

      await db.schema
        .createTable('strata_pipeline_step_attempt')
        .addColumn('run_id', 'text', (col) => col.notNull())
        .addColumn('step_id', 'text', (col) => col.notNull())
        .addColumn('attempt', 'integer', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('started_at', 'bigint', (col) => col.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addPrimaryKeyConstraint('strata_pipeline_step_attempt_pk', ['run_id', 'step_id', 'attempt'])
        .execute();

      await db.schema
        .createTable('strata_pipeline_backfill')
        .addColumn('backfill_id', 'text', (col) => col.primaryKey())
        .addColumn('pipeline', 'text', (col) => col.notNull())
        .addColumn('from_date', 'text', (col) => col.notNull())
        .addColumn('to_date', 'text', (col) => col.notNull())
        .addColumn('concurrency', 'integer', (col) => col.notNull())
        .addColumn('only_failed', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('strata_pipeline_backfill_pipeline_idx').on('strata_pipeline_backfill').columns(['pipeline', 'created_at']).execute();

      await db.schema
        .createTable('strata_pipeline_schedule')
        .addColumn('pipeline', 'text', (col) => col.primaryKey())
        .addColumn('last_tick', 'bigint', (col) => col.notNull())
        .execute();
    },
  },
};

/** Brings the pipeline plane's tables up to date under the dialect's migration lock (cheap when they are). */
export async function migratePipelines<DB>(db: Kysely<DB>, dialect: CatalogDialect): Promise<void> {
  await runMigrations(
    db,
    { withLock: (fn) => dialect.withMigrationLock(fn), disableTransactions: dialect.migrationsInsideLock },
    { subject: 'pipeline', migrations: PIPELINE_MIGRATIONS, table: PIPELINE_MIGRATION_TABLE, lockTable: PIPELINE_MIGRATION_LOCK_TABLE },
  );
}
