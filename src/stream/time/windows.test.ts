import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { floorDiv, isoOfMicros, lastWindowEnd, nextWatermark, windowsOf } from './windows.ts';

const s = (seconds: number): bigint => BigInt(seconds) * 1_000_000n;

describe('tumbling windows', () => {
  const spec = { type: 'tumbling', sizeMs: 10_000 } as const;

  test('are aligned to the epoch; an event exactly at a window end belongs to the next window', () => {
    assert.deepEqual(windowsOf(spec, s(25)), [{ start: s(20), end: s(30) }]);
    assert.deepEqual(windowsOf(spec, s(30)), [{ start: s(30), end: s(40) }]);
    assert.deepEqual(windowsOf(spec, s(30) - 1n), [{ start: s(20), end: s(30) }]);
    assert.deepEqual(windowsOf(spec, 0n), [{ start: 0n, end: s(10) }]);
  });

  test('negative event times align downwards (floor, not truncation)', () => {
    assert.deepEqual(windowsOf(spec, s(-1)), [{ start: s(-10), end: s(0) }]);
    assert.deepEqual(windowsOf(spec, -1n), [{ start: s(-10), end: s(0) }]);
    assert.deepEqual(windowsOf(spec, s(-10)), [{ start: s(-10), end: s(0) }]);
    assert.deepEqual(windowsOf(spec, s(-10) - 1n), [{ start: s(-20), end: s(-10) }]);
  });
});

describe('sliding windows', () => {
  test('every window containing the event, earliest first, starts on multiples of the slide', () => {
    const spec = { type: 'sliding', sizeMs: 10_000, slideMs: 5_000 } as const;
    assert.deepEqual(windowsOf(spec, s(12)), [
      { start: s(5), end: s(15) },
      { start: s(10), end: s(20) },
    ]);
    // At 15 s the window [5, 15) has ended: the event belongs to [10, 20) and [15, 25).
    assert.deepEqual(windowsOf(spec, s(15)), [
      { start: s(10), end: s(20) },
      { start: s(15), end: s(25) },
    ]);
    assert.deepEqual(windowsOf(spec, s(-3)), [
      { start: s(-10), end: s(0) },
      { start: s(-5), end: s(5) },
    ]);
  });

  test('a size that is not a multiple of the slide', () => {
    const spec = { type: 'sliding', sizeMs: 10_000, slideMs: 3_000 } as const;
    assert.deepEqual(windowsOf(spec, s(10)), [
      { start: s(3), end: s(13) },
      { start: s(6), end: s(16) },
      { start: s(9), end: s(19) },
    ]);
  });

  test('a slide longer than the size leaves gaps: an event in a gap has no window', () => {
    assert.deepEqual(windowsOf({ type: 'sliding', sizeMs: 2_000, slideMs: 5_000 }, s(3)), []);
    assert.deepEqual(windowsOf({ type: 'sliding', sizeMs: 2_000, slideMs: 5_000 }, s(6)), [{ start: s(5), end: s(7) }]);
  });

  test('property: exactly the windows [k·slide, k·slide + size) that contain t (checked by scanning k)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -10_000_000n, max: 10_000_000n }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (t, slideMs, extra) => {
        const sizeMs = slideMs + extra - 1; // size ≥ slide
        const size = BigInt(sizeMs) * 1000n;
        const slide = BigInt(slideMs) * 1000n;
        const expected: { start: bigint; end: bigint }[] = [];
        for (let k = -20_000n; k <= 20_000n; k++) {
          const start = k * slide;
          if (start <= t && t < start + size) expected.push({ start, end: start + size });
        }
        assert.deepEqual(windowsOf({ type: 'sliding', sizeMs, slideMs }, t), expected);
      }),
      { numRuns: 150, seed: 8 },
    );
  });
});

describe('watermarks', () => {
  test('nextWatermark = max(current, max event − lateness), never moving back', () => {
    assert.equal(nextWatermark(undefined, undefined, 1000), undefined);
    assert.equal(nextWatermark(s(3), undefined, 1000), s(3), 'an empty batch keeps the watermark');
    assert.equal(nextWatermark(undefined, s(10), 2_000), s(8));
    assert.equal(nextWatermark(s(9), s(10), 2_000), s(9), 'never moves back');
    assert.equal(nextWatermark(s(7), s(10), 2_000), s(8));
    assert.equal(nextWatermark(undefined, s(-10), 0), s(-10));
    assert.equal(nextWatermark(s(-20), s(-10), 5_000), s(-15));
  });

  test('lastWindowEnd: the watermark at which every window of an event is final', () => {
    assert.equal(lastWindowEnd({ type: 'tumbling', sizeMs: 10_000 }, s(12)), s(20));
    assert.equal(lastWindowEnd({ type: 'sliding', sizeMs: 10_000, slideMs: 5_000 }, s(12)), s(20));
    assert.equal(lastWindowEnd({ type: 'session', gapMs: 3_000 }, s(12)), s(15));
  });

  test('floorDiv and isoOfMicros handle negative times', () => {
    assert.equal(floorDiv(-1n, 10n), -1n);
    assert.equal(floorDiv(-10n, 10n), -1n);
    assert.equal(floorDiv(9n, 10n), 0n);
    assert.equal(isoOfMicros(-1n), '1969-12-31T23:59:59.999Z');
    assert.equal(isoOfMicros(s(60)), '1970-01-01T00:01:00.000Z');
  });
});
