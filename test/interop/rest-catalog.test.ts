/**
 * A real Iceberg client against Strata's REST catalog: PyIceberg (rest_catalog_client.py) creates a
 * namespace and a table through `strata serve`, appends with its own writer and reads back; Strata
 * reads what PyIceberg committed; PyIceberg reads and appends to a table Strata created.
 *
 * Gotcha: the server runs in this process, so Python is spawned asynchronously (a synchronous spawn
 * would block the event loop the server answers on).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StrataServer } from '../../src/server/index.ts';
import { startTestServer, type TestServer } from '../../src/server/testing/test-server.ts';
import { Types, field } from '../../src/table/index.ts';
import { pyicebergUnavailable } from './pyiceberg-harness.ts';

const CLIENT = fileURLToPath(new URL('./rest_catalog_client.py', import.meta.url));

interface Scan {
  readonly error?: string;
  readonly rows: { id: number; name: string | null; amount: number | null }[];
  readonly snapshot_id: string | null;
  readonly snapshots: number;
  readonly metadata_location: string;
}

function runClient(uri: string, token: string, steps: readonly object[]): Promise<Scan[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [CLIENT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`rest_catalog_client.py exited with ${String(code)}:\n${err}`));
      else resolve((JSON.parse(out) as { results: Scan[] }).results);
    });
    child.stdin.end(JSON.stringify({ uri, token, steps }));
  });
}

const skip = pyicebergUnavailable();

describe('PyIceberg through the Strata REST catalog', { skip }, () => {
  let server: StrataServer;
  let token: string;
  let running: TestServer | undefined;

  before(async () => {
    running = await startTestServer();
    server = running.server;
    token = running.adminToken;
  });
  after(async () => running?.close());

  test('PyIceberg creates, appends and reads back; Strata reads what it committed', async () => {
    const rows = [
      { id: 1, name: 'ada', amount: 1.5 },
      { id: 2, name: null, amount: 2.25 },
      { id: 3, name: 'cy', amount: null },
    ];
    const [written, list] = await runClient(server.url, token, [
      { op: 'create_and_append', namespace: 'py', table: 'events', rows },
      { op: 'list' },
    ]);
    assert.ok(written && list);
    assert.equal(written.error, undefined, written.error);
    assert.deepEqual(written.rows, rows);
    assert.deepEqual((list as unknown as { namespaces: Record<string, string[]> }).namespaces['py'], ['events']);

    const table = await server.context.home.catalog.loadTable('py.events');
    assert.equal(table.currentSnapshot()?.snapshotId.toString(), written.snapshot_id);
    assert.equal(table.ops.currentLocation(), written.metadata_location);
    // table.read() returns JSON-compatible rows: longs as decimal strings.
    const read = (await table.read()).sort((a, b) => Number(a['id']) - Number(b['id']));
    assert.deepEqual(read, rows.map((r) => ({ ...r, id: String(r.id) })));
  });

  test('a staged create (create_table_transaction) lands table and first snapshot in one commit', async () => {
    const rows = [{ id: 7, name: 'staged', amount: 0.25 }];
    const [created] = await runClient(server.url, token, [{ op: 'create_transaction', namespace: 'py', table: 'ctas', rows }]);
    assert.ok(created);
    assert.equal(created.error, undefined, created.error);
    assert.deepEqual(created.rows, rows);
    const table = await server.context.home.catalog.loadTable('py.ctas');
    assert.equal(table.snapshots().length, 1);
    assert.match(table.ops.currentLocation() ?? '', /\/00000-[^/]*\.metadata\.json$/, 'created by one commit: version 0 already has the snapshot');
    assert.deepEqual(await table.read(), [{ id: '7', name: 'staged', amount: 0.25 }]);
  });

  test('PyIceberg reads a table Strata created and appended, and appends to it', async () => {
    const catalog = server.context.home.catalog;
    await catalog.createNamespace(['strata']);
    const table = await catalog.createTable('strata.orders', [
      field(1, 'id', Types.long, true),
      field(2, 'name', Types.string),
      field(3, 'amount', Types.double),
    ]);
    await table.append({ rows: [{ id: 10n, name: 'x', amount: 0.5 }, { id: 11n, name: 'y', amount: null }] });
    const [before, appended] = await runClient(server.url, token, [
      { op: 'read', namespace: 'strata', table: 'orders' },
      { op: 'append', namespace: 'strata', table: 'orders', rows: [{ id: 12, name: 'z', amount: 7 }] },
    ]);
    assert.ok(before && appended);
    assert.equal(before.error, undefined, before.error);
    assert.deepEqual(before.rows, [{ id: 10, name: 'x', amount: 0.5 }, { id: 11, name: 'y', amount: null }]);
    assert.equal(before.snapshot_id, table.currentSnapshot()?.snapshotId.toString());
    assert.equal(appended.error, undefined, appended.error);
    assert.equal(appended.snapshots, 2);

    await table.refresh();
    assert.equal(table.snapshots().length, 2);
    const ids = (await table.read()).map((r) => String(r['id'])).sort();
    assert.deepEqual(ids, ['10', '11', '12']);
  });
});
