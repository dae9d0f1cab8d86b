import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { StrataServer } from './strata-server.ts';
import { startTestServer, type TestServer } from './testing/test-server.ts';

describe('strata serve: the HTTP foundation', () => {
  let running: TestServer;
  let server: StrataServer;
  let token: string;
  const logs: string[] = [];
  before(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    running = await startTestServer(undefined, { logStream, logLevel: 'info', bodyLimitBytes: 4096 });
    server = running.server;
    token = running.adminToken;
  });
  after(async () => running.close());

  test('listens on loopback; health and readiness are public', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${server.url}/readyz`)).json(), { status: 'ready' });
  });

  test('serves an OpenAPI 3.1 document at /openapi.json', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(Object.keys(doc.paths).includes('/readyz'));
  });

  test('unknown routes are 404 with the JSON error body and a request id', async () => {
    const response = await fetch(`${server.url}/nope`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    assert.equal(body.error.code, 'OBJECT_NOT_FOUND');
    assert.equal(body.error.requestId, response.headers.get('x-request-id'));
  });

  test('logs are JSON lines carrying the request id', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(response.headers.get('x-request-id'), 'trace-123');
    await new Promise((r) => setTimeout(r, 50));
    const parsed = logs.map((line) => JSON.parse(line) as { reqId?: string });
    assert.ok(parsed.some((l) => l.reqId === 'trace-123'));
  });

  test('/metrics is Prometheus text with HTTP request latency by route and status', async () => {
    await fetch(`${server.url}/healthz`);
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /strata_http_request_duration_seconds_bucket\{[^}]*route="\/healthz"[^}]*status="200"/);
    assert.match(text, /strata_process_/);
    assert.match(text, /# TYPE strata_commits_total counter/);
    assert.match(text, /# TYPE strata_commit_conflicts_total counter/);
  });

  test('authentication: missing, malformed, unknown and wrong tokens get 401; bad tokens one identical answer', async () => {
    const answers: string[] = [];
    for (const header of [undefined, 'Basic abc', 'Bearer strata_0000000000000000_nope', `Bearer ${token}x`]) {
      const response = await fetch(`${server.url}/api/v1/queries`, { headers: header ? { authorization: header } : {} });
      const body = (await response.json()) as { error: { code: string; message: string } };
      answers.push(`${response.status} ${body.error.code} ${body.error.message}`);
    }
    assert.ok(answers.every((a) => a.startsWith('401 UNAUTHENTICATED ')), answers.join('\n'));
    assert.equal(new Set(answers.slice(2)).size, 1, 'an unknown and a wrong token are told apart by nothing');
    const ok = await fetch(`${server.url}/api/v1/queries`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
  });

  test('oversize bodies get 413 with the JSON error body, never a crash', async () => {
    const response = await fetch(`${server.url}/api/v1/queries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: `SELECT '${'y'.repeat(10_000)}'` }),
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'REQUEST_TOO_LARGE');
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
  });
});
