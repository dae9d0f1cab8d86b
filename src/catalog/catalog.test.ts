import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataError } from '../core/index.ts';
import { Types, field, reachableFiles } from '../table/index.ts';
import { openStrataHome, type StrataHome } from './strata-home.ts';

const columns = [field(1, 'id', Types.long, true), field(2, 'day', Types.date)];

describe('Catalog', () => {
  let dir: string;
  let strata: StrataHome;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-catalog-'));
    strata = await openStrataHome(dir);
    await strata.catalog.createNamespace(['sales']);
  });
  after(async () => {
    await strata.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('creates a table in the curated zone and loads it by name', async () => {
    const t = await strata.catalog.createTable('sales.orders', columns, { partitionBy: [{ source: 'day', transform: 'month' }], properties: { owner: 'ops' } });
    assert.match(t.metadata().location, /\/lake\/curated\/sales\.db\/orders$/);
    assert.equal(t.metadata().properties['owner'], 'ops');
    assert.equal(t.spec().fields[0]?.transform, 'month');
    await t.append({ rows: [{ id: 1n, day: '2024-05-01' }] });
    const again = await strata.catalog.loadTable('sales.orders');
    assert.deepEqual(await again.read(), [{ id: '1', day: '2024-05-01' }]);
    assert.deepEqual((await strata.catalog.listTables(['sales'])).map((id) => id.name), ['orders']);
  });

  test("a database's zone property places its new tables in that zone", async () => {
    await strata.catalog.createNamespace(['staging'], { zone: 'processed' });
    const t = await strata.catalog.createTable('staging.events', columns);
    assert.match(t.metadata().location, /\/lake\/processed\/staging\.db\/events$/);
    await strata.catalog.createNamespace(['odd'], { zone: 'nowhere' });
    await assert.rejects(strata.catalog.createTable('odd.t', columns), (e) => StrataError.is(e, 'INVALID_CONFIG'));
  });

  test('refuses duplicates, missing databases and unknown tables with precise codes', async () => {
    await assert.rejects(strata.catalog.createTable('sales.orders', columns), (e) => StrataError.is(e, 'TABLE_ALREADY_EXISTS'));
    await assert.rejects(strata.catalog.createTable('nope.t', columns), (e) => StrataError.is(e, 'NAMESPACE_NOT_FOUND'));
    await assert.rejects(strata.catalog.loadTable('sales.ordres'), (e) => StrataError.is(e, 'TABLE_NOT_FOUND') && e.message.includes('sales.orders'));
    await assert.rejects(strata.catalog.loadTable('orders'), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });

  test('a commit swaps the catalog pointer; a stale writer retries on top of the winner', async () => {
    const a = await strata.catalog.loadTable('sales.orders');
    const b = await strata.catalog.loadTable('sales.orders');
    await a.append({ rows: [{ id: 2n, day: '2024-05-02' }] });
    await b.append({ rows: [{ id: 3n, day: '2024-06-02' }] }); // b's view is stale: it must rebase, not overwrite
    const fresh = await strata.catalog.loadTable('sales.orders');
    assert.deepEqual((await fresh.read()).map((r) => r['id']).sort(), ['1', '2', '3']);
    const record = await strata.catalog.backend.loadTable({ namespace: ['sales'], name: 'orders' });
    assert.equal(record.metadataLocation, fresh.ops.currentLocation());
    assert.ok(record.previousMetadataLocation);
  });

  test('rename keeps the data; the old name is gone', async () => {
    await strata.catalog.createTable('sales.tmp', columns);
    const t = await strata.catalog.loadTable('sales.tmp');
    await t.append({ rows: [{ id: 9n, day: null }] });
    await strata.catalog.renameTable('sales.tmp', 'sales.renamed');
    assert.deepEqual(await (await strata.catalog.loadTable('sales.renamed')).read(), [{ id: '9', day: null }]);
    await assert.rejects(strata.catalog.loadTable('sales.tmp'), (e) => StrataError.is(e, 'TABLE_NOT_FOUND'));
  });

  test('drop without purge keeps files; register brings the table back from its metadata file', async () => {
    const t = await strata.catalog.loadTable('sales.renamed');
    const location = t.ops.currentLocation();
    assert.ok(location);
    await strata.catalog.dropTable('sales.renamed');
    assert.equal(await strata.catalog.tableExists('sales.renamed'), false);
    assert.ok(existsSync(fileURLToPath(location)));
    const back = await strata.catalog.registerTable('sales.restored', location);
    assert.deepEqual(await back.read(), [{ id: '9', day: null }]);
    await assert.rejects(strata.catalog.registerTable('sales.broken', location.replace('.metadata.json', '.missing.json')), (e) =>
      StrataError.is(e, 'CORRUPT_FILE'),
    );
  });

  test('drop with purge deletes every file the table referenced', async () => {
    const t = await strata.catalog.createTable('sales.purged', columns, { partitionBy: [{ source: 'day', transform: 'day' }] });
    await t.append({ rows: [{ id: 1n, day: '2024-01-01' }, { id: 2n, day: '2024-01-02' }] });
    await t.append({ rows: [{ id: 3n, day: '2024-01-03' }] });
    const location = t.ops.currentLocation();
    assert.ok(location);
    const files = await reachableFiles(t.ops.store, location);
    assert.ok(files.length >= 8, `expected metadata, manifests, lists and data files, got ${files.length}`);
    await strata.catalog.dropTable('sales.purged', { purge: true });
    for (const file of files) assert.equal(existsSync(fileURLToPath(file)), false, `${file} should be deleted`);
  });

  test('a writer holding a dropped table never commits into a re-created table of the same name', async () => {
    const original = await strata.catalog.createTable('sales.recreated', columns);
    await original.append({ rows: [{ id: 1n, day: null }] });
    await strata.catalog.dropTable('sales.recreated');
    await strata.catalog.createTable('sales.recreated', columns);
    await assert.rejects(original.append({ rows: [{ id: 2n, day: null }] }), (e) => StrataError.is(e, 'COMMIT_CONFLICT'));
    assert.deepEqual(await (await strata.catalog.loadTable('sales.recreated')).read(), []);
  });

  test('a database with tables cannot be dropped', async () => {
    await assert.rejects(strata.catalog.dropNamespace(['sales']), (e) => StrataError.is(e, 'NAMESPACE_NOT_EMPTY'));
  });
});
