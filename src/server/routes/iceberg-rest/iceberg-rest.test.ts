import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, stringifyJson } from '../../../core/index.ts';
import type { StrataServer } from '../../strata-server.ts';
import { startTestServer, type TestServer } from '../../testing/test-server.ts';

type Json = Record<string, unknown>;

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'email', required: false, type: 'string' },
  ],
};

describe('Iceberg REST catalog routes', () => {
  let running: TestServer;
  let server: StrataServer;
  let admin: string;
  let analyst: string;

  /** A request as a REST client sends it; the body is parsed losslessly (bigints survive). */
  async function call(method: string, path: string, body?: unknown, token = admin): Promise<{ status: number; json: Json; text: string }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : stringifyJson(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : (parseJson(text) as Json), text };
  }

  function errorOf(json: Json): { type: string; code: number; message: string } {
    return json['error'] as { type: string; code: number; message: string };
  }

  function metadataOf(json: Json): Json {
    return json['metadata'] as Json;
  }

  function snapshot(meta: Json, id: bigint, parent: bigint | undefined, sequence: number): Json {
    return {
      'snapshot-id': id,
      ...(parent === undefined ? {} : { 'parent-snapshot-id': parent }),
      'sequence-number': sequence,
      'timestamp-ms': Date.now(),
      'manifest-list': `${String(meta['location'])}/metadata/snap-${id}.avro`,
      summary: { operation: 'append' },
      'schema-id': 0,
    };
  }

  function appendChange(meta: Json, id: bigint, parent: bigint | null, sequence: number): Json {
    return {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
      updates: [
        { action: 'add-snapshot', snapshot: snapshot(meta, id, parent ?? undefined, sequence) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ],
    };
  }

  before(async () => {
    running = await startTestServer(async (_home, governance) => {
      await governance.identity.createPrincipal('analyst');
      analyst = (await governance.identity.createToken('analyst')).token;
    });
    server = running.server;
    admin = running.adminToken;
  });
  after(async () => running.close());

  test('GET /v1/config answers defaults, overrides and the endpoints served', async () => {
    const { status, json } = await call('GET', '/v1/config');
    assert.equal(status, 200);
    assert.deepEqual(json['defaults'], {});
    assert.deepEqual(json['overrides'], {});
    assert.ok((json['endpoints'] as string[]).includes('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}'));
  });

  test('an unauthenticated request gets the spec error body (401 NotAuthorizedException)', async () => {
    const { status, json } = await call('GET', '/v1/namespaces', undefined, 'not-a-token');
    assert.equal(status, 401);
    assert.equal(errorOf(json).type, 'NotAuthorizedException');
    assert.equal(errorOf(json).code, 401);
  });

  test('namespaces: create, list, load, exists, update properties, drop', async () => {
    const created = await call('POST', '/v1/namespaces', { namespace: ['ns1'], properties: { owner: 'data' } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.json, { namespace: ['ns1'], properties: { owner: 'data' } });
    assert.equal(errorOf((await call('POST', '/v1/namespaces', { namespace: ['ns1'] })).json).type, 'AlreadyExistsException');

    assert.ok(((await call('GET', '/v1/namespaces')).json['namespaces'] as string[][]).some((n) => n[0] === 'ns1'));
    assert.deepEqual((await call('GET', '/v1/namespaces/ns1')).json['properties'], { owner: 'data' });
    assert.equal((await call('HEAD', '/v1/namespaces/ns1')).status, 204);
    assert.equal((await call('HEAD', '/v1/namespaces/missing')).status, 404);
    const missing = await call('GET', '/v1/namespaces/missing');
    assert.equal(missing.status, 404);
    assert.equal(errorOf(missing.json).type, 'NoSuchNamespaceException');

    const updated = await call('POST', '/v1/namespaces/ns1/properties', { removals: ['owner', 'nope'], updates: { team: 'bi' } });
    assert.deepEqual(updated.json, { updated: ['team'], removed: ['owner'], missing: ['nope'] });
    assert.deepEqual((await call('GET', '/v1/namespaces/ns1')).json['properties'], { team: 'bi' });

    assert.equal((await call('DELETE', '/v1/namespaces/ns1')).status, 204);
    assert.equal((await call('HEAD', '/v1/namespaces/ns1')).status, 404);
  });

  test('multi-level namespaces travel joined by %1F', async () => {
    await call('POST', '/v1/namespaces', { namespace: ['lvl'] });
    assert.equal((await call('POST', '/v1/namespaces', { namespace: ['lvl', 'eu'] })).status, 200);
    assert.deepEqual((await call('GET', '/v1/namespaces?parent=lvl')).json['namespaces'], [['lvl', 'eu']]);
    assert.deepEqual((await call('GET', '/v1/namespaces/lvl%1Feu')).json['namespace'], ['lvl', 'eu']);
  });

  test('tables: create, list, load, exists, commit, rename, drop, register', async () => {
    await call('POST', '/v1/namespaces', { namespace: ['shop'] });
    const created = await call('POST', '/v1/namespaces/shop/tables', {
      name: 'orders',
      schema: SCHEMA,
      'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[4]' }] },
      properties: { 'write.format.default': 'parquet' },
    });
    assert.equal(created.status, 200);
    assert.match(String(created.json['metadata-location']), /^file:.*\/shop\.db\/orders\/metadata\/00000-.*\.metadata\.json$/);
    assert.equal((metadataOf(created.json)['partition-specs'] as Json[]).length, 1);
    assert.equal(errorOf((await call('POST', '/v1/namespaces/shop/tables', { name: 'orders', schema: SCHEMA })).json).type, 'AlreadyExistsException');

    assert.deepEqual((await call('GET', '/v1/namespaces/shop/tables')).json['identifiers'], [{ namespace: ['shop'], name: 'orders' }]);
    const loaded = await call('GET', '/v1/namespaces/shop/tables/orders');
    assert.equal(loaded.json['metadata-location'], created.json['metadata-location']);
    assert.deepEqual(loaded.json['config'], {});
    assert.equal((await call('HEAD', '/v1/namespaces/shop/tables/orders')).status, 204);
    const absent = await call('GET', '/v1/namespaces/shop/tables/nope');
    assert.equal(absent.status, 404);
    assert.equal(errorOf(absent.json).type, 'NoSuchTableException');

    const uuid = String(metadataOf(loaded.json)['table-uuid']);
    const committed = await call('POST', '/v1/namespaces/shop/tables/orders', {
      requirements: [{ type: 'assert-table-uuid', uuid }, { type: 'assert-current-schema-id', 'current-schema-id': 0 }],
      updates: [{ action: 'set-properties', updates: { owner: 'bi' } }],
    });
    assert.equal(committed.status, 200);
    assert.equal((metadataOf(committed.json)['properties'] as Json)['owner'], 'bi');
    assert.notEqual(committed.json['metadata-location'], created.json['metadata-location']);
    const stale = await call('POST', '/v1/namespaces/shop/tables/orders', { requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [] });
    assert.equal(stale.status, 409);
    assert.equal(errorOf(stale.json).type, 'CommitFailedException');
    const unsupported = await call('POST', '/v1/namespaces/shop/tables/orders', { requirements: [], updates: [{ action: 'set-statistics' }] });
    assert.equal(unsupported.status, 406);
    assert.equal(errorOf(unsupported.json).type, 'UnsupportedOperationException');
    const bad = await call('POST', '/v1/namespaces/shop/tables/orders', '{"requirements": [}');
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad.json).type, 'BadRequestException');

    assert.equal((await call('POST', '/v1/tables/rename', { source: { namespace: ['shop'], name: 'orders' }, destination: { namespace: ['shop'], name: 'sales' } })).status, 204);
    assert.equal((await call('HEAD', '/v1/namespaces/shop/tables/orders')).status, 404);
    const lastLocation = String((await call('GET', '/v1/namespaces/shop/tables/sales')).json['metadata-location']);
    assert.equal(errorOf((await call('DELETE', '/v1/namespaces/shop')).json).type, 'NamespaceNotEmptyException');

    assert.equal((await call('DELETE', '/v1/namespaces/shop/tables/sales')).status, 204);
    assert.equal((await call('HEAD', '/v1/namespaces/shop/tables/sales')).status, 404);
    const registered = await call('POST', '/v1/namespaces/shop/register', { name: 'revived', 'metadata-location': lastLocation });
    assert.equal(registered.status, 200);
    assert.equal((metadataOf(registered.json)['properties'] as Json)['owner'], 'bi');
    assert.equal((await call('DELETE', '/v1/namespaces/shop/tables/revived?purgeRequested=true')).status, 204);
    const purged = await call('POST', '/v1/namespaces/shop/register', { name: 'again', 'metadata-location': lastLocation });
    assert.equal(purged.status, 400, 'the purge deleted the metadata file');
    assert.equal(errorOf(purged.json).type, 'BadRequestException');
    assert.equal((await call('HEAD', '/v1/namespaces/shop/tables/again')).status, 404);
  });

  test('stage-create returns metadata without creating; an assert-create commit creates the table', async () => {
    await call('POST', '/v1/namespaces', { namespace: ['stage'] });
    const staged = await call('POST', '/v1/namespaces/stage/tables', { name: 'ctas', schema: SCHEMA, 'stage-create': true });
    assert.equal(staged.status, 200);
    assert.equal(staged.json['metadata-location'], undefined);
    assert.equal((await call('HEAD', '/v1/namespaces/stage/tables/ctas')).status, 404);
    const meta = metadataOf(staged.json);
    const id = 9_007_199_254_740_993n;
    const change = {
      requirements: [{ type: 'assert-create' }],
      updates: [
        { action: 'assign-uuid', uuid: meta['table-uuid'] },
        { action: 'upgrade-format-version', 'format-version': 2 },
        { action: 'add-schema', schema: SCHEMA, 'last-column-id': 2 },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: { 'spec-id': 0, fields: [] } },
        { action: 'set-default-spec', 'spec-id': -1 },
        { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        { action: 'set-location', location: meta['location'] },
        { action: 'set-properties', updates: { created: 'by-ctas' } },
        { action: 'add-snapshot', snapshot: snapshot(meta, id, undefined, 1) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ],
    };
    const created = await call('POST', '/v1/namespaces/stage/tables/ctas', change);
    assert.equal(created.status, 200);
    assert.equal(metadataOf(created.json)['table-uuid'], meta['table-uuid']);
    assert.equal(metadataOf(created.json)['current-snapshot-id'], id);
    assert.equal((metadataOf(created.json)['properties'] as Json)['created'], 'by-ctas');
    const again = await call('POST', '/v1/namespaces/stage/tables/ctas', change);
    assert.equal(again.status, 409);
    assert.equal(errorOf(again.json).type, 'CommitFailedException');
  });

  test('snapshot ids above 2^53 round-trip exactly', async () => {
    await call('POST', '/v1/namespaces', { namespace: ['big'] });
    const meta = metadataOf((await call('POST', '/v1/namespaces/big/tables', { name: 't', schema: SCHEMA })).json);
    const id = 9_223_372_036_854_775_001n;
    const committed = await call('POST', '/v1/namespaces/big/tables/t', appendChange(meta, id, null, 1));
    assert.equal(committed.status, 200);
    const loaded = await call('GET', '/v1/namespaces/big/tables/t');
    assert.match(loaded.text, /"current-snapshot-id":9223372036854775001\b/);
    assert.equal(metadataOf(loaded.json)['current-snapshot-id'], id);
    const next = 9_223_372_036_854_775_002n;
    const child = await call('POST', '/v1/namespaces/big/tables/t', appendChange(meta, next, id, 2));
    assert.equal(child.status, 200, child.text);
    assert.equal(metadataOf(child.json)['current-snapshot-id'], next);
  });

  test('concurrent commits: one wins, the other gets 409 and succeeds after reloading', async () => {
    await call('POST', '/v1/namespaces', { namespace: ['race'] });
    const meta = metadataOf((await call('POST', '/v1/namespaces/race/tables', { name: 't', schema: SCHEMA })).json);
    const [a, b] = await Promise.all([
      call('POST', '/v1/namespaces/race/tables/t', appendChange(meta, 101n, null, 1)),
      call('POST', '/v1/namespaces/race/tables/t', appendChange(meta, 202n, null, 1)),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409]);
    const loser = a.status === 409 ? a : b;
    assert.equal(errorOf(loser.json).type, 'CommitFailedException');
    const winnerId = a.status === 200 ? 101n : 202n;
    const reloaded = metadataOf((await call('GET', '/v1/namespaces/race/tables/t')).json);
    assert.equal(reloaded['current-snapshot-id'], Number(winnerId)); // small ids parse as numbers
    const retried = await call('POST', '/v1/namespaces/race/tables/t', appendChange(reloaded, 303n, winnerId, 2));
    assert.equal(retried.status, 200, retried.text);
    assert.equal((metadataOf(retried.json)['snapshots'] as Json[]).length, 2);
  });

  test('transactions/commit takes one table change; more are 406', async () => {
    await call('POST', '/v1/namespaces', { namespace: ['tx'] });
    await call('POST', '/v1/namespaces/tx/tables', { name: 't', schema: SCHEMA });
    const one = await call('POST', '/v1/transactions/commit', {
      'table-changes': [{ identifier: { namespace: ['tx'], name: 't' }, requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] }],
    });
    assert.equal(one.status, 204);
    assert.equal((metadataOf((await call('GET', '/v1/namespaces/tx/tables/t')).json)['properties'] as Json)['k'], 'v');
    const two = await call('POST', '/v1/transactions/commit', { 'table-changes': [{}, {}] });
    assert.equal(two.status, 406);
    assert.equal(errorOf(two.json).type, 'UnsupportedOperationException');
  });

  describe('governance', () => {
    before(async () => {
      const { policies } = server.context.governance;
      await call('POST', '/v1/namespaces', { namespace: ['gov'] });
      for (const name of ['masked', 'open', 'hidden']) await call('POST', '/v1/namespaces/gov/tables', { name, schema: SCHEMA });
      const analystGrantee = { kind: 'principal', name: 'analyst' } as const;
      for (const table of ['masked', 'open']) {
        await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'gov', table }, grantee: analystGrantee, grantedBy: 'admin' });
        await policies.grant({ privilege: 'DESCRIBE', securable: { kind: 'table', database: 'gov', table }, grantee: analystGrantee, grantedBy: 'admin' });
      }
      await policies.grant({ privilege: 'INSERT', securable: { kind: 'table', database: 'gov', table: 'open' }, grantee: analystGrantee, grantedBy: 'admin' });
      await policies.createMask({ name: 'email_redact', function: { kind: 'redact' } });
      await policies.attachMask('email_redact', { kind: 'column', database: 'gov', table: 'masked', column: 'email' });
    });

    test('a principal sees only the tables it may DESCRIBE', async () => {
      const listed = await call('GET', '/v1/namespaces/gov/tables', undefined, analyst);
      assert.deepEqual((listed.json['identifiers'] as Json[]).map((t) => t['name']).sort(), ['masked', 'open']);
      assert.ok(((await call('GET', '/v1/namespaces', undefined, analyst)).json['namespaces'] as string[][]).some((n) => n[0] === 'gov'));
      assert.ok(!((await call('GET', '/v1/namespaces', undefined, analyst)).json['namespaces'] as string[][]).some((n) => n[0] === 'shop' || n[0] === 'race'));
    });

    test('loading a masked table is refused (403 ForbiddenException): REST clients read raw files', async () => {
      const refused = await call('GET', '/v1/namespaces/gov/tables/masked', undefined, analyst);
      assert.equal(refused.status, 403);
      assert.equal(errorOf(refused.json).type, 'ForbiddenException');
      assert.match(errorOf(refused.json).message, /query service/);
      assert.equal((await call('GET', '/v1/namespaces/gov/tables/open', undefined, analyst)).status, 200);
      assert.equal((await call('GET', '/v1/namespaces/gov/tables/hidden', undefined, analyst)).status, 403);
    });

    test('writes need their privileges; files outside the table are refused to non-administrators', async () => {
      const meta = metadataOf((await call('GET', '/v1/namespaces/gov/tables/open', undefined, analyst)).json);
      const alter = await call('POST', '/v1/namespaces/gov/tables/open', { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }, analyst);
      assert.equal(alter.status, 403);
      assert.match(errorOf(alter.json).message, /ALTER/);
      const outside = appendChange(meta, 5n, null, 1);
      ((outside['updates'] as Json[])[0] as { snapshot: Json }).snapshot['manifest-list'] = 'file:///elsewhere/snap.avro';
      const refused = await call('POST', '/v1/namespaces/gov/tables/open', outside, analyst);
      assert.equal(refused.status, 403);
      assert.match(errorOf(refused.json).message, /outside the table's location/);
      assert.equal((await call('POST', '/v1/namespaces', { namespace: ['mine'] }, analyst)).status, 403);
      assert.equal((await call('DELETE', '/v1/namespaces/gov/tables/open', undefined, analyst)).status, 403);
      assert.equal((await call('HEAD', '/v1/namespaces/gov/tables/open')).status, 204);
    });

    test('every decision is audited, refusals as denied', async () => {
      const events = await server.context.governance.audit.query({ principal: 'analyst' });
      const denied = events.filter((e) => e.decision === 'denied' && e.action === 'rest_load_table');
      assert.ok(denied.length >= 1);
      assert.ok(events.some((e) => e.decision === 'completed' && e.action === 'rest_load_table'));
    });
  });
});
