import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookNotifier, parseRetryAfter, type WebhookClock } from './webhook-notifier.ts';
import { verifySignature } from './webhook-signature.ts';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Reply = (res: ServerResponse) => void;
const status = (code: number, headers: Record<string, string> = {}): Reply => (res) => res.writeHead(code, headers).end('{}');
const hang: Reply = () => undefined; // never answers

/** A real HTTP receiver on 127.0.0.1 answering with scripted replies, then 200. */
class Receiver {
  readonly received: Received[] = [];
  replies: Reply[] = [];
  #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      (this.replies.shift() ?? status(200))(res);
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks/strata?token=s3cr3t`;
  }
  reset(): void {
    this.received.length = 0;
    this.replies = [];
  }
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A clock that records the waits instead of waiting. */
function fakeClock(start = Date.UTC(2026, 2, 1, 2, 0, 0)): WebhookClock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('WebhookNotifier against a real HTTP server', () => {
  const receiver = new Receiver();
  let clock: ReturnType<typeof fakeClock>;
  let logs: string[];
  const notifier = (options: ConstructorParameters<typeof WebhookNotifier>[0] = {}) =>
    new WebhookNotifier({ clock, random: () => 0.5, log: (l) => logs.push(l), ...options });

  before(() => receiver.start());
  after(() => receiver.stop());
  beforeEach(() => {
    receiver.reset();
    clock = fakeClock();
    logs = [];
  });

  test('sends a signed JSON event the receiver can verify', async () => {
    const result = await notifier().deliver(
      { url: receiver.url, secret: 'whsec_test' },
      { type: 'run.succeeded', payload: { runId: 'r1', snapshotId: 9_007_199_254_740_993n, rows: 12 } },
    );
    assert.equal(result.delivered, true);
    assert.equal(result.attempts, 1);
    assert.equal(result.status, 200);
    assert.equal(receiver.received.length, 1);
    const [got] = receiver.received;
    assert.ok(got);
    const h = got.headers;
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['user-agent'], 'strata-webhooks/1');
    assert.equal(h['x-strata-event'], 'run.succeeded');
    assert.equal(h['x-strata-timestamp'], String(Math.floor(clock.now() / 1000)));
    const body = JSON.parse(got.body) as { id: string; type: string; createdAt: string; payload: Record<string, unknown> };
    assert.equal(h['x-strata-delivery'], body.id);
    assert.equal(result.id, body.id);
    assert.match(body.id, /^[0-9a-f-]{36}$/);
    assert.equal(body.type, 'run.succeeded');
    assert.equal(body.createdAt, '2026-03-01T02:00:00.000Z');
    assert.deepEqual(body.payload, { runId: 'r1', snapshotId: '9007199254740993', rows: 12 }, 'bigint as an exact string');

    const signature = String(h['x-strata-signature']);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifySignature('whsec_test', String(h['x-strata-timestamp']), got.body, signature), true);
    assert.equal(verifySignature('wrong-secret', String(h['x-strata-timestamp']), got.body, signature), false);
    assert.equal(verifySignature('whsec_test', String(h['x-strata-timestamp']), got.body.replace('r1', 'r2'), signature), false);
  });

  test('sends no signature without a secret, and keeps a given delivery id', async () => {
    const result = await notifier().deliver({ url: receiver.url }, { type: 'quality.failed', id: 'dq-123', payload: null });
    assert.equal(result.delivered, true);
    assert.equal(receiver.received[0]?.headers['x-strata-signature'], undefined);
    assert.equal(receiver.received[0]?.headers['x-strata-delivery'], 'dq-123');
  });

  test('retries after two 503s and succeeds on the third attempt, same delivery id, full-jitter waits', async () => {
    receiver.replies = [status(503), status(503)];
    const result = await notifier({ initialDelayMs: 500 }).deliver({ url: receiver.url, secret: 'k' }, { type: 'run.failed', payload: { n: 1 } });
    assert.deepEqual({ delivered: result.delivered, attempts: result.attempts, status: result.status }, { delivered: true, attempts: 3, status: 200 });
    assert.equal(receiver.received.length, 3);
    const ids = new Set(receiver.received.map((r) => r.headers['x-strata-delivery']));
    assert.equal(ids.size, 1, 'the delivery id is stable across retries');
    assert.equal(new Set(receiver.received.map((r) => JSON.parse(r.body).id as string)).size, 1);
    // random() = 0.5 → half of the exponential caps 500, 1000.
    assert.deepEqual(clock.sleeps, [250, 500]);
    for (const r of receiver.received) assert.equal(verifySignature('k', String(r.headers['x-strata-timestamp']), r.body, String(r.headers['x-strata-signature'])), true, 'each retry is signed with its own timestamp');
    assert.ok(logs.some((l) => l.includes('delivered on attempt 3')));
  });

  test('full jitter spans [0, cap] and the cap stops at maxDelayMs', async () => {
    receiver.replies = [status(500), status(500), status(500), status(500)];
    let r = 0;
    const randoms = [0, 0.999, 0.999, 0.999];
    const result = await notifier({ random: () => randoms[r++] ?? 0, initialDelayMs: 100, maxDelayMs: 300, maxAttempts: 5 }).deliver({ url: receiver.url }, { type: 't', payload: {} });
    assert.equal(result.delivered, true);
    assert.deepEqual(clock.sleeps, [0, 199, 299, 299]);
  });

  test('gives up after maxAttempts with a result, not a throw', async () => {
    receiver.replies = [status(500), status(502), status(504)];
    const result = await notifier({ maxAttempts: 3 }).deliver({ url: receiver.url }, { type: 'run.failed', payload: {} });
    assert.deepEqual({ delivered: result.delivered, attempts: result.attempts, status: result.status, error: result.error }, { delivered: false, attempts: 3, status: 504, error: 'HTTP 504' });
    assert.equal(receiver.received.length, 3);
    assert.equal(clock.sleeps.length, 2, 'no wait after the last attempt');
    const failure = logs.find((l) => l.includes('gave up after 3 attempts'));
    assert.ok(failure, logs.join('\n'));
    assert.ok(!failure.includes('s3cr3t'), 'the query string (often a token) stays out of the logs');
  });

  test('does not retry a 400 (or any other 4xx)', async () => {
    receiver.replies = [status(400)];
    const result = await notifier().deliver({ url: receiver.url }, { type: 'run.failed', payload: {} });
    assert.deepEqual({ delivered: result.delivered, attempts: result.attempts, status: result.status }, { delivered: false, attempts: 1, status: 400 });
    assert.equal(receiver.received.length, 1);
    assert.deepEqual(clock.sleeps, []);
    receiver.reset();
    receiver.replies = [status(404)];
    assert.equal((await notifier().deliver({ url: receiver.url }, { type: 'x', payload: {} })).attempts, 1);
  });

  test('does not follow redirects (the signed event goes only where configured)', async () => {
    receiver.replies = [status(302, { location: 'http://127.0.0.1:1/elsewhere' })];
    const result = await notifier().deliver({ url: receiver.url, secret: 'k' }, { type: 'x', payload: {} });
    assert.deepEqual({ delivered: result.delivered, attempts: result.attempts, status: result.status }, { delivered: false, attempts: 1, status: 302 });
  });

  test('honours Retry-After on 429, capped by maxDelayMs; retries 408', async () => {
    receiver.replies = [status(429, { 'retry-after': '7' }), status(408)];
    const result = await notifier({ initialDelayMs: 1000 }).deliver({ url: receiver.url }, { type: 'x', payload: {} });
    assert.equal(result.attempts, 3);
    assert.equal(result.delivered, true);
    assert.deepEqual(clock.sleeps, [7000, 1000], 'Retry-After seconds, then full jitter (0.5 × 2000)');

    receiver.reset();
    clock.sleeps.length = 0;
    receiver.replies = [status(429, { 'retry-after': '3600' })];
    await notifier({ maxDelayMs: 5000 }).deliver({ url: receiver.url }, { type: 'x', payload: {} });
    assert.deepEqual(clock.sleeps, [5000]);
  });

  test('times out a receiver that never answers, and retries', async () => {
    receiver.replies = [hang, hang];
    const result = await notifier({ timeoutMs: 50, maxAttempts: 2 }).deliver({ url: receiver.url }, { type: 'x', payload: {} });
    assert.equal(result.delivered, false);
    assert.equal(result.attempts, 2);
    assert.equal(result.status, undefined);
    assert.match(result.error ?? '', /timed out after 50 ms/);
    assert.equal(receiver.received.length, 2);
  });

  test('retries network errors (nothing listening) and reports them', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await notifier({ maxAttempts: 2 }).deliver({ url: `http://127.0.0.1:${port}/` }, { type: 'x', payload: {} });
    assert.equal(result.delivered, false);
    assert.equal(result.attempts, 2);
    assert.match(result.error ?? '', /fetch failed|ECONNREFUSED/);
  });

  test('never throws: bad URL, unserialisable payload, a throwing fetch', async () => {
    const bad = await notifier().deliver({ url: 'ftp://example.com/x' }, { type: 'x', payload: {} });
    assert.deepEqual({ d: bad.delivered, a: bad.attempts }, { d: false, a: 0 });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const unserialisable = await notifier().deliver({ url: receiver.url }, { type: 'x', payload: cyclic });
    assert.deepEqual({ d: unserialisable.delivered, a: unserialisable.attempts }, { d: false, a: 0 });
    const throwing = await notifier({
      maxAttempts: 2,
      fetch: () => {
        throw new Error('boom');
      },
    }).deliver({ url: receiver.url }, { type: 'x', payload: {} });
    assert.deepEqual({ d: throwing.delivered, a: throwing.attempts, e: throwing.error }, { d: false, a: 2, e: 'boom' });
    assert.equal(receiver.received.length, 0);
  });
});

test('parseRetryAfter reads seconds and HTTP dates', () => {
  const now = Date.UTC(2026, 2, 1, 0, 0, 0);
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
  assert.equal(parseRetryAfter(new Date(now - 30_000).toUTCString(), now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
});
