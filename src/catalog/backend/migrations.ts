/**
 * Versioned schema migrations of the catalog database, defined in code so they ship with Strata and
 * need no migration folder on disk. Kysely's `Migrator` records applied names in
 * `strata_catalog_migration` and runs the missing ones in name order.
 *
 * Rules for the future: never edit or rename a released migration; add `0002_…`, `0003_…`. Write
 * each one with Kysely's schema builder so it runs on SQLite and Postgres alike.
 *
 * Gotcha: a catalog file migrated by a newer Strata carries migration names this version does not
 * know; Kysely then refuses to run and `migrateCatalog` reports `CATALOG_ERROR` telling the user to
 * upgrade, instead of silently using a schema it does not understand.
 */
import type { CatalogDialect } from './catalog-dialect.ts';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { StrataError, messageOf } from '../../core/index.ts';

export const MIGRATION_TABLE = 'strata_catalog_migration';
export const MIGRATION_LOCK_TABLE = 'strata_catalog_migration_lock';

export const CATALOG_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('strata_namespace')
        .addColumn('path', 'text', (col) => col.primaryKey())
        .addColumn('parent', 'text')
        .addColumn('properties', 'text', (col) => col.notNull().defaultTo('{}'))
        // The parent must exist; dropping a parent that still has children fails.
        .addForeignKeyConstraint('strata_namespace_parent_fk', ['parent'], 'strata_namespace', ['path'])
        .execute();
      await db.schema.createIndex('strata_namespace_parent_idx').on('strata_namespace').column('parent').execute();
      await db.schema
        .createTable('strata_table')
        .addColumn('namespace', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('metadata_location', 'text', (col) => col.notNull())
        .addColumn('previous_metadata_location', 'text')
        .addColumn('properties', 'text', (col) => col.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('strata_table_pk', ['namespace', 'name'])
        .addForeignKeyConstraint('strata_table_namespace_fk', ['namespace'], 'strata_namespace', ['path'])
        .execute();
    },
  },
};

class InCodeMigrationProvider implements MigrationProvider {
  readonly #migrations: Readonly<Record<string, Migration>>;
  constructor(migrations: Readonly<Record<string, Migration>>) {
    this.#migrations = migrations;
  }
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...this.#migrations });
  }
}

export interface MigrateOptions {
  /** Holds off other processes while migrating; see `CatalogDialect.withMigrationLock`. */
  readonly withLock: <T>(fn: () => Promise<T>) => Promise<T>;
  /** True when `withLock` already wraps everything in one transaction. */
  readonly disableTransactions: boolean;
  /** The migrations to apply; defaults to `CATALOG_MIGRATIONS`. Tests pass others. */
  readonly migrations?: Readonly<Record<string, Migration>>;
}

/** One set of versioned migrations living in the catalog database under its own bookkeeping table. */
export interface MigrationSet {
  /** For messages: "catalog", "governance". */
  readonly subject: string;
  readonly migrations: Readonly<Record<string, Migration>>;
  readonly table: string;
  readonly lockTable: string;
}

/**
 * Brings the catalog schema up to date. Cheap when it already is: the applied names are read
 * without taking any lock, so opening a catalog does not serialise processes.
 */
export async function migrateCatalog<DB>(db: Kysely<DB>, options: MigrateOptions): Promise<void> {
  await runMigrations(db, options, {
    subject: 'catalog',
    migrations: options.migrations ?? CATALOG_MIGRATIONS,
    table: MIGRATION_TABLE,
    lockTable: MIGRATION_LOCK_TABLE,
  });
}

/**
 * What every backend does on open: migrates the catalog under its dialect's lock and, when that
 * fails, destroys the Kysely instance (closing the connection or pool) before rethrowing.
 */
export async function migrateCatalogOrClose<DB>(db: Kysely<DB>, dialect: CatalogDialect): Promise<void> {
  try {
    await migrateCatalog(db, { withLock: (fn) => dialect.withMigrationLock(fn), disableTransactions: dialect.migrationsInsideLock });
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/**
 * Applies a migration set (the catalog's, or another plane's tables in the same database) under the
 * dialect's lock. A failure, or a file migrated by a newer Strata, is CATALOG_ERROR naming the set.
 */
export async function runMigrations<DB>(db: Kysely<DB>, options: Omit<MigrateOptions, 'migrations'>, set: MigrationSet): Promise<void> {
  try {
    if (await isUpToDate(db, set.table, Object.keys(set.migrations))) return;
  } catch (error) {
    throw new StrataError('CATALOG_ERROR', `Could not read the ${set.subject} schema version: ${messageOf(error)}`, {}, {
      cause: error,
    });
  }
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(set.migrations),
    migrationTableName: set.table,
    migrationLockTableName: set.lockTable,
    disableTransactions: options.disableTransactions,
  });
  try {
    await options.withLock(async () => {
      const outcome = await migrator.migrateToLatest();
      // Throwing inside the lock rolls back a half-applied run when transactions are disabled.
      if (outcome.error !== undefined) throw new MigrationFailure(outcome);
    });
  } catch (error) {
    if (error instanceof MigrationFailure) {
      const failed = error.outcome.results?.find((r) => r.status === 'Error')?.migrationName;
      throw new StrataError(
        'CATALOG_ERROR',
        `${capitalize(set.subject)} schema migration ${failed ?? ''} failed: ${messageOf(error.outcome.error)}. ` +
          'If this catalog was written by a newer Strata, upgrade Strata; otherwise restore the catalog file from a backup.',
        { migration: failed },
        { cause: error.outcome.error },
      );
    }
    throw new StrataError('CATALOG_ERROR', `Could not migrate the ${set.subject} schema: ${messageOf(error)}`, {}, { cause: error });
  }
}

class MigrationFailure extends Error {
  readonly outcome: MigrationResultSet;
  constructor(outcome: MigrationResultSet) {
    super('migration failed');
    this.outcome = outcome;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function isUpToDate<DB>(db: Kysely<DB>, table: string, known: readonly string[]): Promise<boolean> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === table)) return false;
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db);
  const applied = new Set(rows.map((r) => r.name));
  return applied.size === known.length && known.every((name) => applied.has(name));
}
