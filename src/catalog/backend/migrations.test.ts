/**
 * Catalog migrations on every backend: upgrading an existing catalog, refusing one written by a
 * newer Strata, and rolling back a failed run entirely (SQLite: one `BEGIN IMMEDIATE` around the
 * run; Postgres: Kysely's transaction, under the advisory lock).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import { StrataError } from '../../core/index.ts';
import type { CatalogBackend } from './catalog-backend.ts';
import type { CatalogDialect } from './catalog-dialect.ts';
import { CATALOG_MIGRATIONS, MIGRATION_TABLE, migrateCatalog } from './migrations.ts';
import { PostgresCatalogBackend } from './postgres-catalog-backend.ts';
import { openPostgresPool, postgresCatalogDialect } from './postgres-dialect.ts';
import { SqliteCatalogBackend } from './sqlite-catalog-backend.ts';
import { openSqliteDatabase, sqliteCatalogDialect } from './sqlite-dialect.ts';
import { postgresForTests } from './testing/postgres-server.ts';

interface MigrationBackend {
  readonly name: string;
  readonly skip: string | false;
  /** A fresh, empty catalog location. */
  create(): Promise<string>;
  /** A raw Kysely connection and the dialect, the way the backend's `open` builds them. */
  connect(location: string): { db: Kysely<unknown>; dialect: CatalogDialect };
  open(location: string): Promise<CatalogBackend>;
}

const postgres = await postgresForTests();
after(() => postgres.server?.stop());
const dir = mkdtempSync(join(tmpdir(), 'strata-catalog-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const BACKENDS: readonly MigrationBackend[] = [
  {
    name: 'sqlite',
    skip: false,
    create: () => Promise.resolve(join(dir, `case-${++n}.db`)),
    connect(path) {
      const database = openSqliteDatabase(path);
      return { db: new Kysely<unknown>({ dialect: new SqliteDialect({ database }) }), dialect: sqliteCatalogDialect(database) };
    },
    open: (path) => SqliteCatalogBackend.open(path),
  },
  {
    name: 'postgres',
    skip: postgres.skip,
    create: () => postgres.server!.createDatabase('migrations'),
    connect(url) {
      const pool = openPostgresPool({ url });
      return { db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), dialect: postgresCatalogDialect(pool) };
    },
    open: (url) => PostgresCatalogBackend.open(url),
  },
];

const addComment: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('strata_table').addColumn('comment', 'text').execute();
  },
};

for (const backend of BACKENDS) {
  describe(`catalog migrations: ${backend.name}`, { skip: backend.skip }, () => {
    /** Runs `migrations` against the catalog the way the backend's `open` does. */
    async function migrate(location: string, migrations: Record<string, Migration>): Promise<Kysely<unknown>> {
      const { db, dialect } = backend.connect(location);
      try {
        await migrateCatalog(db, {
          withLock: (fn) => dialect.withMigrationLock(fn),
          disableTransactions: dialect.migrationsInsideLock,
          migrations,
        });
      } catch (error) {
        await db.destroy();
        throw error;
      }
      return db;
    }

    test('a later migration upgrades an existing catalog and keeps its data', async () => {
      const location = await backend.create();
      const v1 = await backend.open(location);
      await v1.createNamespace(['sales']);
      await v1.createTable({ namespace: ['sales'], name: 'orders' }, 'file:///m/v1.json');
      await v1.close();

      const db = await migrate(location, { ...CATALOG_MIGRATIONS, '0002_test_comment': addComment });
      try {
        const { rows } = await sql<{ name: string; comment: string | null }>`
          select name, comment from strata_table`.execute(db);
        assert.deepEqual(rows, [{ name: 'orders', comment: null }]);
        const applied = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
        assert.deepEqual(
          applied.rows.map((r) => r.name),
          ['0001_initial', '0002_test_comment'],
        );
      } finally {
        await db.destroy();
      }
    });

    test('a catalog migrated by a newer Strata is refused with CATALOG_ERROR', async () => {
      const location = await backend.create();
      const db = await migrate(location, { ...CATALOG_MIGRATIONS, '0002_test_comment': addComment });
      await db.destroy();
      await assert.rejects(backend.open(location), (e: unknown) => {
        return StrataError.is(e, 'CATALOG_ERROR') && /newer Strata/.test(e.message);
      });
    });

    test('a failing migration is rolled back entirely', async () => {
      const location = await backend.create();
      const failing: Migration = {
        async up(db: Kysely<unknown>) {
          await db.schema.createTable('half_done').addColumn('x', 'text').execute();
          throw new Error('boom');
        },
      };
      await assert.rejects(migrate(location, { ...CATALOG_MIGRATIONS, '0002_test_failing': failing }), (e: unknown) => {
        return StrataError.is(e, 'CATALOG_ERROR') && e.details.migration === '0002_test_failing';
      });
      const db = await migrate(location, {});
      try {
        const names = (await db.introspection.getTables()).map((t) => t.name);
        assert.ok(!names.includes('half_done'));
        assert.ok(!names.includes('strata_table'), 'the successful 0001 in the same run is rolled back too');
      } finally {
        await db.destroy();
      }
      // The catalog is still usable: a clean open migrates it from scratch.
      const catalog = await backend.open(location);
      await catalog.createNamespace(['ok']);
      assert.deepEqual(await catalog.listNamespaces(), [['ok']]);
      await catalog.close();
    });
  });
}
