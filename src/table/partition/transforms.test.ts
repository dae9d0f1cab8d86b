import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { hashValue, parseTransform, partitionType } from './transforms.ts';
import { daysFromCivil } from './time-util.ts';

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe('bucket hash (spec Appendix B reference values)', () => {
  const cases: Array<[PrimitiveType, Exclude<IcebergValue, null>, number]> = [
    [Types.int, 34, 2017239379],
    [Types.long, 34n, 2017239379],
    [Types.decimal(9, 2), 1420n, -500754589],
    [Types.date, daysFromCivil(2017, 11, 16), -653330422],
    [Types.time, (22n * 3600n + 31n * 60n + 8n) * 1_000_000n, -662762989],
    [Types.timestamp, micros('2017-11-16T22:31:08Z'), -2047944441],
    [Types.timestamptz, micros('2017-11-16T14:31:08-08:00'), -2047944441],
    [Types.string, 'iceberg', 1210000089],
    [Types.uuid, 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 1488055340],
    [Types.fixed(4), Uint8Array.of(0, 1, 2, 3), -188683207],
    [Types.binary, Uint8Array.of(0, 1, 2, 3), -188683207],
  ];
  for (const [type, value, expected] of cases) {
    test(`${type.kind} → ${expected}`, () => assert.equal(hashValue(type, value), expected));
  }
  test('bucket[N] = (hash & MAX_INT) % N', () => {
    assert.equal(parseTransform('bucket[100]').apply(34, Types.int), 2017239379 % 100);
    assert.equal(parseTransform('bucket[16]').apply('iceberg', Types.string), 1210000089 % 16);
    assert.equal(parseTransform('bucket[16]').apply(1420n, Types.decimal(9, 2)), (-500754589 & 0x7fffffff) % 16);
    const missing: IcebergValue = null;
    assert.equal(parseTransform('bucket[16]').apply(missing, Types.int), null);
  });
});

describe('truncate (spec examples)', () => {
  const t10 = parseTransform('truncate[10]');
  test('ints and longs floor toward negative infinity', () => {
    assert.equal(t10.apply(1, Types.int), 0);
    assert.equal(t10.apply(-1, Types.int), -10);
    assert.equal(t10.apply(-10, Types.int), -10);
    assert.equal(t10.apply(-11, Types.int), -20);
    assert.equal(t10.apply(1n, Types.long), 0n);
    assert.equal(t10.apply(-1n, Types.long), -10n);
  });
  test('decimal truncates the unscaled value', () => {
    assert.equal(parseTransform('truncate[50]').apply(1065n, Types.decimal(9, 2)), 1050n);
  });
  test('strings truncate by code points, binary by bytes', () => {
    assert.equal(parseTransform('truncate[3]').apply('iceberg', Types.string), 'ice');
    assert.equal(parseTransform('truncate[2]').apply('😀😁😂', Types.string), '😀😁');
    assert.equal(parseTransform('truncate[5]').apply('ab', Types.string), 'ab');
    assert.deepEqual(parseTransform('truncate[2]').apply(Uint8Array.of(1, 2, 3), Types.binary), Uint8Array.of(1, 2));
  });
});

describe('time transforms', () => {
  const ts = micros('2017-11-16T22:31:08Z');
  test('year, month, day, hour of a timestamp', () => {
    assert.equal(parseTransform('year').apply(ts, Types.timestamp), 47);
    assert.equal(parseTransform('month').apply(ts, Types.timestamptz), 47 * 12 + 10);
    assert.equal(parseTransform('day').apply(ts, Types.timestamp), daysFromCivil(2017, 11, 16));
    assert.equal(parseTransform('hour').apply(ts, Types.timestamp), Number(ts / 3_600_000_000n));
  });
  test('values before 1970 floor to the containing period', () => {
    const lastMicro1969 = -1n;
    assert.equal(parseTransform('year').apply(lastMicro1969, Types.timestamp), -1);
    assert.equal(parseTransform('month').apply(lastMicro1969, Types.timestamp), -1);
    assert.equal(parseTransform('day').apply(lastMicro1969, Types.timestamp), -1);
    assert.equal(parseTransform('hour').apply(lastMicro1969, Types.timestamp), -1);
    assert.equal(parseTransform('month').apply(daysFromCivil(1969, 1, 1), Types.date), -12);
    assert.equal(parseTransform('year').apply(daysFromCivil(1900, 6, 1), Types.date), -70);
  });
  test('matches Date arithmetic for random timestamps', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor((Math.random() - 0.5) * 2 * 4e12);
      const d = new Date(ms);
      const m = BigInt(ms) * 1000n + BigInt(Math.floor(Math.random() * 1000));
      assert.equal(parseTransform('year').apply(m, Types.timestamp), d.getUTCFullYear() - 1970);
      assert.equal(parseTransform('month').apply(m, Types.timestamp), (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth());
      assert.equal(parseTransform('day').apply(m, Types.timestamp), Math.floor(ms / 86_400_000));
      assert.equal(parseTransform('hour').apply(m, Types.timestamp), Math.floor(ms / 3_600_000));
    }
  });
  test('human strings', () => {
    assert.equal(parseTransform('day').toHumanString(daysFromCivil(2024, 1, 31), Types.timestamp), '2024-01-31');
    assert.equal(parseTransform('hour').toHumanString(parseTransform('hour').apply(micros('2024-01-31T10:05:00Z'), Types.timestamp), Types.timestamp), '2024-01-31-10');
    assert.equal(parseTransform('month').toHumanString(54 * 12, Types.date), '2024-01');
    assert.equal(parseTransform('month').toHumanString(-1, Types.date), '1969-12');
    assert.equal(parseTransform('year').toHumanString(54, Types.date), '2024');
    assert.equal(parseTransform('bucket[16]').toHumanString(7, Types.long), '7');
    assert.equal(parseTransform('day').toHumanString(null, Types.date), 'null');
  });
});

