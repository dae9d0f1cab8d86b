import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBytes } from '../serde/single-value.ts';
import { truncateLowerBinary, truncateLowerString, truncateUpperBinary, truncateUpperString } from './bound-truncation.ts';

const utf8 = new TextEncoder();

describe('string bounds', () => {
  test('values of at most 16 code points are kept whole', () => {
    assert.equal(truncateLowerString('🎉'.repeat(16)), '🎉'.repeat(16));
    assert.equal(truncateUpperString('🎉'.repeat(16)), '🎉'.repeat(16));
  });

  test('longer values: a 16 code point prefix, incremented for the upper bound', () => {
    assert.equal(truncateLowerString('abcdefghijklmnopqrstuvwxyz'), 'abcdefghijklmnop');
    assert.equal(truncateUpperString('abcdefghijklmnopqrstuvwxyz'), 'abcdefghijklmnoq');
    // Surrogate pairs count as one code point.
    assert.equal(truncateLowerString('🎉'.repeat(20)), '🎉'.repeat(16));
    assert.equal(truncateUpperString('🎉'.repeat(20)), `${'🎉'.repeat(15)}🎊`);
  });

  test('a code point that cannot be incremented is dropped; none at all → no upper bound', () => {
    assert.equal(truncateUpperString(`ab${'\u{10FFFF}'.repeat(20)}`), 'ac');
    assert.equal(truncateUpperString('\u{10FFFF}'.repeat(17)), undefined);
  });

  test('incrementing across the surrogate block gives U+E000, still a valid upper bound', () => {
    const value = `${'a'.repeat(15)}\u{D7FF}zz`;
    const upper = truncateUpperString(value) ?? '';
    assert.equal(upper, `${'a'.repeat(15)}\u{E000}`);
    assert.ok(compareBytes(utf8.encode(value), utf8.encode(upper)) < 0);
  });
});

describe('binary bounds', () => {
  test('prefix of 16 bytes; upper bound increments the last byte below 0xFF', () => {
    const value = Uint8Array.from({ length: 20 }, (_, i) => (i === 15 ? 0xff : i));
    assert.deepEqual(truncateLowerBinary(value), value.slice(0, 16));
    const upper = truncateUpperBinary(value) ?? new Uint8Array();
    assert.deepEqual(upper, Uint8Array.from({ length: 15 }, (_, i) => (i === 14 ? 15 : i)));
    assert.ok(compareBytes(value, upper) < 0);
    assert.equal(truncateUpperBinary(new Uint8Array(17).fill(0xff)), undefined);
    assert.deepEqual(truncateUpperBinary(Uint8Array.of(1, 2)), Uint8Array.of(1, 2));
  });
});
