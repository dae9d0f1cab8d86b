import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StrataServer } from '../strata-server.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

describe('query routes in strata serve (lake result store)', () => {
  let server: StrataServer;
  let token: string;
  let running: TestServer;
  before(async () => {
    running = await startTestServer();
    server = running.server;
    token = running.adminToken;
  });
  after(async () => running.close());

  const call = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  test('submit, poll, page results and list history over a real socket', async () => {
    const started = await call('POST', '/api/v1/queries', { sql: 'SELECT range AS n FROM range(3)' });
    assert.equal(started.status, 202);
    const { id } = (await started.json()) as { id: string };
    assert.equal(started.headers.get('location'), `/api/v1/queries/${id}`);
    let state = '';
    while (!['succeeded', 'failed', 'cancelled'].includes(state)) {
      state = ((await (await call('GET', `/api/v1/queries/${id}`)).json()) as { state: string }).state;
    }
    assert.equal(state, 'succeeded');
    const page = await call('GET', `/api/v1/queries/${id}/results?limit=2`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-strata-next-offset'), '2');
    assert.equal(((await page.json()) as unknown[]).length, 2);
    const history = (await (await call('GET', '/api/v1/queries')).json()) as { queries: { id: string }[] };
    assert.ok(history.queries.some((q) => q.id === id));
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/v1/queries/{id}/results'] && doc.paths['/api/v1/workgroups/{name}/grants']);
  });
});
