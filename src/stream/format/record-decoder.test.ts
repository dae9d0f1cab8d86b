import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, field } from '../../table/index.ts';
import type { SourceRecord } from '../model/index.ts';
import { encodeAvroDatum } from './avro-values.ts';
import { recordDecoder } from './record-decoder.ts';
import { rowToJson } from './row-json.ts';

const columns = [
  field(1, 'id', Types.long, true),
  field(2, 'ts', Types.timestamptz, true),
  field(3, 'amount', { kind: 'decimal', precision: 12, scale: 2 }),
  field(4, 'day', Types.date),
  field(5, 'tags', { kind: 'list', elementId: 6, element: Types.string, elementRequired: false }),
];
const record = (text: string | Uint8Array, position = 'p'): SourceRecord => ({ payload: typeof text === 'string' ? new TextEncoder().encode(text) : text, position });

test('JSON: values become stream values (exact longs and decimals, µs timestamps with offsets applied)', () => {
  const decode = recordDecoder({ kind: 'json' }, columns);
  const result = decode(record('{"id": 9007199254740993, "ts": "2024-03-01T10:00:00.000001+02:00", "amount": "12.30", "day": "2024-03-01", "tags": ["a"], "extra": 1}'));
  assert.ok('row' in result);
  assert.deepEqual(result.row, { id: 9007199254740993n, ts: BigInt(Date.UTC(2024, 2, 1, 8)) * 1000n + 1n, amount: 1230n, day: 19783, tags: ['a'] });
  assert.equal(rowToJson(result.row), '{"id":"9007199254740993","ts":"1709280000000001","amount":"1230","day":19783,"tags":["a"]}');
});

test('JSON: malformed and invalid records become dead letters with the raw payload and a reason', () => {
  const decode = recordDecoder({ kind: 'json' }, columns);
  const cases: [string, string, RegExp][] = [
    ['{"id": 1, "ts": ', 'unparseable', /not JSON/],
    ['[1, 2]', 'unparseable', /an array/],
    ['{"ts": "2024-03-01T00:00:00Z"}', 'schema_violation', /required column id/],
    ['{"id": "x", "ts": "2024-03-01T00:00:00Z"}', 'schema_violation', /column id/],
    ['{"id": 1, "ts": "yesterday"}', 'schema_violation', /column ts/],
    ['{"id": 1, "ts": "2024-03-01T00:00:00Z", "amount": "1.234"}', 'schema_violation', /decimal places/],
  ];
  for (const [text, reason, message] of cases) {
    const result = decode(record(text, 'topic/0@7'));
    assert.ok('letter' in result, text);
    assert.equal(result.letter.reason, reason, text);
    assert.match(result.letter.error, message, text);
    assert.equal(new TextDecoder().decode(result.letter.payload), text);
    assert.equal(result.letter.position, 'topic/0@7');
  }
});

test('Avro: binary datums (plain and Confluent-framed) decode by field name with logical types', () => {
  const schema = {
    type: 'record',
    name: 'Click',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'ts', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'day', type: ['null', { type: 'int', logicalType: 'date' }], default: null },
    ],
  };
  const decode = recordDecoder({ kind: 'avro', schema }, columns);
  const datum = encodeAvroDatum(schema, { id: 42, ts: 1_709_280_000_000_001, tags: ['x'], day: 19783 });
  for (const payload of [datum, new Uint8Array([0, 0, 0, 0, 7, ...datum])]) {
    const result = decode(record(payload));
    assert.ok('row' in result, 'letter' in result ? result.letter.error : '');
    assert.deepEqual(result.row, { id: 42n, ts: 1_709_280_000_000_001n, amount: null, day: 19783, tags: ['x'] });
  }
  const broken = decode(record(new Uint8Array([1, 2, 3])));
  assert.ok('letter' in broken);
  assert.equal(broken.letter.reason, 'unparseable');
});

const nestedColumns = [
  field(1, 'id', Types.long, true),
  field(2, 'at', Types.timestamp),
  field(3, 'address', { kind: 'struct', fields: [field(4, 'city', Types.string, true), field(5, 'zip', Types.int)] }),
  field(6, 'scores', { kind: 'map', keyId: 7, key: Types.int, valueId: 8, value: Types.double, valueRequired: false }),
  field(9, 'blob', Types.binary),
];

