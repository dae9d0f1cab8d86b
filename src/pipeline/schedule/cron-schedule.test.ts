import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { datesBetween, dateInZone, latestTick, logicalDateOf, nextTick, scheduleProblem, ticksBetween } from './cron-schedule.ts';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number[]): string[] => ms.map((t) => new Date(t).toISOString());

describe('ticks', () => {
  const daily = { cron: '0 2 * * *' };

  test('ticksBetween is (after, until]: exclusive start, inclusive end', () => {
    assert.deepEqual(iso(ticksBetween(daily, at('2024-03-01T02:00:00Z'), at('2024-03-03T02:00:00Z'))), [
      '2024-03-02T02:00:00.000Z',
      '2024-03-03T02:00:00.000Z',
    ]);
    assert.deepEqual(ticksBetween(daily, at('2024-03-01T02:00:01Z'), at('2024-03-02T01:59:59Z')), []);
  });

  test('ticksBetween stops at the limit, keeping the earliest', () => {
    const ticks = ticksBetween({ cron: '*/5 * * * * *' }, at('2024-01-01T00:00:00Z'), at('2024-12-31T00:00:00Z'), 3);
    assert.deepEqual(iso(ticks), ['2024-01-01T00:00:05.000Z', '2024-01-01T00:00:10.000Z', '2024-01-01T00:00:15.000Z']);
  });

  test('nextTick is strictly after; latestTick is at or before', () => {
    assert.equal(nextTick(daily, at('2024-03-02T02:00:00Z')), at('2024-03-03T02:00:00Z'));
    assert.equal(latestTick(daily, at('2024-03-02T02:00:00Z')), at('2024-03-02T02:00:00Z'));
    assert.equal(latestTick(daily, at('2024-03-02T01:59:59.999Z')), at('2024-03-01T02:00:00Z'));
    assert.equal(latestTick(daily, at('2024-03-02T02:00:00.500Z')), at('2024-03-02T02:00:00Z'));
    assert.equal(latestTick({ cron: '0 0 0 29 2 *' }, at('2024-03-01T00:00:00Z')), at('2024-02-29T00:00:00Z'));
    assert.equal(latestTick({ cron: '0 0 0 1 1 * 2099' }, at('2024-03-01T00:00:00Z')), undefined);
    // Berlin, just before the 03:30 CEST tick of the gap day: the latest tick is the day before.
    assert.equal(latestTick({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, at('2024-03-31T01:29:00Z')), at('2024-03-30T01:30:00Z'));
    assert.equal(nextTick({ cron: '0 0 0 1 1 * 2020' }, at('2024-01-01T00:00:00Z')), undefined);
  });

  test('Europe/Berlin spring forward: 02:30 does not exist on 2024-03-31 and fires once, after the gap', () => {
    const ticks = ticksBetween({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, at('2024-03-29T12:00:00Z'), at('2024-04-01T12:00:00Z'));
    assert.deepEqual(iso(ticks), [
      '2024-03-30T01:30:00.000Z', // 02:30 CET
      '2024-03-31T01:30:00.000Z', // 03:30 CEST: first instant after the gap
      '2024-04-01T00:30:00.000Z', // 02:30 CEST
    ]);
    assert.deepEqual(
      ticks.map((t) => logicalDateOf({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, t)),
      ['2024-03-29', '2024-03-30', '2024-03-31'],
    );
  });

  test('Europe/Berlin fall back: the repeated 02:30 fires once, at its first occurrence', () => {
    const ticks = ticksBetween({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, at('2024-10-26T12:00:00Z'), at('2024-10-28T12:00:00Z'));
    assert.deepEqual(iso(ticks), ['2024-10-27T00:30:00.000Z', '2024-10-28T01:30:00.000Z']);
  });

  test('America/New_York: midnight moves in UTC across DST; the missing 02:00 hour has no tick', () => {
    const midnight = { cron: '0 0 * * *', timezone: 'America/New_York' };
    const ticks = ticksBetween(midnight, at('2024-03-08T12:00:00Z'), at('2024-03-11T12:00:00Z'));
    assert.deepEqual(iso(ticks), ['2024-03-09T05:00:00.000Z', '2024-03-10T05:00:00.000Z', '2024-03-11T04:00:00.000Z']);
    assert.equal(logicalDateOf(midnight, at('2024-03-11T04:00:00Z')), '2024-03-10');

    const hourly = ticksBetween({ cron: '0 * * * *', timezone: 'America/New_York' }, at('2024-03-10T05:30:00Z'), at('2024-03-10T08:30:00Z'));
    assert.deepEqual(iso(hourly), ['2024-03-10T06:00:00.000Z', '2024-03-10T07:00:00.000Z', '2024-03-10T08:00:00.000Z']);
    assert.deepEqual(hourly.map((t) => dateInZone(t, 'America/New_York')), ['2024-03-10', '2024-03-10', '2024-03-10']);
    // Looking back across the gap finds 01:00 EST, once (croner's own previousRuns repeats 03:00 EDT here).
    const hourlyNy = { cron: '0 * * * *', timezone: 'America/New_York' };
    assert.equal(latestTick(hourlyNy, at('2024-03-10T06:59:59Z')), at('2024-03-10T06:00:00Z'));
    assert.equal(latestTick(hourlyNy, at('2024-03-10T07:00:00Z') - 1000), at('2024-03-10T06:00:00Z'));
  });
});

describe('logicalDateOf', () => {
  test('a daily 02:00 tick processes the previous day', () => {
    assert.equal(logicalDateOf({ cron: '0 2 * * *' }, at('2024-03-02T02:00:00Z')), '2024-03-01');
    assert.equal(logicalDateOf({ cron: '0 2 * * *' }, at('2024-03-01T02:00:00Z')), '2024-02-29');
  });

  test('a time between ticks (a manual run) processes the last completed interval', () => {
    assert.equal(logicalDateOf({ cron: '0 2 * * *' }, at('2024-03-02T10:00:00Z')), '2024-03-01');
    assert.equal(logicalDateOf({ cron: '0 2 * * *' }, at('2024-03-02T01:00:00Z')), '2024-02-29');
  });

  test('hourly: the midnight tick processes the previous day', () => {
    assert.equal(logicalDateOf({ cron: '0 * * * *' }, at('2024-03-02T00:00:00Z')), '2024-03-01');
    assert.equal(logicalDateOf({ cron: '0 * * * *' }, at('2024-03-02T01:00:00Z')), '2024-03-02');
  });

  test('the time zone decides the date (Asia/Tokyo differs from UTC)', () => {
    const tokyo = { cron: '30 0 * * *', timezone: 'Asia/Tokyo' };
    // 2024-03-03 00:30 JST; the previous tick is 2024-03-02 00:30 JST = 2024-03-01 15:30 UTC.
    const tick = at('2024-03-02T15:30:00Z');
    assert.equal(nextTick(tokyo, at('2024-03-02T15:00:00Z')), tick);
    assert.equal(logicalDateOf(tokyo, tick), '2024-03-02');
    assert.equal(dateInZone(at('2024-03-01T15:30:00Z'), 'UTC'), '2024-03-01');
  });

  test('weekly: the Monday tick processes the previous Monday', () => {
    assert.equal(logicalDateOf({ cron: '0 6 * * MON', timezone: 'Europe/Berlin' }, at('2024-03-11T05:00:00Z')), '2024-03-04');
  });
});

describe('scheduleProblem', () => {
  test('reports bad cron and unknown zones, accepts good ones', () => {
    assert.equal(scheduleProblem({ cron: '0 2 * * *', timezone: 'Europe/Berlin' }), undefined);
    assert.equal(scheduleProblem({ cron: '*/10 * * * * *' }), undefined);
    assert.equal(scheduleProblem({ cron: '@daily' }), undefined);
    assert.match(scheduleProblem({ cron: '0 25 * * *' }) ?? '', /invalid cron/);
    assert.match(scheduleProblem({ cron: 'every day' }) ?? '', /invalid cron/);
    assert.match(scheduleProblem({ cron: '0 2 * * *', timezone: 'Europe/Nowhere' }) ?? '', /unknown time zone/);
  });

  test('using an invalid schedule is PIPELINE_INVALID', () => {
    assert.throws(() => nextTick({ cron: '0 2 * * *', timezone: 'Nope/Nope' }, 0), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID'));
  });
});

describe('datesBetween', () => {
  test('inclusive ranges across month ends and leap days', () => {
    assert.deepEqual(datesBetween('2024-02-27', '2024-03-02'), ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
    assert.deepEqual(datesBetween('2024-05-05', '2024-05-05'), ['2024-05-05']);
    assert.equal(datesBetween('2000-01-01', '2010-01-07').length, 3660);
  });

  const bad: [string, string, RegExp][] = [
    ['2024-02-30', '2024-03-01', /from must be a date/],
    ['2024-03-01', '24-03-02', /to must be a date/],
    ['2024-03-02', '2024-03-01', /ends before it starts/],
    ['2000-01-01', '2010-01-08', /3661 days/],
  ];
  for (const [from, to, message] of bad) {
    test(`rejects ${from}..${to}`, () => {
      assert.throws(() => datesBetween(from, to), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT') && message.test(e.message));
    });
  }
});
