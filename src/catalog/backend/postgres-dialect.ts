/**
 * Everything Postgres-specific about the catalog: the connection pool, how `bigint` columns read
 * back, its error codes and its migration lock. The shared code (`kysely-catalog-backend.ts`)
 * never mentions Postgres.
 *
 * Why these choices:
 * - `int8` (bigint, `count(*)`) reads back as a JavaScript number, as it does from SQLite, so the
 *   shared code and the other planes see the same types on both databases. node-postgres returns
 *   strings by default (int8 may exceed 2^53); a value that is not a safe integer comes back as a
 *   `bigint` rather than silently losing precision. The parser is set on this pool only.
 * - An idle pooled connection that dies (server restart) makes the pool emit `error`; with no
 *   listener Node would crash the process. The next query reports the failure instead.
 * - The migration lock is a session-level `pg_advisory_lock` held on one pooled connection while
 *   the migrations run on others, so Kysely's own transaction stays on: Postgres has transactional
 *   DDL, and a failing migration rolls back the whole run.
 *
 * Gotcha: the lock connection is taken from the pool, so the pool needs at least two connections,
 * and `withMigrationLock` must not be nested (the inner call would wait for the outer forever).
 */
import pg from 'pg';
import type { CatalogDialect, ConstraintViolation } from './catalog-dialect.ts';

/** `pg_advisory_lock` key of Strata's migrations ("strata" in ASCII); every migration set shares it. */
export const POSTGRES_MIGRATION_LOCK_KEY = 0x737472617461;

/** Postgres' type OID of `int8`. */
const INT8_OID = 20;

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://…`); libpq-style query parameters work. */
  readonly url: string;
  /** Connections kept at most; at least 2 (see the migration lock). Default 10. */
  readonly maxConnections?: number;
}

/** Opens a pool (no connection is made until the first query). */
export function openPostgresPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: Math.max(2, options.maxConnections ?? 10),
    types: { getTypeParser: catalogTypeParser as typeof pg.types.getTypeParser },
  });
  pool.on('error', () => {
    // An idle connection died; the pool drops it and the next query reports the problem.
  });
  return pool;
}

function catalogTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
}

function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** Postgres SQLSTATE codes: 23505 unique_violation, 23503 foreign_key_violation. */
function postgresConstraintViolation(error: unknown): ConstraintViolation | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case '23505':
      return 'unique';
    case '23503':
      return 'foreign-key';
    default:
      return undefined;
  }
}

/**
 * The Postgres dialect over one pool. Migration runs of one pool queue up in this process first,
 * so at most one of its connections waits on the advisory lock and a small pool cannot be drained
 * by waiters while the lock holder needs a connection to migrate.
 */
export function postgresCatalogDialect(pool: pg.Pool): CatalogDialect {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name: 'postgres',
    constraintViolation: postgresConstraintViolation,
    migrationsInsideLock: false,
    withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
      const run = queue.then(() => withAdvisoryLock(pool, fn));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

async function withAdvisoryLock<T>(pool: pg.Pool, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('select pg_advisory_lock($1)', [POSTGRES_MIGRATION_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      try {
        await client.query('select pg_advisory_unlock($1)', [POSTGRES_MIGRATION_LOCK_KEY]);
      } catch (error) {
        // Destroying the connection ends its session, which releases the lock as well.
        broken = error instanceof Error ? error : new Error(String(error));
      }
    }
  } finally {
    client.release(broken);
  }
}
