import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastWindowEnd, nextWatermark, windowsOf } from './windows.ts';

const s = (seconds: number): bigint => BigInt(seconds) * 1_000_000n;

test('tumbling windows are aligned to the epoch; an event at a window end starts the next window', () => {
  assert.deepEqual(windowsOf({ type: 'tumbling', sizeMs: 10_000 }, s(25)), [{ start: s(20), end: s(30) }]);
  assert.deepEqual(windowsOf({ type: 'tumbling', sizeMs: 10_000 }, s(30)), [{ start: s(30), end: s(40) }]);
  assert.deepEqual(windowsOf({ type: 'tumbling', sizeMs: 10_000 }, s(29) + 999_999n), [{ start: s(20), end: s(30) }]);
});

test('negative event times align downwards', () => {
  assert.deepEqual(windowsOf({ type: 'tumbling', sizeMs: 10_000 }, s(-1)), [{ start: s(-10), end: s(0) }]);
  assert.deepEqual(windowsOf({ type: 'tumbling', sizeMs: 10_000 }, s(-10)), [{ start: s(-10), end: s(0) }]);
});

test('sliding windows: every window containing the event, earliest first', () => {
  const spec = { type: 'sliding', sizeMs: 10_000, slideMs: 5_000 } as const;
  assert.deepEqual(windowsOf(spec, s(12)), [
    { start: s(5), end: s(15) },
    { start: s(10), end: s(20) },
  ]);
  assert.deepEqual(windowsOf(spec, s(10)), [
    { start: s(5), end: s(15) },
    { start: s(10), end: s(20) },
  ]);
  // size not a multiple of slide
  assert.equal(windowsOf({ type: 'sliding', sizeMs: 10_000, slideMs: 3_000 }, s(10)).length, 3);
  for (const w of windowsOf({ type: 'sliding', sizeMs: 10_000, slideMs: 3_000 }, s(10))) assert.ok(w.start <= s(10) && s(10) < w.end);
});

test('last window end and watermark arithmetic', () => {
  assert.equal(lastWindowEnd({ type: 'sliding', sizeMs: 10_000, slideMs: 5_000 }, s(12)), s(20));
  assert.equal(lastWindowEnd({ type: 'session', gapMs: 3_000 }, s(12)), s(15));
  assert.equal(nextWatermark(undefined, undefined, 1000), undefined);
  assert.equal(nextWatermark(undefined, s(10), 2_000), s(8));
  assert.equal(nextWatermark(s(9), s(10), 2_000), s(9), 'never moves back');
  assert.equal(nextWatermark(s(7), s(10), 2_000), s(8));
});
