/**
 * The few things the shared catalog code cannot say in dialect-neutral SQL. Each database backend
 * (`sqlite-dialect.ts`, `postgres-dialect.ts`) supplies one of these; everything else is plain Kysely.
 */

/** Which integrity constraint a failed statement violated. */
export type ConstraintViolation = 'unique' | 'foreign-key';

export interface CatalogDialect {
  /** Display name for messages, e.g. `sqlite`. */
  readonly name: string;

  /**
   * Classifies a driver error as a constraint violation (or undefined for anything else), so the
   * shared code can map "row already exists" and "parent row missing" to Strata error codes
   * without a racy check-then-insert.
   */
  constraintViolation(error: unknown): ConstraintViolation | undefined;

  /**
   * Whether migrations must run with Kysely's own per-migration transactions disabled, because
   * `withMigrationLock` already holds a transaction around the whole migration run (SQLite's
   * `BEGIN IMMEDIATE`). False for Postgres: its lock is an advisory lock, not a transaction, and
   * Kysely's transaction makes the run atomic.
   */
  readonly migrationsInsideLock: boolean;

  /**
   * Runs `fn` while holding a lock that keeps any other process from migrating the same catalog
   * at the same time.
   */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
}
