/**
 * Versioned migrations of governance's tables inside the catalog database. They are recorded in
 * their own table (`strata_governance_migration`), so the catalog's migrations never see them and
 * either plane can add migrations without the other knowing.
 *
 * Rules for the future: never edit or rename a released migration; add `0002_…`. Write each with
 * Kysely's schema builder so it runs on SQLite and Postgres alike. Foreign keys cascade on delete
 * so removing a principal, group or role cannot leave dangling memberships or tokens.
 */
import type { Kysely, Migration } from 'kysely';
import { SqliteCatalogBackend, runMigrations, type CatalogDialect } from '../../catalog/index.ts';
import { AUDIT_MIGRATION } from '../audit/audit-migration.ts';
import { POLICY_MIGRATION } from '../policy/policy-migration.ts';

export const GOVERNANCE_MIGRATION_TABLE = 'strata_governance_migration';
export const GOVERNANCE_MIGRATION_LOCK_TABLE = 'strata_governance_migration_lock';

export const GOVERNANCE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_identity': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('strata_principal')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('attributes', 'text', (col) => col.notNull().defaultTo('{}'))
        .addColumn('disabled', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('strata_group')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('strata_group_member')
        .addColumn('group_name', 'text', (col) => col.notNull())
        .addColumn('principal', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_group_member_pk', ['group_name', 'principal'])
        .addForeignKeyConstraint('strata_group_member_group_fk', ['group_name'], 'strata_group', ['name'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint('strata_group_member_principal_fk', ['principal'], 'strata_principal', ['name'], (fk) =>
          fk.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createTable('strata_role')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('administrator', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('strata_role_principal')
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('principal', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_role_principal_pk', ['role', 'principal'])
        .addForeignKeyConstraint('strata_role_principal_role_fk', ['role'], 'strata_role', ['name'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint('strata_role_principal_principal_fk', ['principal'], 'strata_principal', ['name'], (fk) =>
          fk.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createTable('strata_role_group')
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('group_name', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_role_group_pk', ['role', 'group_name'])
        .addForeignKeyConstraint('strata_role_group_role_fk', ['role'], 'strata_role', ['name'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint('strata_role_group_group_fk', ['group_name'], 'strata_group', ['name'], (fk) =>
          fk.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createTable('strata_api_token')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('principal', 'text', (col) => col.notNull())
        .addColumn('token_hash', 'text', (col) => col.notNull().unique())
        .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addForeignKeyConstraint('strata_api_token_principal_fk', ['principal'], 'strata_principal', ['name'], (fk) =>
          fk.onDelete('cascade'),
        )
        .execute();
      await db.schema.createIndex('strata_api_token_principal_idx').on('strata_api_token').column('principal').execute();
    },
  },
  '0002_policies': POLICY_MIGRATION,
  '0003_audit': AUDIT_MIGRATION,
};

/**
 * Brings governance's tables up to date under the dialect's migration lock. Cheap when they
 * already are (no lock is taken). Throws `CATALOG_ERROR` when a migration fails or the file was
 * migrated by a newer Strata.
 */
export async function migrateGovernance<DB>(
  db: Kysely<DB>,
  dialect: CatalogDialect,
  migrations: Readonly<Record<string, Migration>> = GOVERNANCE_MIGRATIONS,
): Promise<void> {
  await runMigrations(
    db,
    { withLock: (fn) => dialect.withMigrationLock(fn), disableTransactions: dialect.migrationsInsideLock },
    { subject: 'governance', migrations, table: GOVERNANCE_MIGRATION_TABLE, lockTable: GOVERNANCE_MIGRATION_LOCK_TABLE },
  );
}

/**
 * Opens the SQLite catalog file at `path` (creating it if needed) on its own connection, migrates
 * governance's tables and hands the connection to `build` — the `openSqlite` of every governance
 * store. The backend is closed again if migrating or building fails; otherwise the store owns it.
 */
export async function openMigratedSqlite<T>(
  path: string,
  build: (db: SqliteCatalogBackend['connection']['db'], dialect: CatalogDialect, owned: SqliteCatalogBackend) => T,
): Promise<T> {
  const catalog = await SqliteCatalogBackend.open(path);
  try {
    const { db, dialect } = catalog.connection;
    await migrateGovernance(db, dialect);
    return build(db, dialect, catalog);
  } catch (error) {
    await catalog.close();
    throw error;
  }
}
