import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import { duckdbType, fieldIdsClause, quoteString } from './duckdb-types.ts';
import { duckDbFixture } from '../testing/duckdb-fixture.ts';

const db = duckDbFixture('strata-duckdb-types-');

const s = schema(1, [
  field(1, 'i', Types.int),
  field(2, 'l', Types.long),
  field(3, 'd9', Types.decimal(9, 2)),
  field(4, 'd18', Types.decimal(18, 3)),
  field(5, 'd38', Types.decimal(38, 10)),
  field(6, 't', Types.time),
  field(7, 'ts', Types.timestamp),
  field(8, 'tz', Types.timestamptz),
  field(9, 'u', Types.uuid),
  field(10, 'we"ird.name', Types.struct([field(11, 'a b', Types.string), field(12, 'x', Types.list(13, Types.fixed(4)))])),
  field(14, 'm', Types.map(15, Types.string, 16, Types.struct([field(17, 'v', Types.boolean)]))),
  field(18, 'dt', Types.date),
  field(19, 'bin', Types.binary),
]);

describe('duckdbType', () => {
  test('nested types quote their names', () => {
    assert.equal(
      duckdbType(s.fields[9]?.type ?? Types.int),
      'STRUCT("a b" VARCHAR, "x" BLOB[])',
    );
    assert.equal(duckdbType(s.fields[10]?.type ?? Types.int), 'MAP(VARCHAR, STRUCT("v" BOOLEAN))');
  });

  test('DuckDB writes the Parquet types of the Iceberg spec and every field id', async () => {
    const path = join(db.dir, 'types.parquet');
    const casts = s.fields.map((f) => `CAST(NULL AS ${duckdbType(f.type)}) AS "${f.name.replaceAll('"', '""')}"`).join(', ');
    await db.connection.run(`COPY (SELECT ${casts}) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS ${fieldIdsClause(s)})`);
    const reader = await db.connection.runAndReadAll(
      `SELECT field_id, type, type_length, logical_type, converted_type FROM parquet_schema(${quoteString(path)}) WHERE field_id IS NOT NULL ORDER BY field_id`,
    );
    const byId = new Map(reader.getRows().map((r) => [Number(r[0]), r.slice(1).map((v) => (v === null ? '' : String(v)))]));
    assert.deepEqual([...byId.keys()], Array.from({ length: 19 }, (_, i) => i + 1));
    const physical = (id: number) => byId.get(id)?.[0];
    assert.equal(physical(1), 'INT32');
    assert.equal(physical(2), 'INT64');
    assert.equal(physical(3), 'INT32'); // decimal(9): INT32
    assert.equal(physical(4), 'INT64'); // decimal(18): INT64
    assert.equal(physical(5), 'FIXED_LEN_BYTE_ARRAY');
    assert.equal(physical(6), 'INT64');
    assert.match(byId.get(6)?.[2] ?? '', /TimeType\(isAdjustedToUTC=0, unit=.*MICROS=MicroSeconds/);
    assert.match(byId.get(7)?.[2] ?? '', /TimestampType\(isAdjustedToUTC=0, unit=.*MICROS=MicroSeconds/);
    assert.match(byId.get(8)?.[2] ?? '', /TimestampType\(isAdjustedToUTC=1, unit=.*MICROS=MicroSeconds/);
    assert.deepEqual(byId.get(9)?.slice(0, 3), ['FIXED_LEN_BYTE_ARRAY', '16', 'UUIDType()']);
    assert.equal(byId.get(11)?.[3], 'UTF8');
    assert.equal(physical(13), 'BYTE_ARRAY'); // fixed[4]: known mismatch, see duckdb-types.ts
    assert.equal(byId.get(14)?.[3], 'MAP');
    assert.equal(byId.get(18)?.[3], 'DATE');
    assert.equal(physical(19), 'BYTE_ARRAY');
  });
});
