import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { DEFAULT_RETRY_POLICY, backoffCeiling, backoffDelay, isRetryable, resolveRetryPolicy } from './retry-policy.ts';

describe('resolveRetryPolicy', () => {
  test('defaults', () => {
    const policy = resolveRetryPolicy({}, {});
    assert.deepEqual({ ...policy, retryOn: [...policy.retryOn] }, {
      maxAttempts: 3,
      initialDelayMs: 1000,
      maxDelayMs: 60_000,
      multiplier: 2,
      retryOn: ['COMMIT_CONFLICT', 'COMMIT_STATE_UNKNOWN', 'STORAGE_ERROR', 'STEP_TIMEOUT', 'QUERY_TIMEOUT', 'CATALOG_ERROR', 'UNKNOWN'],
    });
  });

  test('step settings win field by field over pipeline settings', () => {
    const policy = resolveRetryPolicy(
      { retries: { maxAttempts: 1 } },
      { retries: { maxAttempts: 5, multiplier: 3, retryOn: ['SQL_ERROR'] } },
    );
    assert.equal(policy.maxAttempts, 1);
    assert.equal(policy.multiplier, 3);
    assert.deepEqual(policy.retryOn, ['SQL_ERROR']);
    assert.equal(policy.initialDelayMs, 1000);
  });

  test('a raised initial delay lifts the default cap with it', () => {
    assert.equal(resolveRetryPolicy({ retries: { initialDelayMs: 120_000 } }, {}).maxDelayMs, 120_000);
  });
});

describe('backoffDelay (full jitter)', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 1000, maxDelayMs: 10_000, multiplier: 2 };
  const cases: [attempt: number, ceiling: number][] = [
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 10_000],
    [30, 10_000],
  ];
  for (const [attempt, ceiling] of cases) {
    test(`attempt ${attempt}: uniform in [0, ${ceiling}]`, () => {
      assert.equal(backoffCeiling(policy, attempt), ceiling);
      assert.equal(backoffDelay(policy, attempt, () => 0), 0);
      assert.equal(backoffDelay(policy, attempt, () => 0.5), Math.floor(0.5 * (ceiling + 1)));
      assert.equal(backoffDelay(policy, attempt, () => 0.999_999_999), ceiling);
    });
  }

  test('never outside the window, for any random value', () => {
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelay(policy, 3);
      assert.ok(delay >= 0 && delay <= 4000 && Number.isInteger(delay), `delay ${delay}`);
    }
  });

  test('zero initial delay retries at once', () => {
    assert.equal(backoffDelay({ ...policy, initialDelayMs: 0 }, 4, () => 0.9), 0);
  });
});

describe('isRetryable', () => {
  const policy = resolveRetryPolicy({}, {});
  test('transient codes and foreign errors are retried; deterministic failures are not', () => {
    assert.equal(isRetryable(new StrataError('COMMIT_CONFLICT', 'x'), policy), true);
    assert.equal(isRetryable(new StrataError('STEP_TIMEOUT', 'x'), policy), true);
    assert.equal(isRetryable(new TypeError('undefined is not a function'), policy), true);
    assert.equal(isRetryable('a string', policy), true);
    assert.equal(isRetryable(new StrataError('SQL_ERROR', 'x'), policy), false);
    assert.equal(isRetryable(new StrataError('ACCESS_DENIED', 'x'), policy), false);
    assert.equal(isRetryable(new StrataError('QUALITY_CHECK_FAILED', 'x'), policy), false);
  });

  test('an explicit retryOn replaces the list; cancellation is never retried', () => {
    const only = { retryOn: ['SQL_ERROR'] as const };
    assert.equal(isRetryable(new StrataError('SQL_ERROR', 'x'), only), true);
    assert.equal(isRetryable(new Error('boom'), only), false);
    assert.equal(isRetryable(new DOMException('stop', 'AbortError'), policy), false);
  });
});
