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
