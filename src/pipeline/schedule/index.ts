/** Time for pipelines: clocks, cron ticks and logical dates, retry policies. */
export { ManualClock, systemClock, type Clock } from './clock.ts';
export {
  DEFAULT_TICK_LIMIT,
  MAX_DATE_RANGE_DAYS,
  dateInZone,
  datesBetween,
  latestTick,
  logicalDateOf,
  nextTick,
  scheduleProblem,
  ticksBetween,
} from './cron-schedule.ts';
export {
  DEFAULT_RETRY_ON,
  DEFAULT_RETRY_POLICY,
  backoffCeiling,
  backoffDelay,
  isRetryable,
  resolveRetryPolicy,
  retryCodeOf,
  type ResolvedRetryPolicy,
  type RetryCode,
} from './retry-policy.ts';
