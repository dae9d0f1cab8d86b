/**
 * `openStrataHome` picks the catalog database: the embedded SQLite file by default, Postgres when
 * `catalogUrl` (config `catalog.url`, env `STRATA_CATALOG_URL`) is a postgres:// URL.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { StrataError } from '../core/index.ts';
import { Types, field } from '../table/index.ts';
import { PostgresCatalogBackend, SqliteCatalogBackend } from './backend/index.ts';
import { postgresForTests } from './backend/testing/postgres-server.ts';
import { openStrataHome } from './strata-home.ts';

const postgres = await postgresForTests();
after(() => postgres.server?.stop());

const columns = [field(1, 'id', Types.long, true), field(2, 'day', Types.date)];

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-home-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('openStrataHome catalog selection', () => {
  test('without a catalog URL the catalog is the SQLite file in the home', () =>
    withDir(async (dir) => {
      const strata = await openStrataHome(dir, {}, { catalogUrl: '' });
      try {
        assert.ok(strata.catalog.backend instanceof SqliteCatalogBackend);
        assert.ok(existsSync(join(dir, 'catalog.db')));
      } finally {
        await strata.close();
      }
    }));

  test('a catalog URL that is not Postgres fails with INVALID_CONFIG before anything opens', () =>
    withDir(async (dir) => {
      await assert.rejects(openStrataHome(join(dir, 'home'), {}, { catalogUrl: 'mysql://root:pw@db/x' }), (e: unknown) => {
        return StrataError.is(e, 'INVALID_CONFIG') && !e.message.includes(':pw@');
      });
      assert.equal(existsSync(join(dir, 'home')), false);
    }));

  test('catalog.url comes from strata.yaml or STRATA_CATALOG_URL, and only postgres:// URLs are accepted', () =>
    withDir(async (dir) => {
      assert.equal(loadConfig(dir, { env: {} }).values['catalog.url'], '');
      const url = 'postgres://strata@db.internal:5432/strata';
      const fromEnv = loadConfig(dir, { env: { STRATA_CATALOG_URL: url } });
      assert.equal(fromEnv.values['catalog.url'], url);
      assert.deepEqual(fromEnv.sources['catalog.url'], { kind: 'env', origin: 'STRATA_CATALOG_URL' });
      await writeFile(join(dir, 'strata.yaml'), 'catalog:\n  url: postgresql://a@b/c\n');
      assert.equal(loadConfig(dir, { env: {} }).values['catalog.url'], 'postgresql://a@b/c');
      assert.throws(() => loadConfig(dir, { env: { STRATA_CATALOG_URL: 'sqlite:///x.db' } }), (e: unknown) => StrataError.is(e, 'INVALID_CONFIG'));
    }));

  test('a home whose catalog is on Postgres creates, appends and reads back; a second home sees the same tables', { skip: postgres.skip }, () =>
    withDir(async (dir) => {
      const catalogUrl = await postgres.server!.createDatabase('home');
      const strata = await openStrataHome(dir, { threads: 1 }, { catalogUrl });
      try {
        assert.ok(strata.catalog.backend instanceof PostgresCatalogBackend);
        assert.equal(existsSync(join(dir, 'catalog.db')), false, 'no SQLite catalog is created');
        await strata.catalog.createNamespace(['sales']);
        const table = await strata.catalog.createTable('sales.orders', columns);
        await table.append({ rows: [{ id: 1n, day: '2024-05-01' }] });
        await table.append({ rows: [{ id: 2n, day: '2024-05-02' }] });
        const again = await strata.catalog.loadTable('sales.orders');
        assert.deepEqual((await again.read()).map((r) => r['id']).sort(), ['1', '2']);
      } finally {
        await strata.close();
      }
      // Another process on the same lake and catalog URL sees the committed table.
      const other = await openStrataHome(dir, { threads: 1 }, { catalogUrl });
      try {
        const record = await other.catalog.backend.loadTable({ namespace: ['sales'], name: 'orders' });
        assert.ok(record.previousMetadataLocation !== undefined, 'the appends moved the pointer');
        assert.deepEqual((await (await other.catalog.loadTable('sales.orders')).read()).length, 2);
      } finally {
        await other.close();
      }
    }));
});
