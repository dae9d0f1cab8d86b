/**
 * The `CatalogBackend` contract, written once and run against every backend in BACKENDS: SQLite
 * (a file, and in memory) and Postgres (a throw-away server started for this file, see
 * testing/postgres-server.ts; skipped with a message when Postgres is not installed, except in CI).
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError, type StrataErrorCode } from '../../core/index.ts';
import type { CatalogBackend, TableIdentifier } from './catalog-backend.ts';
import { PostgresCatalogBackend } from './postgres-catalog-backend.ts';
import { SqliteCatalogBackend } from './sqlite-catalog-backend.ts';
import { postgresForTests } from './testing/postgres-server.ts';

interface BackendUnderTest {
  readonly name: string;
  /** Why this backend's cases are skipped, or false. */
  readonly skip: string | false;
  /** A fresh, empty catalog: where it lives (inside `dir` for files). */
  create(dir: string): Promise<string>;
  /** Opens a backend on `location`; several opens of one location share one catalog when `shared`. */
  open(location: string): Promise<CatalogBackend>;
  readonly shared: boolean;
}

const postgres = await postgresForTests();
after(() => postgres.server?.stop());

let files = 0;
const BACKENDS: readonly BackendUnderTest[] = [
  {
    name: 'sqlite (file)',
    skip: false,
    create: (dir) => Promise.resolve(join(dir, `catalog-${++files}.db`)),
    open: (path) => SqliteCatalogBackend.open(path),
    shared: true,
  },
  {
    name: 'sqlite (:memory:)',
    skip: false,
    create: () => Promise.resolve(':memory:'),
    open: () => SqliteCatalogBackend.open(':memory:'),
    shared: false,
  },
  {
    name: 'postgres',
    skip: postgres.skip,
    create: () => postgres.server!.createDatabase('contract'),
    open: (url) => PostgresCatalogBackend.open(url),
    shared: true,
  },
];

async function rejectsWith(promise: Promise<unknown>, code: StrataErrorCode): Promise<StrataError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return StrataError.is(e, code);
  });
  return caught as StrataError;
}

const orders: TableIdentifier = { namespace: ['sales'], name: 'orders' };
const V1 = 'file:///lake/sales/orders/metadata/00000-a.metadata.json';
const V2 = 'file:///lake/sales/orders/metadata/00001-b.metadata.json';
const V3 = 'file:///lake/sales/orders/metadata/00002-c.metadata.json';

