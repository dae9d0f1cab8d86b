/**
 * Cron arithmetic for schedules, on croner: when ticks fall, and which logical date a tick
 * processes.
 *
 * Logical dates follow Airflow's data intervals: a tick closes the interval that began at the
 * previous tick, and the run processes THAT interval. So the logical date (`ds`) of a tick is the
 * calendar date, in the schedule's time zone, of the previous tick: with `0 2 * * *` the tick at
 * 2024-03-02 02:00 processes 2024-03-01. Hourly: the 00:00 tick processes the previous day's
 * 23:00 hour, so its `ds` is the previous day.
 *
 * Gotchas:
 * - Times are epoch milliseconds; croner works in whole seconds, so a tick is always a whole second.
 * - DST follows croner: a wall time inside a spring-forward gap fires at the first valid instant
 *   after the gap (02:30 Berlin on the last Sunday of March fires at 03:30 CEST); a repeated
 *   autumn hour fires once, at its first occurrence.
 * - The time zone decides the date: a 23:30 UTC tick in Asia/Tokyo is already the next day.
 */
import { Cron } from 'croner';
import { StrataError, messageOf } from '../../core/index.ts';
import type { ScheduleDefinition } from '../definition/pipeline-definition.ts';
import { isIsoDate } from '../definition/templates.ts';

/** Most ticks `ticksBetween` returns unless told otherwise (a per-second cron over a year is 31M). */
export const DEFAULT_TICK_LIMIT = 10_000;
/** Longest `datesBetween` range (ten years), so a typo in a backfill cannot create a million runs. */
export const MAX_DATE_RANGE_DAYS = 3660;

const cache = new Map<string, Cron>();

/**
 * Why the schedule is unusable (bad cron, unknown time zone), or undefined when it is fine.
 * Used by validation so the message can name the pipeline.
 */
export function scheduleProblem(schedule: ScheduleDefinition): string | undefined {
  const timezone = schedule.timezone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return `unknown time zone "${timezone}"; use an IANA name such as Europe/Berlin or America/New_York`;
  }
  try {
    const cron = new Cron(schedule.cron, { timezone, paused: true });
    cron.nextRun(new Date(0));
  } catch (error) {
    return `invalid cron "${schedule.cron}": ${messageOf(error)}`;
  }
  return undefined;
}

/** The first tick strictly after `after` (ms), or undefined when the cron never fires again. */
export function nextTick(schedule: ScheduleDefinition, after: number): number | undefined {
  return cronOf(schedule).nextRun(new Date(after))?.getTime();
}

/** Farthest `latestTick` looks back (about 17 years; `0 0 29 2 MON` recurs every 28). */
const MAX_LOOKBACK_MS = 2 ** 29 * 1000;

/**
 * The last tick at or before `at` (ms), or undefined when there is none within ~17 years.
 *
 * Built on `nextRun` alone: croner's `previousRuns` misbehaves around DST changes (it can return
 * a tick after the reference, or the same tick twice). The search widens a window back from `at`
 * until it holds a tick, then bisects to the second: about 60 `nextRun` calls at worst.
 */
export function latestTick(schedule: ScheduleDefinition, at: number): number | undefined {
  const cron = cronOf(schedule);
  const end = Math.floor(at / 1000) * 1000;
  const next = (ms: number): number => cron.nextRun(new Date(ms))?.getTime() ?? Infinity;
  let width = 1000;
  while (next(end - width) > end) {
    if (width >= MAX_LOOKBACK_MS) return undefined;
    width *= 2;
  }
  // Invariant: next(low) <= end < next(high).
  let low = end - width;
  let high = end;
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (next(middle) <= end) low = middle;
    else high = middle;
  }
  return next(low);
}

/** Ticks in (afterExclusive, untilInclusive], ascending, at most `limit` of them (the earliest). */
export function ticksBetween(
  schedule: ScheduleDefinition,
  afterExclusive: number,
  untilInclusive: number,
  limit: number = DEFAULT_TICK_LIMIT,
): number[] {
  const ticks: number[] = [];
  let cursor = afterExclusive;
  while (ticks.length < limit) {
    const tick = nextTick(schedule, cursor);
    if (tick === undefined || tick > untilInclusive) break;
    ticks.push(tick);
    cursor = tick;
  }
  return ticks;
}

/**
 * The logical date (`YYYY-MM-DD`) the run at `tick` processes: the date, in the schedule's zone,
 * of the tick before the latest tick at or before `tick` (for a real tick: simply the previous
 * tick). A manual run at an arbitrary time thereby processes the last completed interval.
 */
export function logicalDateOf(schedule: ScheduleDefinition, tick: number): string {
  const timezone = schedule.timezone ?? 'UTC';
  const closing = latestTick(schedule, tick) ?? tick;
  const previous = latestTick(schedule, closing - 1000);
  return dateInZone(previous ?? closing, timezone);
}

/** The calendar date (`YYYY-MM-DD`) of an instant in an IANA time zone. */
export function dateInZone(ms: number, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(ms));
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/**
 * Every date from `from` to `to`, both included (`YYYY-MM-DD`), e.g. for a backfill.
 * Throws INVALID_ARGUMENT for a malformed date, `from` after `to`, or more than 3660 days.
 */
export function datesBetween(from: string, to: string): string[] {
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (!isIsoDate(value)) {
      throw new StrataError('INVALID_ARGUMENT', `${name} must be a date YYYY-MM-DD, got "${value}"`, { [name]: value });
    }
  }
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (start > end) {
    throw new StrataError('INVALID_ARGUMENT', `Date range ${from}..${to} ends before it starts; swap the dates`, { from, to });
  }
  const days = Math.round((end - start) / 86_400_000) + 1;
  if (days > MAX_DATE_RANGE_DAYS) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Date range ${from}..${to} spans ${days} days, more than ${MAX_DATE_RANGE_DAYS}; split it into smaller ranges`,
      { from, to, days },
    );
  }
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

function cronOf(schedule: ScheduleDefinition): Cron {
  const timezone = schedule.timezone ?? 'UTC';
  const key = `${timezone}\u0000${schedule.cron}`;
  let cron = cache.get(key);
  if (cron === undefined) {
    const problem = scheduleProblem(schedule);
    if (problem !== undefined) throw new StrataError('PIPELINE_INVALID', `Schedule: ${problem}`, { cron: schedule.cron, timezone });
    cron = new Cron(schedule.cron, { timezone, paused: true });
    if (cache.size > 1000) cache.clear();
    cache.set(key, cron);
  }
  return cron;
}
