import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { Types } from '../schema/types.ts';
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { compareValues, deserializeValue, serializeValue, bigintToMinimalBytes, minimalBytesToBigint } from './single-value.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('serializeValue (spec Appendix D)', () => {
  const cases: Array<[PrimitiveType, IcebergValue, string]> = [
    [Types.boolean, true, '01'],
    [Types.boolean, false, '00'],
    [Types.int, 1, '01000000'],
    [Types.int, -2, 'feffffff'],
    [Types.date, 17486, '4e440000'],
    [Types.long, 1n, '0100000000000000'],
    [Types.timestamp, -1n, 'ffffffffffffffff'],
    [Types.float, 1, '0000803f'],
    [Types.double, -0, '0000000000000080'],
    [Types.string, 'héllo', '68c3a96c6c6f'],
    [Types.uuid, 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09677c4bbda4793f349cb785e7'],
    [Types.fixed(3), Uint8Array.of(1, 2, 3), '010203'],
    [Types.binary, new Uint8Array(0), ''],
    [Types.decimal(9, 2), 1420n, '058c'],
    [Types.decimal(9, 2), 0n, '00'],
    [Types.decimal(9, 2), 128n, '0080'],
    [Types.decimal(9, 2), -1n, 'ff'],
    [Types.decimal(9, 2), -128n, '80'],
    [Types.decimal(9, 2), -129n, 'ff7f'],
  ];
  for (const [type, value, expected] of cases) {
    test(`${type.kind} ${String(value)} → ${expected}`, () => {
      const bytes = serializeValue(type, value);
      assert.equal(hex(bytes), expected);
      const back = deserializeValue(type, bytes);
      if (typeof value === 'number' && Object.is(value, -0)) assert.ok(Object.is(back, -0));
      else assert.deepEqual(back, value);
    });
  }

  test('round-trips random decimals of every size', () => {
    for (let i = 0; i < 2000; i++) {
      const bits = BigInt(1 + Math.floor(Math.random() * 126));
      const v = (BigInt(Math.floor(Math.random() * 2 ** 52)) << (bits > 52n ? bits - 52n : 0n)) * (Math.random() < 0.5 ? -1n : 1n);
      const bytes = bigintToMinimalBytes(v);
      assert.equal(minimalBytesToBigint(bytes), v);
      if (bytes.length > 1) {
        // minimal: dropping the first byte must change the value
        assert.notEqual(minimalBytesToBigint(bytes.subarray(1)), v);
      }
    }
  });

  test('reads 4-byte bounds of promoted int → long and float → double columns', () => {
    assert.equal(deserializeValue(Types.long, serializeValue(Types.int, -5)), -5n);
    assert.equal(deserializeValue(Types.double, serializeValue(Types.float, 1.5)), 1.5);
  });

  test('rejects wrong JS shapes and corrupt lengths with stable codes', () => {
    assert.throws(() => serializeValue(Types.long, 1), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    assert.throws(() => serializeValue(Types.int, 2 ** 31), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    assert.throws(() => serializeValue(Types.fixed(2), Uint8Array.of(1)), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    assert.throws(() => deserializeValue(Types.int, Uint8Array.of(1)), (e) => StrataError.is(e, 'CORRUPT_FILE'));
  });
});

describe('compareValues', () => {
  test('strings compare by UTF-8 bytes, not UTF-16 units', () => {
    const bmpHigh = '\uffff'; // EF BF BF in UTF-8
    const astral = '\u{10000}'; // F0 90 80 80 in UTF-8, but a surrogate pair D800 in UTF-16
    assert.ok(bmpHigh > astral, 'JS order differs');
    assert.ok(compareValues(Types.string, bmpHigh, astral) < 0);
    assert.ok(compareValues(Types.string, 'ab', 'abc') < 0);
    assert.equal(compareValues(Types.string, 'abc', 'abc'), 0);
  });
  test('floats: -0.0 < 0.0, NaN greatest', () => {
    assert.ok(compareValues(Types.double, -0, 0) < 0);
    assert.ok(compareValues(Types.double, Infinity, NaN) < 0);
    assert.equal(compareValues(Types.float, NaN, NaN), 0);
  });
  test('binary and uuid unsigned by bytes', () => {
    assert.ok(compareValues(Types.binary, Uint8Array.of(0x7f), Uint8Array.of(0x80)) < 0);
    assert.ok(compareValues(Types.binary, Uint8Array.of(1), Uint8Array.of(1, 0)) < 0);
    assert.ok(compareValues(Types.uuid, '7fffffff-0000-0000-0000-000000000000', '80000000-0000-0000-0000-000000000000') < 0);
  });
  test('bigint types and null first', () => {
    assert.ok(compareValues(Types.long, -3n, 2n) < 0);
    assert.ok(compareValues(Types.decimal(38, 0), 10n ** 30n, 10n ** 29n) > 0);
    assert.ok(compareValues(Types.int, null, -5) < 0);
  });
});
