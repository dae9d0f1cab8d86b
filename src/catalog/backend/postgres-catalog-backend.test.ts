/**
 * Postgres-specific behaviour (the shared contract is in catalog-backend.test.ts): URLs, unreachable
 * servers, how bigint columns read back, and the migration lock between many openers of one
 * database. Runs against a throw-away server (testing/postgres-server.ts).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { StrataError } from '../../core/index.ts';
import { MIGRATION_TABLE } from './migrations.ts';
import { PostgresCatalogBackend, isPostgresUrl, redactUrl } from './postgres-catalog-backend.ts';
import { openPostgresPool, postgresCatalogDialect } from './postgres-dialect.ts';
import { postgresForTests } from './testing/postgres-server.ts';

const postgres = await postgresForTests();
after(() => postgres.server?.stop());

describe('catalog URLs', () => {
  test('only postgres:// and postgresql:// URLs select Postgres', () => {
    assert.equal(isPostgresUrl('postgres://u@h/db'), true);
    assert.equal(isPostgresUrl('postgresql://u@h:5432/db?sslmode=require'), true);
    assert.equal(isPostgresUrl('mysql://u@h/db'), false);
    assert.equal(isPostgresUrl(''), false);
  });

  test('passwords never reach messages', () => {
    assert.equal(redactUrl('postgres://strata:s3cret@db:5432/cat'), 'postgres://strata:***@db:5432/cat');
    assert.equal(redactUrl('postgres://strata@db/cat'), 'postgres://strata@db/cat');
  });

  test('a URL that is not Postgres fails with INVALID_CONFIG', async () => {
    await assert.rejects(PostgresCatalogBackend.open('mysql://root:pw@localhost/x'), (e: unknown) => {
      return StrataError.is(e, 'INVALID_CONFIG') && !e.message.includes('pw@');
    });
  });
});

describe('PostgresCatalogBackend', { skip: postgres.skip }, () => {
  const server = postgres.server!;

  test('an unreachable server fails with CATALOG_ERROR and no password in the message', async () => {
    const closed = `postgres://strata:topsecret@127.0.0.1:1/none`;
    await assert.rejects(PostgresCatalogBackend.open(closed), (e: unknown) => {
      return StrataError.is(e, 'CATALOG_ERROR') && e.message.includes('127.0.0.1:1') && !e.message.includes('topsecret');
    });
  });

  test('data survives closing and reopening; timestamps read back as numbers', async () => {
    const url = await server.createDatabase('reopen');
    const first = await PostgresCatalogBackend.open(url);
    await first.createNamespace(['sales'], { owner: 'ana' });
    const created = await first.createTable({ namespace: ['sales'], name: 'orders' }, 'file:///v1.json', { k: 'v' });
    await first.close();
    const second = await PostgresCatalogBackend.open(url);
    try {
      const table = await second.loadTable({ namespace: ['sales'], name: 'orders' });
      assert.deepEqual(table, created);
      assert.equal(typeof table.createdAt, 'number');
      assert.deepEqual(await second.loadNamespaceProperties(['sales']), { owner: 'ana' });
    } finally {
      await second.close();
    }
  });

  test('int8 reads back as a number when safe and as a bigint otherwise', async () => {
    const url = await server.createDatabase('int8');
    const pool = openPostgresPool({ url });
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      const { rows } = await sql<{ small: unknown; big: unknown; n: unknown }>`
        select 1700000000000::bigint as small, 9007199254740993::bigint as big, count(*) as n from (values (1), (2)) v(x)`.execute(db);
      assert.deepEqual(rows, [{ small: 1_700_000_000_000, big: 9007199254740993n, n: 2 }]);
    } finally {
      await db.destroy();
    }
  });

  test('eight openers on their own pools migrating a fresh database at once all succeed, and migrate it once', async () => {
    const url = await server.createDatabase('race');
    const catalogs = await Promise.all(Array.from({ length: 8 }, () => PostgresCatalogBackend.open(url, { maxConnections: 2 })));
    try {
      await catalogs[0]!.createNamespace(['sales']);
      for (const catalog of catalogs) assert.deepEqual(await catalog.listNamespaces(), [['sales']]);
      const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(catalogs[0]!.connection.db);
      assert.deepEqual(
        rows.map((r) => r.name),
        ['0001_initial'],
      );
    } finally {
      await Promise.all(catalogs.map((c) => c.close()));
    }
  });

  test('the migration lock keeps a second migrator out until the first is done', async () => {
    const url = await server.createDatabase('lock');
    const pools = [openPostgresPool({ url }), openPostgresPool({ url })];
    const [a, b] = pools.map((pool) => postgresCatalogDialect(pool));
    const events: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const firstInside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    try {
      const first = a!.withMigrationLock(async () => {
        events.push('a in');
        entered();
        await held;
        events.push('a out');
      });
      await firstInside;
      const second = b!.withMigrationLock(async () => {
        events.push('b in');
        return 'b';
      });
      // b must still be waiting on pg_advisory_lock while a holds it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(events, ['a in']);
      release();
      await first;
      assert.equal(await second, 'b');
      assert.deepEqual(events, ['a in', 'a out', 'b in']);
      // The lock is free again, and a failure inside releases it too.
      await assert.rejects(a!.withMigrationLock(() => Promise.reject(new Error('boom'))), /boom/);
      assert.equal(await b!.withMigrationLock(() => Promise.resolve(42)), 42);
    } finally {
      release();
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  test('constraint violations map to unique and foreign-key', async () => {
    const url = await server.createDatabase('constraints');
    const pool = openPostgresPool({ url });
    const dialect = postgresCatalogDialect(pool);
    try {
      await pool.query('create table parent (id int primary key); create table child (p int references parent(id))');
      await pool.query('insert into parent values (1)');
      const unique = await pool.query('insert into parent values (1)').catch((e: unknown) => e);
      const foreign = await pool.query('insert into child values (2)').catch((e: unknown) => e);
      const other = await pool.query('select * from nope').catch((e: unknown) => e);
      assert.equal(dialect.constraintViolation(unique), 'unique');
      assert.equal(dialect.constraintViolation(foreign), 'foreign-key');
      assert.equal(dialect.constraintViolation(other), undefined);
    } finally {
      await pool.end();
    }
  });
});
