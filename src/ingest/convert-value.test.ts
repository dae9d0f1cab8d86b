import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, field, type IcebergType } from '../table/index.ts';
import { BadRecord, type QuarantineCode } from './bad-record.ts';
import { convertRecord, convertValue } from './convert-value.ts';

const good: [IcebergType, unknown, unknown][] = [
  [Types.long, '9223372036854775807', '9223372036854775807'],
  [Types.long, 12, '12'],
  [Types.int, '-2147483648', -2147483648],
  [Types.double, 'NaN', 'NaN'],
  [Types.double, '1e3', 1000],
  [Types.boolean, '0', false],
  [Types.decimal(6, 2), '-0012.50', '-12.5'],
  [Types.date, '2024-02-29', '2024-02-29'],
  [Types.time, '23:59:59.1234567', '23:59:59.123456'],
  [Types.timestamptz, '2024-01-01T10:00:00-03:30', '2024-01-01 10:00:00.000000-03:30'],
  [Types.timestamp, '2024-01-01T10:00:00Z', '2024-01-01 10:00:00.000000'],
  [Types.uuid, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  [Types.string, 42, '42'],
  [Types.list(2, Types.int), [1, null], [1, null]],
  [Types.map(2, Types.string, 3, Types.long), { a: 1 }, { a: '1' }],
];

test('valid values convert to their staged form', () => {
  for (const [type, input, expected] of good) assert.deepEqual(convertValue(type, input, 'c'), expected, `${JSON.stringify(String(input))} as ${type.kind}`);
});

const bad: [IcebergType, unknown, QuarantineCode][] = [
  [Types.long, 'abc', 'TYPE_MISMATCH'],
  [Types.long, '9223372036854775808', 'OUT_OF_RANGE'],
  [Types.int, 2147483648, 'OUT_OF_RANGE'],
  [Types.long, 1.5, 'TYPE_MISMATCH'],
  [Types.float, 1e39, 'OUT_OF_RANGE'],
  [Types.decimal(4, 2), '123.4', 'OUT_OF_RANGE'],
  [Types.decimal(4, 2), '1.234', 'OUT_OF_RANGE'],
  [Types.date, '2023-02-29', 'INVALID_DATE'],
  [Types.date, 20240101, 'TYPE_MISMATCH'],
  [Types.timestamptz, '2024-13-01T00:00:00Z', 'INVALID_DATE'],
  [Types.timestamp, '2024-01-01T00:00:00+02:00', 'INVALID_DATE'],
  [Types.uuid, 'not-a-uuid', 'TYPE_MISMATCH'],
  [Types.string, { a: 1 }, 'TYPE_MISMATCH'],
  [Types.fixed(2), 'AAAA', 'OUT_OF_RANGE'],
  [Types.list(2, Types.int, true), [null], 'MISSING_REQUIRED'],
  [Types.struct([field(2, 'x', Types.int, true)]), {}, 'MISSING_REQUIRED'],
];

test('invalid values raise a BadRecord with the right code', () => {
  for (const [type, input, code] of bad) {
    assert.throws(() => convertValue(type, input, 'c'), (e) => e instanceof BadRecord && e.code === code, `${JSON.stringify(String(input))} as ${type.kind} → ${code}`);
  }
});

test('records: CSV cells holding JSON for nested columns; unknown fields per option', () => {
  const fields = [field(1, 'id', Types.long, true), field(2, 'tags', Types.list(3, Types.string))];
  const known = new Set(['id', 'tags']);
  assert.deepEqual(convertRecord(fields, { id: '1', tags: '["a","b"]' }, { textMode: true, unknownFields: 'quarantine', known }), { id: '1', tags: ['a', 'b'] });
  assert.throws(() => convertRecord(fields, { id: 1, other: 2 }, { textMode: false, unknownFields: 'quarantine', known }), (e) => e instanceof BadRecord && e.code === 'UNKNOWN_FIELD');
  assert.deepEqual(convertRecord(fields, { id: 1, other: 2 }, { textMode: false, unknownFields: 'ignore', known }), { id: '1' });
  assert.deepEqual(convertRecord(fields, { id: 1, other: null }, { textMode: false, unknownFields: 'quarantine', known }), { id: '1' });
});
