/**
 * Webhook delivery: POST a JSON event to a URL, signed, retried with backoff, never throwing.
 *
 * Body: `{ "id", "type", "createdAt", "payload" }` (bigint values as decimal strings). The `id` is
 * the delivery id, the same on every retry, so a receiver that saw it already can drop the
 * duplicate: delivery is at-least-once.
 *
 * Retry policy: network errors, timeouts, 408, 429 and 5xx are retried; any other 4xx is final —
 * the request itself is wrong and will be refused again. Redirects are NOT followed (a 3xx is
 * final): following one would re-send the signed event to a host nobody configured. The wait before attempt n+1 is
 * uniform in [0, min(maxDelayMs, initialDelayMs × 2^(n−1))] (FULL jitter, so a burst of failed
 * deliveries does not retry in lockstep), except when the response carries `Retry-After` (seconds
 * or an HTTP date), which is honoured up to maxDelayMs.
 *
 * A failed delivery is a result (`delivered: false`, with the last status or error) and a log line:
 * a broken receiver must never fail the pipeline run that notifies it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { signPayload } from './webhook-signature.ts';

export interface WebhookClock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface WebhookNotifierOptions {
  readonly fetch?: typeof fetch;
  readonly clock?: WebhookClock;
  /** Uniform in [0, 1); the jitter source. */
  readonly random?: () => number;
  /** Attempts in all, the first included (default 5). */
  readonly maxAttempts?: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Per attempt: connect, send and response headers (default 10 000). */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface WebhookTarget {
  readonly url: string;
  /** HMAC key; without one, no `x-strata-signature` header is sent. */
  readonly secret?: string;
}

export interface WebhookEvent {
  /** e.g. `run.succeeded`, `run.failed`, `quality.failed`. */
  readonly type: string;
  /** Delivery id; a UUID is made when absent. Pass your own to make re-sends idempotent. */
  readonly id?: string;
  readonly payload: unknown;
}

export interface DeliveryResult {
  readonly delivered: boolean;
  readonly attempts: number;
  /** The last HTTP status received, if any. */
  readonly status?: number;
  /** Why the last attempt failed (absent when delivered). */
  readonly error?: string;
  /** The delivery id sent in the body and `x-strata-delivery`. */
  readonly id: string;
}

export const WEBHOOK_USER_AGENT = 'strata-webhooks/1';

const SYSTEM_CLOCK: WebhookClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? {} : { signal }),
};

type Attempt =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'final'; readonly status?: number; readonly error: string }
  | { readonly kind: 'retry'; readonly status?: number; readonly error: string; readonly retryAfterMs?: number };

export class WebhookNotifier {
  readonly #fetch: typeof fetch;
  readonly #clock: WebhookClock;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #log: (line: string) => void;

  constructor(options: WebhookNotifierOptions = {}) {
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#random = options.random ?? Math.random;
    this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
    this.#initialDelayMs = Math.max(0, options.initialDelayMs ?? 500);
    this.#maxDelayMs = Math.max(this.#initialDelayMs, options.maxDelayMs ?? 30_000);
    this.#timeoutMs = Math.max(1, options.timeoutMs ?? 10_000);
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Delivers one event; resolves with what happened, never rejects. */
  async deliver(target: WebhookTarget, event: WebhookEvent): Promise<DeliveryResult> {
    const id = event.id ?? randomUUID();
    const where = describeUrl(target.url);
    let body: string;
    try {
      if (where === undefined) throw new Error(`not an http(s) URL: ${JSON.stringify(target.url)}`);
      body = JSON.stringify({ id, type: event.type, createdAt: new Date(this.#clock.now()).toISOString(), payload: event.payload }, bigintAsString);
    } catch (error) {
      const result = { delivered: false, attempts: 0, error: messageOf(error), id };
      this.#log(`webhook ${event.type} ${id} to ${where ?? 'an invalid URL'} not sent: ${result.error}`);
      return result;
    }
    for (let attempt = 1; ; attempt++) {
      const last = await this.#attempt(target, event.type, id, body);
      if (last.kind === 'delivered') {
        if (attempt > 1) this.#log(`webhook ${event.type} ${id} to ${where} delivered on attempt ${attempt} (${last.status})`);
        return { delivered: true, attempts: attempt, status: last.status, id };
      }
      if (last.kind === 'final' || attempt === this.#maxAttempts) {
        const why = last.kind === 'final' ? 'not retryable' : `gave up after ${attempt} attempts`;
        this.#log(`webhook ${event.type} ${id} to ${where} failed (${why}): ${last.error}`);
        return { delivered: false, attempts: attempt, ...(last.status === undefined ? {} : { status: last.status }), error: last.error, id };
      }
      const wait = this.#backoff(attempt, last.retryAfterMs);
      this.#log(`webhook ${event.type} ${id} to ${where} attempt ${attempt} failed: ${last.error}; retrying in ${wait} ms`);
      try {
        await this.#clock.sleep(wait);
      } catch (error) {
        return { delivered: false, attempts: attempt, ...(last.status === undefined ? {} : { status: last.status }), error: `retry wait interrupted: ${messageOf(error)}`, id };
      }
    }
  }

  async #attempt(target: WebhookTarget, type: string, id: string, body: string): Promise<Attempt> {
    const timestamp = Math.floor(this.#clock.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'x-strata-event': type,
      'x-strata-delivery': id,
      'x-strata-timestamp': String(timestamp),
    };
    if (target.secret !== undefined && target.secret !== '') headers['x-strata-signature'] = signPayload(target.secret, timestamp, body);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs);
    try {
      const response = await this.#fetch(target.url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'manual' });
      // Free the connection: the receiver's answer body is not used.
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      if (status >= 200 && status < 300) return { kind: 'delivered', status };
      const error = `HTTP ${status}`;
      if (status === 408 || status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#clock.now());
        return { kind: 'retry', status, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
      return { kind: 'final', status, error };
    } catch (error) {
      const reason = controller.signal.aborted ? messageOf(controller.signal.reason) : messageOf(error);
      return { kind: 'retry', error: reason };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Full jitter below the exponential cap, or the receiver's Retry-After (capped). */
  #backoff(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(this.#maxDelayMs, retryAfterMs);
    const cap = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.#random() * cap);
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Scheme, host and path only: query strings often carry tokens that must not reach the logs. */
function describeUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.origin}${u.pathname}` : undefined;
  } catch {
    return undefined;
  }
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
