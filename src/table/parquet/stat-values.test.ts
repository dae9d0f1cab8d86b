import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Types } from '../schema/types.ts';
import type { PrimitiveType } from '../schema/types.ts';
import { canonicalExpr, canonicalToValue } from './canonical-values.ts';
import { duckdbType } from './duckdb-types.ts';
import { parseStatValue } from './stat-values.ts';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
after(() => {
  connection.closeSync();
  instance.closeSync();
});

// Each literal is cast to VARCHAR by DuckDB (the text RETURN_STATS uses) and parsed back; the result
// must equal DuckDB's own canonical value (epoch micros, day numbers, unscaled decimals).
const cases: [PrimitiveType, string[]][] = [
  [Types.int, ['0', '-2147483648', '2147483647']],
  [Types.long, ['-9223372036854775808', '9223372036854775807']],
  [Types.float, ['1.5', '-0.0', '1e-7', '3.4028235e38', '0.1', "'inf'", "'-inf'"]],
  [Types.double, ['0.1', '-1e300', '5e-324', "'inf'"]],
  [Types.decimal(9, 2), ['148.5', '-0.5', '0', '9999999.99']],
  [Types.decimal(38, 10), ['-1234567890123456789012345678.0123456789', '1']],
  [Types.decimal(5, 0), ['-99999']],
  [Types.date, ["'2024-01-31'", "'1969-12-31'", "'0001-01-01'", "'0044-03-15 (BC)'", "'9999-12-31'"]],
  [Types.time, ["'00:00:00'", "'10:00:00.5'", "'23:59:59.999999'"]],
  [Types.timestamp, ["'2024-01-05 03:00:00.123456'", "'1969-12-31 23:59:59.999999'", "'0044-03-15 10:00:00'::TIMESTAMP - INTERVAL 2100 YEAR"]],
  [Types.timestamptz, ["'2024-01-01 00:00:00+00'", "'1969-12-31 23:59:59.5+00'", "'1960-07-01 12:00:00+00'"]],
  [Types.uuid, ["'F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6'"]],
];

describe('parseStatValue', () => {
  for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
    test(`reads DuckDB's text of every type back exactly (session zone ${zone})`, async () => {
      await connection.run(`SET TimeZone = '${zone}'`);
      for (const [type, literals] of cases) {
        for (const literal of literals) {
          const value = `CAST(${literal} AS ${duckdbType(type)})`;
          const [row] = (await connection.runAndReadAll(`SELECT CAST(${value} AS VARCHAR), ${canonicalExpr(value, type)}`)).getRows();
          const text = String(row?.[0]);
          const expected = canonicalToValue(row?.[1] ?? null, type);
          assert.deepEqual(parseStatValue(type, text), expected, `${literal} printed as ${text}`);
        }
      }
      await connection.run(`SET TimeZone = 'UTC'`);
    });
  }

  test('booleans, blobs and hex', () => {
    assert.equal(parseStatValue(Types.boolean, '1'), true);
    assert.equal(parseStatValue(Types.boolean, '0'), false);
    assert.deepEqual(parseStatValue(Types.binary, 'FF00'), Uint8Array.of(0xff, 0x00));
    assert.deepEqual(parseStatValue(Types.fixed(1), '78'), Uint8Array.of(0x78));
  });

  test('refuses text it cannot read exactly', () => {
    assert.equal(parseStatValue(Types.decimal(9, 2), '1.005'), undefined); // would need rounding
    assert.equal(parseStatValue(Types.decimal(9, 2), '1.500'), 150n);
    assert.equal(parseStatValue(Types.timestamp, '2024-01-01 00:00:00+00'), undefined); // zone on a plain timestamp
    assert.equal(parseStatValue(Types.timestamptz, '2024-01-01 00:00:00'), undefined);
    assert.equal(parseStatValue(Types.int, '1e3'), undefined);
    assert.equal(parseStatValue(Types.binary, 'F'), undefined);
  });

  test('timestamptz offsets with minutes and seconds', () => {
    // DuckDB's own text drops the seconds of such (LMT) offsets, which is why RETURN_STATS printing
    // timestamptz in UTC matters; the parser itself keeps them.
    assert.equal(parseStatValue(Types.timestamptz, '1970-01-01 05:30:00+05:30'), 0n);
    assert.equal(parseStatValue(Types.timestamptz, '1969-12-31 19:03:58-04:56:02'), 0n);
  });
});