describe('identity human strings follow Java', () => {
  const id = parseTransform('identity');
  test('per type', () => {
    assert.equal(id.toHumanString(micros('2017-11-16T22:31:08Z'), Types.timestamp), '2017-11-16T22:31:08');
    assert.equal(id.toHumanString(micros('2017-11-16T22:31:08.001Z') + 1n, Types.timestamptz), '2017-11-16T22:31:08.001001Z');
    assert.equal(id.toHumanString(81_060_000_000n, Types.time), '22:31');
    assert.equal(id.toHumanString(1420n, Types.decimal(9, 2)), '14.20');
    assert.equal(id.toHumanString(-5n, Types.decimal(9, 2)), '-0.05');
    assert.equal(id.toHumanString(1, Types.double), '1.0');
    assert.equal(id.toHumanString(1e7, Types.double), '1.0E7');
    assert.equal(id.toHumanString(Math.fround(0.1), Types.float), '0.1');
    assert.equal(id.toHumanString(Uint8Array.of(0, 1, 2, 3), Types.binary), 'AAECAw==');
    assert.equal(id.toHumanString('a/b', Types.string), 'a/b');
  });
});

describe('parseTransform', () => {
  test('round-trips the spec forms', () => {
    for (const text of ['identity', 'bucket[16]', 'truncate[4]', 'year', 'month', 'day', 'hour', 'void']) {
      assert.equal(parseTransform(text).toString(), text);
    }
    assert.equal(parseTransform('bucket[16]').param, 16);
  });
  test('rejects anything else, listing the valid forms', () => {
    for (const bad of ['bucket', 'bucket[0]', 'truncate[x]', 'days', 'zorder']) {
      assert.throws(
        () => parseTransform(bad),
        (e) => StrataError.is(e, 'INVALID_PARTITION_SPEC') && (bad === 'bucket[0]' || e.message.includes('truncate[W]')),
      );
    }
  });
  test('canTransform follows the spec source types', () => {
    assert.equal(parseTransform('bucket[4]').canTransform(Types.double), false);
    assert.equal(parseTransform('hour').canTransform(Types.date), false);
    assert.equal(parseTransform('truncate[4]').canTransform(Types.uuid), false);
    assert.equal(parseTransform('identity').canTransform(Types.struct([])), false);
    assert.equal(parseTransform('void').canTransform(Types.struct([])), true);
  });
});

describe('partitionType', () => {
  const s = schema(1, [
    field(1, 'id', Types.long, true),
    field(2, 'ts', Types.timestamptz),
    field(3, 'name', Types.string),
    field(4, 'price', Types.decimal(10, 2)),
  ]);
  test('one optional field per partition field with the result type', () => {
    const t = partitionType(
      {
        specId: 1,
        fields: [
          { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
          { sourceId: 2, fieldId: 1001, name: 'ts_hour', transform: 'hour' },
          { sourceId: 1, fieldId: 1002, name: 'id_bucket', transform: 'bucket[8]' },
          { sourceId: 3, fieldId: 1003, name: 'name_trunc', transform: 'truncate[2]' },
          { sourceId: 4, fieldId: 1004, name: 'price_void', transform: 'void' },
        ],
      },
      s,
    );
    assert.deepEqual(
      t.fields.map((f) => [f.id, f.name, f.required, f.type]),
      [
        [1000, 'ts_day', false, Types.date],
        [1001, 'ts_hour', false, Types.int],
        [1002, 'id_bucket', false, Types.int],
        [1003, 'name_trunc', false, Types.string],
        [1004, 'price_void', false, Types.decimal(10, 2)],
      ],
    );
  });
  test('missing source and impossible transforms fail clearly', () => {
    assert.throws(
      () => partitionType({ specId: 1, fields: [{ sourceId: 9, fieldId: 1000, name: 'x', transform: 'identity' }] }, s),
      (e) => StrataError.is(e, 'INVALID_PARTITION_SPEC') && e.message.includes('9'),
    );
    assert.throws(
      () => partitionType({ specId: 1, fields: [{ sourceId: 3, fieldId: 1000, name: 'x', transform: 'hour' }] }, s),
      (e) => StrataError.is(e, 'INVALID_PARTITION_SPEC') && e.message.includes('hour'),
    );
  });
});
