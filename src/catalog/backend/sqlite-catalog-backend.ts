/**
 * The embedded catalog: one SQLite file in the Strata home directory, shared safely by every
 * Strata process on the machine (WAL mode, busy timeout, single-statement writes).
 *
 * @example
 *   const catalog = await SqliteCatalogBackend.open(join(home, 'catalog.db'));
 *   try { … } finally { await catalog.close(); }
 *
 * Gotcha: `open` may hold SQLite's write lock while it migrates an old or new file; await it before
 * issuing writes through another backend on the same file in the same process.
 */
import { Kysely, SqliteDialect } from 'kysely';
import { StrataError, messageOf } from '../../core/index.ts';
import type { CatalogDatabase } from './catalog-schema.ts';
import { KyselyCatalogBackend } from './kysely-catalog-backend.ts';
import { migrateCatalogOrClose } from './migrations.ts';
import { openSqliteDatabase, sqliteCatalogDialect } from './sqlite-dialect.ts';

export class SqliteCatalogBackend extends KyselyCatalogBackend {
  /** The catalog file (or `:memory:`). */
  readonly path: string;

  private constructor(db: Kysely<CatalogDatabase>, dialect: ReturnType<typeof sqliteCatalogDialect>, path: string) {
    super(db, dialect);
    this.path = path;
  }

  /**
   * Opens the catalog at `path`, creating the file and its parent directories if needed and
   * bringing its schema up to date. `:memory:` gives a private throwaway catalog (tests).
   * Throws `CATALOG_ERROR` when the file cannot be opened or migrated.
   */
  static async open(path: string): Promise<SqliteCatalogBackend> {
    let database: ReturnType<typeof openSqliteDatabase>;
    try {
      database = openSqliteDatabase(path);
    } catch (error) {
      throw new StrataError('CATALOG_ERROR', `Cannot open the catalog file ${path}: ${messageOf(error)}`, { path }, {
        cause: error,
      });
    }
    const db = new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database }) });
    const dialect = sqliteCatalogDialect(database);
    await migrateCatalogOrClose(db, dialect);
    return new SqliteCatalogBackend(db, dialect, path);
  }
}