test('JSON: nested values (struct → object, map → Map with typed keys), binary from base64, case-sensitive names', () => {
  const decode = recordDecoder({ kind: 'json' }, nestedColumns);
  const result = decode(record('{"id": 1, "ID": 2, "at": "2024-03-01 10:00:00.5", "address": {"city": "Oslo", "zip": 150}, "scores": {"1": 0.5, "2": null}, "blob": "AQI="}'));
  assert.ok('row' in result, 'letter' in result ? result.letter.error : '');
  assert.deepEqual(result.row, {
    id: 1n,
    at: BigInt(Date.UTC(2024, 2, 1, 10)) * 1000n + 500_000n,
    address: { city: 'Oslo', zip: 150 },
    scores: new Map<number, number | null>([[1, 0.5], [2, null]]),
    blob: new Uint8Array([1, 2]),
  });
  assert.equal(rowToJson(result.row), '{"id":"1","at":"1709287200500000","address":{"city":"Oslo","zip":150},"scores":{"1":0.5,"2":null},"blob":"AQI="}');
  const cases: [string, RegExp][] = [
    ['{"id": 1, "address": {"zip": 1}}', /address\.city/],
    ['{"id": 1, "at": "2024-03-01T10:00:00+02:00"}', /column at: .*timestamp without time zone/],
    ['{"id": 1, "address": {"city": "x", "zip": 3000000000}}', /address\.zip.*range of int/],
    ['{"id": 1, "scores": {"one": 1}}', /scores key/],
    ['{"id": 1, "scores": [1, 2]}', /column scores/],
    ['{"id": 18446744073709551616}', /column id.*range of long/],
  ];
  for (const [text, message] of cases) {
    const bad = decode(record(text));
    assert.ok('letter' in bad, text);
    assert.equal(bad.letter.reason, 'schema_violation', text);
    assert.match(bad.letter.error, message, text);
  }
  const notUtf8 = decode(record(new Uint8Array([0x7b, 0xff, 0x7d])));
  assert.ok('letter' in notUtf8);
  assert.equal(notUtf8.letter.reason, 'unparseable');
});

test('Avro: longs past 2^53 stay exact, millis timestamps, decimals, nested records by reference, maps and multi-branch unions', () => {
  const schema = {
    type: 'record',
    name: 'Order',
    namespace: 'shop',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
      { name: 'home', type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: ['null', 'int'] }] } },
      { name: 'work', type: ['null', 'Address'], default: null },
      { name: 'counts', type: { type: 'map', values: 'long' } },
      { name: 'label', type: ['null', 'string', 'long'], default: null },
    ],
  };
  const columns = [
    field(1, 'id', Types.long, true),
    field(2, 'ts', Types.timestamptz),
    field(3, 'amount', { kind: 'decimal', precision: 12, scale: 2 }),
    field(4, 'home', { kind: 'struct', fields: [field(5, 'city', Types.string, true), field(6, 'zip', Types.int)] }),
    field(7, 'work', { kind: 'struct', fields: [field(8, 'city', Types.string, true), field(9, 'zip', Types.int)] }),
    field(10, 'counts', { kind: 'map', keyId: 11, key: Types.string, valueId: 12, value: Types.long, valueRequired: false }),
    field(13, 'label', Types.string),
  ];
  const decode = recordDecoder({ kind: 'avro', schema }, columns);
  const value = {
    id: 9_007_199_254_740_993n,
    ts: 1_709_280_000_123n,
    amount: Buffer.from([0xff, 0x85]), // -123 unscaled → -1.23
    home: { city: 'Oslo', zip: null },
    work: { city: 'Bergen', zip: 5003 },
    counts: { a: 12_345_678_901_234_567n },
    label: 7n,
  };
  const datum = encodeAvroDatum(schema, value);
  for (const payload of [datum, new Uint8Array([0, 0, 0, 1, 44, ...datum])]) {
    const result = decode(record(payload, 'orders/0@1'));
    assert.ok('row' in result, 'letter' in result ? result.letter.error : '');
    assert.deepEqual(result.row, {
      id: 9_007_199_254_740_993n,
      ts: 1_709_280_000_123_000n,
      amount: -123n,
      home: { city: 'Oslo', zip: null },
      work: { city: 'Bergen', zip: 5003 },
      counts: new Map([['a', 12_345_678_901_234_567n]]),
      label: '7',
    });
  }
  const trailing = decode(record(new Uint8Array([...datum, 1])));
  assert.ok('letter' in trailing);
  assert.equal(trailing.letter.reason, 'unparseable');
  assert.match(trailing.letter.error, /trailing byte/);
  // A datum that decodes but does not fit the columns: a schema violation naming the column.
  const narrow = recordDecoder({ kind: 'avro', schema }, [field(1, 'id', Types.int, true)]);
  const tooBig = narrow(record(datum, 'orders/0@2'));
  assert.ok('letter' in tooBig);
  assert.equal(tooBig.letter.reason, 'schema_violation');
  assert.match(tooBig.letter.error, /column id/);
  assert.equal(tooBig.letter.position, 'orders/0@2');
  assert.deepEqual(tooBig.letter.payload, datum);
});
