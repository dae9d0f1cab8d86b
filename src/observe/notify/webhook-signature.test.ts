import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from './webhook-signature.ts';

const body = '{"id":"d1","type":"run.succeeded","createdAt":"2026-03-01T02:00:00.000Z","payload":{}}';
const ts = 1_772_330_400;

test('signPayload is HMAC-SHA256 over "<timestamp>.<body>", hex, sha256= prefixed', () => {
  const expected = createHmac('sha256', 'k').update(`${ts}.${body}`).digest('hex');
  assert.equal(signPayload('k', ts, body), `sha256=${expected}`);
  assert.equal(signPayload('k', String(ts), body), signPayload('k', ts, body));
});

test('verifySignature accepts the right signature and fails closed on everything else', () => {
  const header = signPayload('k', ts, body);
  assert.equal(verifySignature('k', ts, body, header), true);
  assert.equal(verifySignature('k', String(ts), body, header.toUpperCase().replace('SHA256=', 'sha256=')), true, 'hex case does not matter');
  assert.equal(verifySignature('k', ts + 1, body, header), false, 'the timestamp is signed');
  assert.equal(verifySignature('k', ts, `${body} `, header), false, 'the exact body bytes are signed');
  assert.equal(verifySignature('other', ts, body, header), false);
  assert.equal(verifySignature('', ts, body, signPayload('', ts, body)), false, 'an empty secret never verifies');
  assert.equal(verifySignature('k', ts, body, undefined), false);
  assert.equal(verifySignature('k', undefined, body, header), false);
  assert.equal(verifySignature('k', 'abc', body, header), false);
  assert.equal(verifySignature('k', ts, body, header.slice(0, -2)), false, 'a truncated signature');
  assert.equal(verifySignature('k', ts, body, 'sha1=deadbeef'), false);
});

test('verifySignature refuses stale or future timestamps when maxAgeSeconds is set', () => {
  const header = signPayload('k', ts, body);
  assert.equal(verifySignature('k', ts, body, header, { maxAgeSeconds: 300, nowMs: (ts + 299) * 1000 }), true);
  assert.equal(verifySignature('k', ts, body, header, { maxAgeSeconds: 300, nowMs: (ts + 301) * 1000 }), false);
  assert.equal(verifySignature('k', ts, body, header, { maxAgeSeconds: 300, nowMs: (ts - 301) * 1000 }), false);
});
