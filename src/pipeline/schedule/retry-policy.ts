/**
 * Retries: how many attempts, how long between them, and which failures are worth another try.
 *
 * Backoff uses FULL jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): the delay
 * before the next attempt is uniform in [0, min(maxDelay, initialDelay × multiplier^(attempt−1))].
 * Spreading retries over the whole window is what keeps many failed runs from retrying in lockstep
 * against the same catalog or object store.
 *
 * Only transient failures are retried (see DEFAULT_RETRY_ON): a SQL error, an access denial or a
 * failed quality gate fails the same way again, so retrying only delays the alert.
 */
import { StrataError, type StrataErrorCode } from '../../core/index.ts';
import type { PipelineDefinition, RetryPolicy, StepDefinition } from '../definition/pipeline-definition.ts';

export type RetryCode = StrataErrorCode | 'UNKNOWN';

export interface ResolvedRetryPolicy {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly retryOn: readonly RetryCode[];
}

/** Transient failures; `UNKNOWN` = any error that is not a StrataError (a crashed function step). */
export const DEFAULT_RETRY_ON: readonly RetryCode[] = Object.freeze([
  'COMMIT_CONFLICT',
  'COMMIT_STATE_UNKNOWN',
  'STORAGE_ERROR',
  'STEP_TIMEOUT',
  'QUERY_TIMEOUT',
  'CATALOG_ERROR',
  'UNKNOWN',
] as const);

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  multiplier: 2,
  retryOn: DEFAULT_RETRY_ON,
});

/** Field by field: the step's setting, else the pipeline's, else the default. */
export function resolveRetryPolicy(
  step: Pick<StepDefinition, 'retries'>,
  pipeline: Pick<PipelineDefinition, 'retries'>,
): ResolvedRetryPolicy {
  const own: RetryPolicy = step.retries ?? {};
  const shared: RetryPolicy = pipeline.retries ?? {};
  const initialDelayMs = own.initialDelayMs ?? shared.initialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs;
  return Object.freeze({
    maxAttempts: own.maxAttempts ?? shared.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    initialDelayMs,
    // A raised initial delay with the default cap below it would make the cap win; keep the cap ≥ the start.
    maxDelayMs: Math.max(initialDelayMs, own.maxDelayMs ?? shared.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs),
    multiplier: own.multiplier ?? shared.multiplier ?? DEFAULT_RETRY_POLICY.multiplier,
    retryOn: Object.freeze([...(own.retryOn ?? shared.retryOn ?? DEFAULT_RETRY_POLICY.retryOn)]),
  });
}

/** The ceiling of the jitter window after `attempt` failed (1-based). */
export function backoffCeiling(policy: ResolvedRetryPolicy, attempt: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
}

/**
 * Milliseconds to wait after `attempt` (1-based, the attempt that just failed): a whole number
 * uniform in [0, ceiling]. `random` must return [0, 1) like Math.random (tests pass a fixed one).
 */
export function backoffDelay(policy: ResolvedRetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(policy, attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.min(ceiling, Math.floor(r * (Math.floor(ceiling) + 1)));
}

/** The code retries are decided on: a StrataError's code, else UNKNOWN. */
export function retryCodeOf(error: unknown): RetryCode {
  return error instanceof StrataError ? error.code : 'UNKNOWN';
}

/**
 * True when the failure's code is in `policy.retryOn`. A cancellation (an AbortError) is never
 * retried: someone asked the work to stop.
 */
export function isRetryable(error: unknown, policy: Pick<ResolvedRetryPolicy, 'retryOn'>): boolean {
  if (error instanceof Error && error.name === 'AbortError') return false;
  if (StrataError.is(error, 'QUERY_CANCELLED')) return false;
  return policy.retryOn.includes(retryCodeOf(error));
}
