/**
 * Everything SQLite-specific about the catalog: opening the file, its pragmas, its error codes and
 * its migration lock. The shared code (`kysely-catalog-backend.ts`) never mentions SQLite.
 *
 * Why these pragmas:
 * - `journal_mode = WAL`: readers never block the writer, so several Strata processes (CLI, server,
 *   scheduler) can share one catalog file.
 * - `busy_timeout`: a writer that finds the file locked waits instead of failing at once.
 * - `foreign_keys = ON`: SQLite enforces foreign keys only when asked, per connection; the catalog
 *   relies on them for "parent namespace exists" checks that cannot race.
 *
 * Gotcha: better-sqlite3 is synchronous, so a busy wait blocks the event loop. The shared code
 * therefore never holds a transaction open across an `await` (every write is one statement); only
 * the migration lock does, once, while opening.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CatalogDialect, ConstraintViolation } from './catalog-dialect.ts';

export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Opens (creating if needed, with parent directories) a SQLite catalog file. */
export function openSqliteDatabase(path: string): Database.Database {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  try {
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    if (!inMemory) database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

function sqliteConstraintViolation(error: unknown): ConstraintViolation | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
    case 'SQLITE_CONSTRAINT_UNIQUE':
      return 'unique';
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return 'foreign-key';
    default:
      return undefined;
  }
}

/**
 * The SQLite dialect for one open database. The migration lock is `BEGIN IMMEDIATE`, which takes
 * SQLite's single write lock up front (a deferred `BEGIN` could fail with SQLITE_BUSY when it later
 * upgrades to writing while another process migrates); Kysely's own transactions are disabled so
 * the whole run sits inside it.
 */
export function sqliteCatalogDialect(database: Database.Database): CatalogDialect {
  return {
    name: 'sqlite',
    constraintViolation: sqliteConstraintViolation,
    migrationsInsideLock: true,
    async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
      database.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn();
        database.exec('COMMIT');
        return result;
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
