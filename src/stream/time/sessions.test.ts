import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addToSessions, type Session } from './sessions.ts';

const add = (a: number, b: number): number => a + b;
const bounds = (sessions: readonly Session<number>[]): [number, number, number][] => sessions.map((x) => [Number(x.start), Number(x.end), x.value]);

test('an event opens [t, t + gap); an event inside a session extends it; touching does not merge', () => {
  let sessions = addToSessions<number>([], 10n, 5n, 1, add);
  assert.deepEqual(bounds(sessions), [[10, 15, 1]]);
  sessions = addToSessions(sessions, 14n, 5n, 1, add);
  assert.deepEqual(bounds(sessions), [[10, 19, 2]]);
  sessions = addToSessions(sessions, 19n, 5n, 1, add);
  assert.deepEqual(bounds(sessions), [
    [10, 19, 2],
    [19, 24, 1],
  ]);
});

test('an out-of-order event extends a session backwards and can bridge two sessions', () => {
  let sessions = addToSessions<number>([], 10n, 5n, 1, add);
  sessions = addToSessions(sessions, 30n, 5n, 10, add);
  sessions = addToSessions(sessions, 6n, 5n, 100, add);
  assert.deepEqual(bounds(sessions), [
    [6, 15, 101],
    [30, 35, 10],
  ]);
  sessions = addToSessions(sessions, 20n, 5n, 1000, add);
  assert.deepEqual(bounds(sessions), [
    [6, 15, 101],
    [20, 25, 1000],
    [30, 35, 10],
  ]);
  sessions = addToSessions(sessions, 26n, 5n, 5000, add); // [26, 31) overlaps [20, 25)? no; [30, 35)? yes
  sessions = addToSessions(sessions, 13n, 8n, 7, add); // [13, 21) bridges [6, 15) and [20, 25)
  assert.deepEqual(bounds(sessions), [
    [6, 25, 1108],
    [26, 35, 5010],
  ]);
});

test('negative event times merge like any others', () => {
  assert.deepEqual(bounds(addToSessions(addToSessions<number>([], -10n, 5n, 1, add), -7n, 5n, 1, add)), [[-10, -2, 2]]);
});

test('property: sessions equal the gap-split of the sorted event times, whatever the arrival order', () => {
  fc.assert(
    fc.property(fc.array(fc.bigInt({ min: -200n, max: 200n }), { minLength: 1, maxLength: 40 }), fc.bigInt({ min: 1n, max: 30n }), (times, gap) => {
      let sessions: Session<number>[] = [];
      for (const t of times) sessions = addToSessions(sessions, t, gap, 1, add);
      // Independent: sort, split where the next event is at least `gap` after the previous one.
      const sorted = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const expected: [number, number, number][] = [];
      let first = sorted[0] as bigint;
      let last = first;
      let count = 1;
      for (const t of sorted.slice(1)) {
        if (t >= last + gap) {
          expected.push([Number(first), Number(last + gap), count]);
          first = t;
          count = 0;
        }
        last = t;
        count++;
      }
      expected.push([Number(first), Number(last + gap), count]);
      assert.deepEqual(bounds(sessions), expected);
    }),
    { numRuns: 300, seed: 8 },
  );
});
