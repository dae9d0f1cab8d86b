/**
 * The shared catalog: the same rows as the embedded SQLite catalog, in a Postgres database that
 * every Strata process (CLI, servers, schedulers on many machines) points at with one URL.
 *
 * @example
 *   const catalog = await PostgresCatalogBackend.open('postgres://strata@db.internal:5432/strata');
 *   try { … } finally { await catalog.close(); }
 *
 * Concurrency: the shared code's single-statement writes are atomic under Postgres' default
 * READ COMMITTED. A compare-and-swap of the metadata pointer is one `UPDATE … WHERE
 * metadata_location = expected`: a second writer blocks on the row lock, then re-checks the
 * condition against the committed row and updates nothing, so exactly one of them wins.
 *
 * Gotcha: the database must exist (Strata creates its tables, not the database); the URL's user
 * needs the right to create tables in its default schema the first time.
 */
import { Kysely, PostgresDialect } from 'kysely';
import { StrataError, messageOf } from '../../core/index.ts';
import type { CatalogDatabase } from './catalog-schema.ts';
import { KyselyCatalogBackend } from './kysely-catalog-backend.ts';
import { migrateCatalogOrClose } from './migrations.ts';
import { openPostgresPool, postgresCatalogDialect } from './postgres-dialect.ts';

export interface PostgresCatalogOptions {
  /** Connections kept at most (default 10, at least 2). */
  readonly maxConnections?: number;
}

export class PostgresCatalogBackend extends KyselyCatalogBackend {
  /** The catalog URL with any password masked, for messages and logs. */
  readonly url: string;

  private constructor(db: Kysely<CatalogDatabase>, dialect: ReturnType<typeof postgresCatalogDialect>, url: string) {
    super(db, dialect);
    this.url = url;
  }

  /**
   * Connects to the catalog database at `url` (`postgres://…` or `postgresql://…`) and brings its
   * schema up to date. Throws `INVALID_CONFIG` for a URL that is not a Postgres URL and
   * `CATALOG_ERROR` when the database cannot be reached or migrated.
   */
  static async open(url: string, options: PostgresCatalogOptions = {}): Promise<PostgresCatalogBackend> {
    if (!isPostgresUrl(url)) {
      throw new StrataError('INVALID_CONFIG', `Not a Postgres catalog URL: ${redactUrl(url)}; use postgres://user@host:5432/database`, {
        url: redactUrl(url),
      });
    }
    const shown = redactUrl(url);
    let pool: ReturnType<typeof openPostgresPool>;
    try {
      pool = openPostgresPool({ url, ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }) });
    } catch (error) {
      throw new StrataError('CATALOG_ERROR', `Cannot use the Postgres catalog ${shown}: ${messageOf(error)}`, { url: shown }, { cause: error });
    }
    const db = new Kysely<CatalogDatabase>({ dialect: new PostgresDialect({ pool }) });
    const dialect = postgresCatalogDialect(pool);
    try {
      await migrateCatalogOrClose(db, dialect);
    } catch (error) {
      if (StrataError.is(error, 'CATALOG_ERROR')) {
        throw new StrataError('CATALOG_ERROR', `Postgres catalog ${shown}: ${error.message}`, { ...error.details, url: shown }, { cause: error });
      }
      throw error;
    }
    return new PostgresCatalogBackend(db, dialect, shown);
  }
}

/** Whether `url` names a Postgres database (the `catalog.url` values that select this backend). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

/** `url` with its password replaced by `***`, safe for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}
