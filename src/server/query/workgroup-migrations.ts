/**
 * Versioned migrations of the query service's tables inside the catalog database, recorded in
 * their own bookkeeping table (`strata_server_migration`) so the catalog's and governance's
 * migrations never see them.
 *
 * Rules for the future: never edit or rename a released migration; add `0002_…`. Write each with
 * Kysely's schema builder so it runs on SQLite and Postgres alike.
 *
 * The `primary` workgroup is created by the first migration: it always exists, everyone may use
 * it, and it cannot be dropped (its limits can be changed).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { runMigrations, type CatalogDialect } from '../../catalog/index.ts';

export const SERVER_MIGRATION_TABLE = 'strata_server_migration';
export const SERVER_MIGRATION_LOCK_TABLE = 'strata_server_migration_lock';
export const PRIMARY_WORKGROUP = 'primary';
/** The primary workgroup's concurrency when first created (the engine's default pool size). */
export const PRIMARY_CONCURRENCY = 4;

export const SERVER_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_workgroups': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('strata_workgroup')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('engine', 'text', (col) => col.notNull())
        .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
        .addColumn('scan_cap_bytes', 'bigint')
        .addColumn('timeout_ms', 'bigint')
        .addColumn('concurrency', 'integer', (col) => col.notNull())
        .addColumn('budget_bytes_per_hour', 'bigint')
        .addColumn('budget_bytes_per_day', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('strata_workgroup_grant')
        .addColumn('workgroup', 'text', (col) => col.notNull())
        .addColumn('grantee_kind', 'text', (col) => col.notNull())
        .addColumn('grantee_name', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_workgroup_grant_pk', ['workgroup', 'grantee_kind', 'grantee_name'])
        .addForeignKeyConstraint('strata_workgroup_grant_workgroup_fk', ['workgroup'], 'strata_workgroup', ['name'], (fk) => fk.onDelete('cascade'))
        .execute();
      await sql`insert into strata_workgroup (name, engine, description, concurrency, created_at)
        values (${PRIMARY_WORKGROUP}, 'duckdb', 'The default workgroup; everyone may use it', ${PRIMARY_CONCURRENCY}, ${Date.now()})`.execute(db);
    },
  },
};

/** Brings the query service's tables up to date under the dialect's migration lock (cheap when they are). */
export async function migrateServer<DB>(db: Kysely<DB>, dialect: CatalogDialect): Promise<void> {
  await runMigrations(
    db,
    { withLock: (fn) => dialect.withMigrationLock(fn), disableTransactions: dialect.migrationsInsideLock },
    { subject: 'server', migrations: SERVER_MIGRATIONS, table: SERVER_MIGRATION_TABLE, lockTable: SERVER_MIGRATION_LOCK_TABLE },
  );
}
