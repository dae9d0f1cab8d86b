 
/**
 * SQLite-specific behaviour: the file on disk, sharing it between backends and processes, and the
 * compare-and-swap under contention.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { StrataError } from '../../core/index.ts';
import type { TableIdentifier } from './catalog-backend.ts';
import { SqliteCatalogBackend } from './sqlite-catalog-backend.ts';
import { startRaceWorker, type RaceWorker } from './testing/race-worker.ts';

const WORKER = fileURLToPath(new URL('./testing/cas-race-worker.ts', import.meta.url));
const orders: TableIdentifier = { namespace: ['sales'], name: 'orders' };
const V1 = 'file:///lake/sales/orders/metadata/v1.metadata.json';

describe('SqliteCatalogBackend', () => {
  let dir: string;
  let n = 0;
  const freshPath = () => join(dir, `case-${++n}`, 'nested', 'catalog.db');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-sqlite-catalog-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('open creates parent directories and the file, in WAL mode', async () => {
    const path = freshPath();
    const catalog = await SqliteCatalogBackend.open(path);
    assert.equal(catalog.path, path);
    await catalog.createNamespace(['sales']);
    assert.ok(existsSync(path));
    await catalog.close();
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  test('data survives closing and reopening', async () => {
    const path = freshPath();
    const first = await SqliteCatalogBackend.open(path);
    await first.createNamespace(['sales'], { owner: 'ana' });
    await first.createTable(orders, V1, { k: 'v' });
    await first.close();
    const second = await SqliteCatalogBackend.open(path);
    try {
      assert.deepEqual(await second.loadNamespaceProperties(['sales']), { owner: 'ana' });
      const table = await second.loadTable(orders);
      assert.equal(table.metadataLocation, V1);
      assert.deepEqual(table.properties, { k: 'v' });
    } finally {
      await second.close();
    }
  });

  test('a path that cannot be a file fails with CATALOG_ERROR', async () => {
    const path = freshPath();
    const catalog = await SqliteCatalogBackend.open(path);
    await catalog.close();
    // `path` is a file, so nothing can be created beneath it.
    await assert.rejects(SqliteCatalogBackend.open(join(path, 'inner.db')), (e: unknown) =>
      StrataError.is(e, 'CATALOG_ERROR'),
    );
  });

  test('two backends on one file: exactly one of 10 concurrent swaps from the same expected wins', async () => {
    const path = freshPath();
    const a = await SqliteCatalogBackend.open(path);
    const b = await SqliteCatalogBackend.open(path);
    try {
      await a.createNamespace(['sales']);
      await a.createTable(orders, V1);
      const nexts = Array.from({ length: 10 }, (_, i) => `file:///lake/sales/orders/metadata/v2-${i}.metadata.json`);
      const results = await Promise.all(
        nexts.map((next, i) => (i % 2 === 0 ? a : b).swapMetadataLocation(orders, V1, next)),
      );
      assert.equal(results.filter((r) => r).length, 1);
      const winner = nexts[results.indexOf(true)];
      for (const backend of [a, b]) {
        const table = await backend.loadTable(orders);
        assert.equal(table.metadataLocation, winner);
        assert.equal(table.previousMetadataLocation, V1);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('two backends on one file: concurrent property updates are all kept', async () => {
    const path = freshPath();
    const a = await SqliteCatalogBackend.open(path);
    const b = await SqliteCatalogBackend.open(path);
    try {
      await a.createNamespace(['sales']);
      await a.createTable(orders, V1);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => [
          (i % 2 === 0 ? a : b).updateNamespaceProperties(['sales'], [], { [`k${i}`]: String(i) }),
          (i % 2 === 0 ? b : a).updateTableProperties(orders, [], { [`t${i}`]: String(i) }),
        ]).flat(),
      );
      const expectedNs = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, String(i)]));
      const expectedTable = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, String(i)]));
      assert.deepEqual(await b.loadNamespaceProperties(['sales']), expectedNs);
      assert.deepEqual((await a.loadTable(orders)).properties, expectedTable);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('three processes racing one swap from the same expected: exactly one wins', async () => {
    const path = freshPath();
    const catalog = await SqliteCatalogBackend.open(path);
    try {
      await catalog.createNamespace(['sales']);
      await catalog.createTable(orders, V1);
      const nexts = [0, 1, 2].map((i) => `file:///lake/sales/orders/metadata/v2-proc-${i}.metadata.json`);
      const workers = nexts.map((next) => startWorker([path, 'sales', 'orders', V1, next]));
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      const outputs = await Promise.all(workers.map((w) => w.result));
      const swapped = outputs.map((o) => o.swapped);
      assert.deepEqual(
        outputs.filter((o) => o.error !== undefined),
        [],
      );
      assert.equal(swapped.filter((s) => s === true).length, 1);
      assert.equal(swapped.filter((s) => s === false).length, 2);
      const table = await catalog.loadTable(orders);
      assert.equal(table.metadataLocation, nexts[swapped.indexOf(true)]);
      assert.equal(table.previousMetadataLocation, V1);
    } finally {
      await catalog.close();
    }
  });

  test('three processes opening (and so migrating) a fresh catalog file at once all succeed', async () => {
    const path = freshPath();
    const workers = [0, 1, 2].map(() => startWorker([path, 'sales', 'orders', V1, 'file:///next.json']));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    // Each opened the catalog; the swap then finds no table, which proves the schema exists.
    assert.deepEqual(
      (await Promise.all(workers.map((w) => w.result))).map((o) => o.error),
      ['TABLE_NOT_FOUND', 'TABLE_NOT_FOUND', 'TABLE_NOT_FOUND'],
    );
    const catalog = await SqliteCatalogBackend.open(path);
    assert.deepEqual(await catalog.listNamespaces(), []);
    await catalog.close();
  });
});

interface WorkerOutput {
  swapped?: boolean;
  error?: string;
}

function startWorker(args: string[]): RaceWorker<WorkerOutput> {
  return startRaceWorker<WorkerOutput>(WORKER, args);
}