for (const backend of BACKENDS) {
  describe(`CatalogBackend contract: ${backend.name}`, { skip: backend.skip }, () => {
    let dir: string;
    let location: string;
    let catalog: CatalogBackend;

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'strata-catalog-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    beforeEach(async () => {
      location = await backend.create(dir);
      catalog = await backend.open(location);
    });
    afterEach(() => catalog.close());

    describe('namespaces', () => {
      test('create, exists, list and properties round trip', async () => {
        assert.equal(await catalog.namespaceExists(['sales']), false);
        await catalog.createNamespace(['sales'], { owner: 'ana', 'write.format': 'parquet', empty: '' });
        await catalog.createNamespace(['hr']);
        assert.equal(await catalog.namespaceExists(['sales']), true);
        assert.deepEqual(await catalog.listNamespaces(), [['hr'], ['sales']]);
        assert.deepEqual(await catalog.loadNamespaceProperties(['sales']), {
          empty: '',
          owner: 'ana',
          'write.format': 'parquet',
        });
        assert.deepEqual(await catalog.loadNamespaceProperties(['hr']), {});
      });

      test('creating an existing namespace fails with NAMESPACE_ALREADY_EXISTS', async () => {
        await catalog.createNamespace(['sales']);
        await rejectsWith(catalog.createNamespace(['sales']), 'NAMESPACE_ALREADY_EXISTS');
      });

      test('nested namespaces need their parent and list only direct children', async () => {
        await rejectsWith(catalog.createNamespace(['sales', 'eu']), 'NAMESPACE_NOT_FOUND');
        await catalog.createNamespace(['sales']);
        await catalog.createNamespace(['sales', 'eu']);
        await catalog.createNamespace(['sales', 'us']);
        await catalog.createNamespace(['sales', 'eu', 'de']);
        await catalog.createNamespace(['salesforce']);
        assert.deepEqual(await catalog.listNamespaces(), [['sales'], ['salesforce']]);
        assert.deepEqual(await catalog.listNamespaces([]), [['sales'], ['salesforce']]);
        assert.deepEqual(await catalog.listNamespaces(['sales']), [
          ['sales', 'eu'],
          ['sales', 'us'],
        ]);
        assert.deepEqual(await catalog.listNamespaces(['sales', 'eu']), [['sales', 'eu', 'de']]);
        assert.deepEqual(await catalog.listNamespaces(['sales', 'us']), []);
        assert.equal(await catalog.namespaceExists(['sales', 'eu', 'de']), true);
        assert.equal(await catalog.namespaceExists(['eu']), false);
      });

      test('listing children of a missing namespace fails with NAMESPACE_NOT_FOUND', async () => {
        await rejectsWith(catalog.listNamespaces(['nope']), 'NAMESPACE_NOT_FOUND');
      });

      test('loading properties of a missing namespace fails with NAMESPACE_NOT_FOUND', async () => {
        await rejectsWith(catalog.loadNamespaceProperties(['nope']), 'NAMESPACE_NOT_FOUND');
      });

      test('updateNamespaceProperties removes, sets and reports', async () => {
        await catalog.createNamespace(['sales'], { a: '1', b: '2' });
        const result = await catalog.updateNamespaceProperties(['sales'], ['a', 'missing'], { b: '20', c: '3' });
        assert.deepEqual(result, { updated: ['b', 'c'], removed: ['a'], missing: ['missing'] });
        assert.deepEqual(await catalog.loadNamespaceProperties(['sales']), { b: '20', c: '3' });
        await rejectsWith(catalog.updateNamespaceProperties(['nope'], [], { a: '1' }), 'NAMESPACE_NOT_FOUND');
        await rejectsWith(catalog.updateNamespaceProperties(['sales'], ['b'], { b: '1' }), 'INVALID_ARGUMENT');
        assert.deepEqual(await catalog.loadNamespaceProperties(['sales']), { b: '20', c: '3' });
      });

      test('dropNamespace refuses non-empty namespaces and removes empty ones', async () => {
        await catalog.createNamespace(['sales']);
        await catalog.createNamespace(['sales', 'eu']);
        await rejectsWith(catalog.dropNamespace(['sales']), 'NAMESPACE_NOT_EMPTY');
        await catalog.createTable({ namespace: ['sales', 'eu'], name: 'orders' }, V1);
        await rejectsWith(catalog.dropNamespace(['sales', 'eu']), 'NAMESPACE_NOT_EMPTY');
        await catalog.dropTable({ namespace: ['sales', 'eu'], name: 'orders' });
        await catalog.dropNamespace(['sales', 'eu']);
        await catalog.dropNamespace(['sales']);
        assert.equal(await catalog.namespaceExists(['sales']), false);
        assert.deepEqual(await catalog.listNamespaces(), []);
        await rejectsWith(catalog.dropNamespace(['sales']), 'NAMESPACE_NOT_FOUND');
      });

      test('invalid names fail with INVALID_ARGUMENT before touching the database', async () => {
        await rejectsWith(catalog.createNamespace([]), 'INVALID_ARGUMENT');
        await rejectsWith(catalog.createNamespace(['a.b']), 'INVALID_ARGUMENT');
        await rejectsWith(catalog.createNamespace(['a\u001fb']), 'INVALID_ARGUMENT');
        await rejectsWith(catalog.namespaceExists(['']), 'INVALID_ARGUMENT');
        await rejectsWith(catalog.listNamespaces(['x\n']), 'INVALID_ARGUMENT');
        await rejectsWith(
          catalog.createNamespace(['ok'], { n: 1 as unknown as string }),
          'INVALID_ARGUMENT',
        );
        assert.deepEqual(await catalog.listNamespaces(), []);
      });
    });

    describe('tables', () => {
      beforeEach(() => catalog.createNamespace(['sales']));

      test('create then load returns the stored record', async () => {
        const created = await catalog.createTable(orders, V1, { 'format-version': '2' });
        const loaded = await catalog.loadTable(orders);
        assert.deepEqual(loaded, created);
        assert.deepEqual(loaded.identifier, orders);
        assert.equal(loaded.metadataLocation, V1);
        assert.equal(loaded.previousMetadataLocation, undefined);
        assert.equal('previousMetadataLocation' in loaded, false);
        assert.deepEqual(loaded.properties, { 'format-version': '2' });
        assert.equal(typeof loaded.createdAt, 'number');
        assert.ok(loaded.createdAt > 1_600_000_000_000);
        assert.equal(loaded.updatedAt, loaded.createdAt);
      });

      test('createTable fails with TABLE_ALREADY_EXISTS and NAMESPACE_NOT_FOUND', async () => {
        await catalog.createTable(orders, V1);
        await rejectsWith(catalog.createTable(orders, V2), 'TABLE_ALREADY_EXISTS');
        assert.equal((await catalog.loadTable(orders)).metadataLocation, V1);
        await rejectsWith(catalog.createTable({ namespace: ['hr'], name: 'people' }, V1), 'NAMESPACE_NOT_FOUND');
        await rejectsWith(catalog.createTable({ namespace: ['sales'], name: '' }, V1), 'INVALID_ARGUMENT');
        await rejectsWith(catalog.createTable({ namespace: ['sales'], name: 'x' }, ''), 'INVALID_ARGUMENT');
      });

      test('the same table name in different namespaces are different tables', async () => {
        await catalog.createNamespace(['sales', 'eu']);
        await catalog.createTable(orders, V1);
        await catalog.createTable({ namespace: ['sales', 'eu'], name: 'orders' }, V2);
        assert.equal((await catalog.loadTable(orders)).metadataLocation, V1);
        assert.equal((await catalog.loadTable({ namespace: ['sales', 'eu'], name: 'orders' })).metadataLocation, V2);
        assert.deepEqual(await catalog.listTables(['sales']), [orders]);
      });

      test('tableExists and listTables', async () => {
        assert.equal(await catalog.tableExists(orders), false);
        await catalog.createTable({ namespace: ['sales'], name: 'returns' }, V1);
        await catalog.createTable(orders, V1);
        assert.equal(await catalog.tableExists(orders), true);
        assert.equal(await catalog.tableExists({ namespace: ['nope'], name: 'orders' }), false);
        assert.deepEqual(await catalog.listTables(['sales']), [orders, { namespace: ['sales'], name: 'returns' }]);
        await catalog.createNamespace(['empty']);
        assert.deepEqual(await catalog.listTables(['empty']), []);
        await rejectsWith(catalog.listTables(['nope']), 'NAMESPACE_NOT_FOUND');
      });

      test('TABLE_NOT_FOUND suggests the closest table in the namespace', async () => {
        await catalog.createTable(orders, V1);
        await catalog.createTable({ namespace: ['sales'], name: 'customers' }, V1);
        const typo = await rejectsWith(catalog.loadTable({ namespace: ['sales'], name: 'ordres' }), 'TABLE_NOT_FOUND');
        assert.match(typo.message, /did you mean sales\.orders\?/);
        assert.equal(typo.details.suggestion, 'sales.orders');
        const far = await rejectsWith(catalog.loadTable({ namespace: ['sales'], name: 'inventory' }), 'TABLE_NOT_FOUND');
        assert.doesNotMatch(far.message, /did you mean/);
        const noNs = await rejectsWith(catalog.loadTable({ namespace: ['hr'], name: 'orders' }), 'TABLE_NOT_FOUND');
        assert.match(noNs.message, /namespace hr does not exist/);
      });

      test('swapMetadataLocation is a compare-and-swap that records the previous location', async () => {
        const created = await catalog.createTable(orders, V1);
        assert.equal(await catalog.swapMetadataLocation(orders, V1, V2), true);
        const afterSwap = await catalog.loadTable(orders);
        assert.equal(afterSwap.metadataLocation, V2);
        assert.equal(afterSwap.previousMetadataLocation, V1);
        assert.ok(afterSwap.updatedAt >= created.updatedAt);
        assert.equal(afterSwap.createdAt, created.createdAt);

        // A stale expected location loses and changes nothing.
        assert.equal(await catalog.swapMetadataLocation(orders, V1, V3), false);
        const unchanged = await catalog.loadTable(orders);
        assert.equal(unchanged.metadataLocation, V2);
        assert.equal(unchanged.previousMetadataLocation, V1);

        assert.equal(await catalog.swapMetadataLocation(orders, V2, V3), true);
        assert.equal((await catalog.loadTable(orders)).previousMetadataLocation, V2);
      });

      test('swapMetadataLocation on a missing table fails with TABLE_NOT_FOUND', async () => {
        await rejectsWith(catalog.swapMetadataLocation(orders, V1, V2), 'TABLE_NOT_FOUND');
        await catalog.createTable(orders, V1);
        await catalog.dropTable(orders);
        await rejectsWith(catalog.swapMetadataLocation(orders, V1, V2), 'TABLE_NOT_FOUND');
        await rejectsWith(catalog.swapMetadataLocation(orders, V1, ''), 'INVALID_ARGUMENT');
      });

      test('renameTable moves the record; the old name is gone', async () => {
        await catalog.createNamespace(['archive']);
        await catalog.createTable(orders, V1, { k: 'v' });
        await catalog.swapMetadataLocation(orders, V1, V2);
        const target = { namespace: ['archive'], name: 'orders_2024' };
        await catalog.renameTable(orders, target);
        const moved = await catalog.loadTable(target);
        assert.deepEqual(moved.identifier, target);
        assert.equal(moved.metadataLocation, V2);
        assert.equal(moved.previousMetadataLocation, V1);
        assert.deepEqual(moved.properties, { k: 'v' });
        assert.equal(await catalog.tableExists(orders), false);
        await rejectsWith(catalog.loadTable(orders), 'TABLE_NOT_FOUND');
        assert.deepEqual(await catalog.listTables(['sales']), []);
        assert.deepEqual(await catalog.listTables(['archive']), [target]);
        // The new name takes commits.
        assert.equal(await catalog.swapMetadataLocation(target, V2, V3), true);
      });

      test('renameTable error codes', async () => {
        await catalog.createTable(orders, V1);
        await catalog.createTable({ namespace: ['sales'], name: 'returns' }, V2);
        await rejectsWith(catalog.renameTable(orders, { namespace: ['sales'], name: 'returns' }), 'TABLE_ALREADY_EXISTS');
        await rejectsWith(catalog.renameTable(orders, orders), 'TABLE_ALREADY_EXISTS');
        await rejectsWith(catalog.renameTable(orders, { namespace: ['nope'], name: 'orders' }), 'NAMESPACE_NOT_FOUND');
        const missing = await rejectsWith(
          catalog.renameTable({ namespace: ['sales'], name: 'order' }, { namespace: ['sales'], name: 'x' }),
          'TABLE_NOT_FOUND',
        );
        assert.match(missing.message, /did you mean sales\.orders\?/);
        // Failed renames changed nothing.
        assert.equal((await catalog.loadTable(orders)).metadataLocation, V1);
        assert.equal((await catalog.loadTable({ namespace: ['sales'], name: 'returns' })).metadataLocation, V2);
      });

      test('dropTable returns the dropped record so its files can be purged', async () => {
        await catalog.createTable(orders, V1, { owner: 'ana' });
        await catalog.swapMetadataLocation(orders, V1, V2);
        const dropped = await catalog.dropTable(orders);
        assert.deepEqual(dropped.identifier, orders);
        assert.equal(dropped.metadataLocation, V2);
        assert.equal(dropped.previousMetadataLocation, V1);
        assert.deepEqual(dropped.properties, { owner: 'ana' });
        assert.equal(await catalog.tableExists(orders), false);
        await rejectsWith(catalog.dropTable(orders), 'TABLE_NOT_FOUND');
        // The name is free again.
        await catalog.createTable(orders, V3);
        assert.equal((await catalog.loadTable(orders)).metadataLocation, V3);
      });

      test('updateTableProperties removes, sets, reports and keeps the pointer', async () => {
        await catalog.createTable(orders, V1, { a: '1', b: '2' });
        const result = await catalog.updateTableProperties(orders, ['a', 'zz'], { c: '3' });
        assert.deepEqual(result, { updated: ['c'], removed: ['a'], missing: ['zz'] });
        const loaded = await catalog.loadTable(orders);
        assert.deepEqual(loaded.properties, { b: '2', c: '3' });
        assert.equal(loaded.metadataLocation, V1);
        await rejectsWith(catalog.updateTableProperties({ namespace: ['sales'], name: 'x' }, [], {}), 'TABLE_NOT_FOUND');
        await rejectsWith(catalog.updateTableProperties(orders, ['b'], { b: '1' }), 'INVALID_ARGUMENT');
      });

      test('table names may contain dots, spaces and unicode', async () => {
        const odd = { namespace: ['sales'], name: 'orders.v2 größe' };
        await catalog.createTable(odd, V1);
        assert.deepEqual((await catalog.loadTable(odd)).identifier, odd);
        assert.deepEqual(await catalog.listTables(['sales']), [odd]);
      });
    });

    describe('concurrency', () => {
      /** `count` backends on the same catalog (its own connection each where the backend can share). */
      async function connections(count: number): Promise<{ all: CatalogBackend[]; close(): Promise<void> }> {
        if (!backend.shared) return { all: [catalog], close: () => Promise.resolve() };
        const others = await Promise.all(Array.from({ length: count - 1 }, () => backend.open(location)));
        return { all: [catalog, ...others], close: async () => void (await Promise.all(others.map((o) => o.close()))) };
      }

      test('racing compare-and-swaps from one expected location: exactly one winner every round', async () => {
        await catalog.createNamespace(['sales']);
        await catalog.createTable(orders, V1);
        const pool = await connections(4);
        try {
          let expected = V1;
          for (let round = 0; round < 15; round++) {
            const nexts = Array.from({ length: 8 }, (_, i) => `file:///lake/sales/orders/metadata/r${round}-${i}.metadata.json`);
            const results = await Promise.all(
              nexts.map((next, i) => pool.all[i % pool.all.length]!.swapMetadataLocation(orders, expected, next)),
            );
            assert.equal(results.filter((won) => won).length, 1, `round ${round}: ${results.join(',')}`);
            const winner = nexts[results.indexOf(true)]!;
            const table = await pool.all[round % pool.all.length]!.loadTable(orders);
            assert.equal(table.metadataLocation, winner);
            assert.equal(table.previousMetadataLocation, expected);
            expected = winner;
          }
        } finally {
          await pool.close();
        }
      });

      test('writers that reload and retry: every commit lands once, in one linear history', async () => {
        await catalog.createNamespace(['sales']);
        await catalog.createTable(orders, V1);
        const pool = await connections(4);
        const parentOf = new Map<string, string>();
        try {
          await Promise.all(
            pool.all.map(async (writer, w) => {
              for (let commit = 0; commit < 8; commit++) {
                const next = `file:///lake/sales/orders/metadata/w${w}-${commit}.metadata.json`;
                for (;;) {
                  const base = (await writer.loadTable(orders)).metadataLocation;
                  if (await writer.swapMetadataLocation(orders, base, next)) {
                    assert.equal(parentOf.has(base), false, `${base} was replaced twice`);
                    parentOf.set(base, next);
                    break;
                  }
                }
              }
            }),
          );
          // Following the history from V1 visits every commit and ends at the current pointer.
          let at = V1;
          let steps = 0;
          while (parentOf.has(at)) {
            at = parentOf.get(at)!;
            steps++;
          }
          assert.equal(steps, pool.all.length * 8);
          assert.equal((await catalog.loadTable(orders)).metadataLocation, at);
        } finally {
          await pool.close();
        }
      });

      test('racing creates of one name: one succeeds, the others get the ALREADY_EXISTS code', async () => {
        const pool = await connections(3);
        try {
          const namespaces = await Promise.allSettled(pool.all.flatMap((c) => [c.createNamespace(['sales']), c.createNamespace(['sales'])]));
          assert.equal(namespaces.filter((r) => r.status === 'fulfilled').length, 1);
          for (const r of namespaces) if (r.status === 'rejected') assert.ok(StrataError.is(r.reason, 'NAMESPACE_ALREADY_EXISTS'), String(r.reason));
          const tables = await Promise.allSettled(pool.all.flatMap((c, i) => [c.createTable(orders, `${V1}#${i}a`), c.createTable(orders, `${V1}#${i}b`)]));
          assert.equal(tables.filter((r) => r.status === 'fulfilled').length, 1);
          for (const r of tables) if (r.status === 'rejected') assert.ok(StrataError.is(r.reason, 'TABLE_ALREADY_EXISTS'), String(r.reason));
        } finally {
          await pool.close();
        }
      });

      test('concurrent property updates from several connections are all kept', async () => {
        await catalog.createNamespace(['sales']);
        await catalog.createTable(orders, V1);
        const pool = await connections(3);
        try {
          await Promise.all(
            Array.from({ length: 12 }, (_, i) => [
              pool.all[i % pool.all.length]!.updateNamespaceProperties(['sales'], [], { [`k${i}`]: String(i) }),
              pool.all[(i + 1) % pool.all.length]!.updateTableProperties(orders, [], { [`t${i}`]: String(i) }),
            ]).flat(),
          );
          assert.deepEqual(Object.keys(await catalog.loadNamespaceProperties(['sales'])).length, 12);
          assert.deepEqual(Object.keys((await catalog.loadTable(orders)).properties).length, 12);
          assert.equal((await catalog.loadTable(orders)).metadataLocation, V1);
        } finally {
          await pool.close();
        }
      });
    });

    test('every call after close fails with CATALOG_ERROR', async () => {
      await catalog.close();
      await rejectsWith(catalog.listNamespaces(), 'CATALOG_ERROR');
      await rejectsWith(catalog.loadTable(orders), 'CATALOG_ERROR');
    });
  });
}
