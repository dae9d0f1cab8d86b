 
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql, type Migration } from 'kysely';
import { StrataError } from '../../core/index.ts';
import { CATALOG_MIGRATIONS, MIGRATION_TABLE, migrateCatalog } from './migrations.ts';
import { SqliteCatalogBackend } from './sqlite-catalog-backend.ts';
import { openSqliteDatabase, sqliteCatalogDialect } from './sqlite-dialect.ts';

/** Runs `migrations` against the catalog file the way `SqliteCatalogBackend.open` does. */
async function migrateFile(path: string, migrations: Record<string, Migration>): Promise<Kysely<unknown>> {
  const database = openSqliteDatabase(path);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const dialect = sqliteCatalogDialect(database);
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

const addComment: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('strata_table').addColumn('comment', 'text').execute();
  },
};

describe('catalog migrations', () => {
  let dir: string;
  let n = 0;
  const freshPath = () => join(dir, `case-${++n}.db`);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-catalog-migrations-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a later migration upgrades an existing catalog file and keeps its data', async () => {
    const path = freshPath();
    const v1 = await SqliteCatalogBackend.open(path);
    await v1.createNamespace(['sales']);
    await v1.createTable({ namespace: ['sales'], name: 'orders' }, 'file:///m/v1.json');
    await v1.close();

    const db = await migrateFile(path, { ...CATALOG_MIGRATIONS, '0002_test_comment': addComment });
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
    const path = freshPath();
    const db = await migrateFile(path, { ...CATALOG_MIGRATIONS, '0002_test_comment': addComment });
    await db.destroy();
    await assert.rejects(SqliteCatalogBackend.open(path), (e: unknown) => {
      return StrataError.is(e, 'CATALOG_ERROR') && /newer Strata/.test(e.message);
    });
  });

  test('a failing migration is rolled back entirely', async () => {
    const path = freshPath();
    const failing: Migration = {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('half_done').addColumn('x', 'text').execute();
        throw new Error('boom');
      },
    };
    await assert.rejects(migrateFile(path, { ...CATALOG_MIGRATIONS, '0002_test_failing': failing }), (e: unknown) => {
      return StrataError.is(e, 'CATALOG_ERROR') && e.details.migration === '0002_test_failing';
    });
    const db = await migrateFile(path, {});
    try {
      const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db);
      const names = rows.map((r) => r.name);
      assert.ok(!names.includes('half_done'));
      assert.ok(!names.includes('strata_table'), 'the successful 0001 in the same run is rolled back too');
    } finally {
      await db.destroy();
    }
    // The file is still usable: a clean open migrates it from scratch.
    const catalog = await SqliteCatalogBackend.open(path);
    await catalog.createNamespace(['ok']);
    assert.deepEqual(await catalog.listNamespaces(), [['ok']]);
    await catalog.close();
  });
});
