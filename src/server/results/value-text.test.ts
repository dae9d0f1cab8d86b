import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StrataError } from '../../core/index.ts';
import { decimalToUnscaled, readDecimal128, unscaledToDecimal, writeDecimal128 } from './decimal-text.ts';
import {
  civilFromDays,
  dateToEpochDays,
  daysFromCivil,
  epochDaysToIsoDate,
  epochToIsoTimestamp,
  timestampToEpoch,
} from './temporal-text.ts';

describe('temporal text', () => {
  test('dates agree with JS Date where JS Date is exact', () => {
    for (const iso of ['1970-01-01', '2024-02-29', '1900-03-01', '0001-01-01', '9999-12-31', '1969-12-31']) {
      const days = Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
      assert.equal(dateToEpochDays(iso), days, iso);
      assert.equal(epochDaysToIsoDate(days), iso);
    }
  });

  test('civil ↔ days round-trips across eras, including BC and far-future years', () => {
    for (const days of [-2_147_483_646, -719_528, -1, 0, 59, 2_932_896, 3_000_000, 2_147_483_646]) {
      const { year, month, day } = civilFromDays(days);
      assert.equal(daysFromCivil(year, month, day), days);
    }
  });

  test("DuckDB's BC and five-digit years become ISO expanded years", () => {
    assert.equal(epochDaysToIsoDate(dateToEpochDays('0044-03-15 (BC)')), '-000043-03-15');
    assert.equal(epochToIsoTimestamp(timestampToEpoch('12000-01-01 00:00:00', 'us'), 'us', false), '+012000-01-01T00:00:00');
    assert.equal(epochToIsoTimestamp(timestampToEpoch('0045-03-15 (BC) 10:00:00', 'us'), 'us', false), '-000044-03-15T10:00:00');
  });

  test('timestamps keep every microsecond / nanosecond and apply the zone offset', () => {
    assert.equal(timestampToEpoch('2024-01-31 10:15:00.123456', 'us'), 1_706_696_100_123_456n);
    assert.equal(timestampToEpoch('2024-01-31 12:15:00.5+02', 'us'), 1_706_696_100_500_000n);
    assert.equal(timestampToEpoch('2024-01-31 04:45:00-05:30', 'us'), 1_706_696_100_000_000n);
    assert.equal(timestampToEpoch('2024-01-31 10:15:00.123456789', 'ns'), 1_706_696_100_123_456_789n);
    assert.equal(epochToIsoTimestamp(1_706_696_100_500_000n, 'us', true), '2024-01-31T10:15:00.5Z');
    assert.equal(epochToIsoTimestamp(-1n, 'us', false), '1969-12-31T23:59:59.999999');
    assert.equal(epochToIsoTimestamp(1_706_696_100_123_456_789n, 'ns', false), '2024-01-31T10:15:00.123456789');
  });

  test('infinities survive', () => {
    for (const text of ['infinity', '-infinity']) {
      assert.equal(epochToIsoTimestamp(timestampToEpoch(text, 'us'), 'us', false), text);
      assert.equal(epochDaysToIsoDate(dateToEpochDays(text)), text);
    }
  });

  test('refuses text it would have to round or guess', () => {
    for (const bad of ['2024-13-01 00:00:00', 'yesterday', '2024-01-31 10:15:00.1234567']) {
      assert.throws(() => timestampToEpoch(bad, 'us'), (e: unknown) => e instanceof StrataError && e.code === 'INVALID_ARGUMENT');
    }
    assert.throws(() => dateToEpochDays('2024-01-31 10:00:00'), (e: unknown) => e instanceof StrataError && e.code === 'INVALID_ARGUMENT');
  });
});

describe('decimal text', () => {
  test('text ↔ unscaled ↔ Decimal128 words is exact to 38 digits', () => {
    const words = new Uint32Array(8);
    for (const [text, scale] of [
      ['-12.30', 2],
      ['0.00', 2],
      ['99999999999999999999999999999999999999', 0],
      ['-9999999999999999999.999999999999999999', 18],
      ['0.000000000000000001', 18],
    ] as const) {
      const unscaled = decimalToUnscaled(text, scale);
      writeDecimal128(words, 1, unscaled);
      assert.equal(unscaledToDecimal(readDecimal128(words, 1), scale), text);
    }
  });

  test('pads short fractions and refuses ones that would round', () => {
    assert.equal(decimalToUnscaled('1.5', 3), 1500n);
    assert.equal(decimalToUnscaled(7n, 2), 700n);
    assert.throws(() => decimalToUnscaled('1.234', 2), (e: unknown) => e instanceof StrataError && e.code === 'INVALID_ARGUMENT');
    assert.throws(() => decimalToUnscaled('abc', 2), (e: unknown) => e instanceof StrataError && e.code === 'INVALID_ARGUMENT');
  });
});
