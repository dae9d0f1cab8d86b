/**
 * Webhook signatures: `x-strata-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 *
 * The timestamp (`x-strata-timestamp`, unix seconds) is INSIDE the signed text, so a captured
 * request cannot be replayed later with a fresh timestamp; receivers should also refuse old
 * timestamps (`maxAgeSeconds`). Sign and verify the raw body bytes exactly as sent — re-serialising
 * parsed JSON changes whitespace or key order and breaks the signature.
 *
 *   // receiver
 *   const ok = verifySignature(secret, req.headers['x-strata-timestamp'], rawBody, req.headers['x-strata-signature'], { maxAgeSeconds: 300 });
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_PREFIX = 'sha256=';

/** The `x-strata-signature` header value for a body sent at `timestamp` (unix seconds). */
export function signPayload(secret: string, timestamp: number | string, body: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export interface VerifyOptions {
  /** Refuse timestamps further than this from `nowMs` (either direction). */
  readonly maxAgeSeconds?: number;
  readonly nowMs?: number;
}

/**
 * True when `header` is the signature of `body` at `timestamp` under `secret`. Compares in constant
 * time; any missing or malformed part is simply `false` (fails closed, never throws).
 */
export function verifySignature(
  secret: string,
  timestamp: number | string | undefined,
  body: string,
  header: string | undefined,
  options: VerifyOptions = {},
): boolean {
  if (secret === '' || timestamp === undefined || header === undefined) return false;
  const stamp = String(timestamp);
  if (!/^\d{1,12}$/.test(stamp)) return false;
  if (options.maxAgeSeconds !== undefined) {
    const now = (options.nowMs ?? Date.now()) / 1000;
    if (Math.abs(now - Number(stamp)) > options.maxAgeSeconds) return false;
  }
  const expected = Buffer.from(signPayload(secret, stamp, body), 'utf8');
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
