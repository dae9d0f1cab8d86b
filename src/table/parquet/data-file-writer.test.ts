import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { StrataError } from '../../core/index.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { UNPARTITIONED } from '../partition/partition-spec.ts';
import { parseTransform } from '../partition/transforms.ts';
import { schema } from '../schema/schema.ts';
import type { Schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { compareBytes, compareValues, deserializeValue } from '../serde/single-value.ts';
import { truncateLowerString, truncateUpperString } from './bound-truncation.ts';
import { canonicalExpr, canonicalToValue } from './canonical-values.ts';
import { readRelationSql } from './data-file-reader.ts';
import { writeDataFiles } from './data-file-writer.ts';
import type { WrittenDataFile } from './data-file-writer.ts';
import { quoteIdent, quoteString } from './duckdb-types.ts';
import { duckDbFixture } from '../testing/duckdb-fixture.ts';

const db = duckDbFixture('strata-parquet-writer-');

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.connection.runAndReadAll(sql)).getRows();
}

async function scalar(sql: string): Promise<unknown> {
  return (await rows(sql))[0]?.[0];
}

/** Rows of `sql` missing from `other` (multiset difference), counted both ways. */
async function differences(sql: string, other: string): Promise<number> {
  const a = Number(await scalar(`SELECT count(*) FROM ((${sql}) EXCEPT ALL (${other}))`));
  const b = Number(await scalar(`SELECT count(*) FROM ((${other}) EXCEPT ALL (${sql}))`));
  return a + b;
}

function write(source: string, s: Schema, spec: PartitionSpec = UNPARTITIONED, targetFileSizeBytes?: number) {
  return writeDataFiles({
    connection: db.connection,
    source,
    schema: s,
    spec,
    stagingDir: db.dir,
    ...(targetFileSizeBytes === undefined ? {} : { targetFileSizeBytes }),
  });
}

const allTypes = schema(1, [
  field(1, 'b', Types.boolean),
  field(2, 'i', Types.int, true),
  field(3, 'l', Types.long),
  field(4, 'f', Types.float),
  field(5, 'd', Types.double),
  field(6, 'dec', Types.decimal(9, 2)),
  field(7, 'dec38', Types.decimal(38, 10)),
  field(8, 'dt', Types.date),
  field(9, 't', Types.time),
  field(10, 'ts', Types.timestamp),
  field(11, 'tz', Types.timestamptz),
  field(12, 's', Types.string),
  field(13, 'u', Types.uuid),
  field(14, 'fx', Types.fixed(3)),
  field(15, 'bin', Types.binary),
  field(16, 'st', Types.struct([field(17, 'a', Types.int, true), field(18, 'b b', Types.string)])),
  field(19, 'li', Types.list(20, Types.long)),
  field(21, 'm', Types.map(22, Types.string, 23, Types.double)),
]);

const ALL_TYPES_SOURCE = `SELECT * FROM (VALUES
  (true, 1, 10000000000, 1.5::FLOAT, -2.25::DOUBLE, 148.50, -12345678901234567890.0123456789, DATE '2024-01-31',
   TIME '10:00:00.5', TIMESTAMP '2024-01-05 03:00:00.123456', TIMESTAMPTZ '2024-01-01 00:00:00+00', 'héllo',
   'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'::UUID, '\\x00\\x01\\xFF'::BLOB, 'x'::BLOB, {'a': 1, 'b b': 'q'}, [1, 2, NULL], MAP {'k': 1.5}),
  (false, -7, -5, 'NaN'::FLOAT, 'inf'::DOUBLE, -0.5, 1.5, DATE '1969-12-31',
   TIME '00:00:00', TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMPTZ '2024-06-30 12:00:00+05:30', '🎉 emoji',
   '00000000-0000-0000-0000-000000000000'::UUID, '\\xAA\\xBB\\xCC'::BLOB, ''::BLOB, {'a': 2, 'b b': NULL}, [], MAP {}),
  (NULL, 2147483647, NULL, NULL, NULL, NULL, NULL, DATE '0044-03-15 (BC)',
   NULL, TIMESTAMP '1900-01-01 00:00:00', NULL, NULL, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID, NULL, NULL, NULL, NULL, NULL)
) AS v(b, i, l, f, d, "dec", dec38, dt, t, ts, tz, s, u, fx, bin, st, li, m)`;

describe('writeDataFiles', () => {
  test('every primitive and nested type round-trips exactly through write and read', async () => {
    const files = await write(ALL_TYPES_SOURCE, allTypes);
    assert.equal(files.length, 1);
    const file = files[0] as WrittenDataFile;
    assert.equal(file.recordCount, 3);
    assert.equal(file.partitionPath, '');
    assert.deepEqual(file.partition, []);
    const relation = readRelationSql({ files: [{ path: file.localPath }], schema: allTypes });
    const typed = `SELECT ${allTypes.fields.map((f) => quoteIdent(f.name)).join(', ')} FROM (${relation})`;
    const expected = `SELECT b::BOOLEAN, i::INTEGER, l::BIGINT, f::FLOAT, d::DOUBLE, "dec"::DECIMAL(9,2), dec38::DECIMAL(38,10), dt, t, ts, tz, s, u, fx, bin,
      st::STRUCT(a INTEGER, "b b" VARCHAR), li::BIGINT[], m::MAP(VARCHAR, DOUBLE) FROM (${ALL_TYPES_SOURCE})`;
    assert.equal(await differences(typed, expected), 0);
    // A few values checked in JS too, in Iceberg's in-memory representation.
    const [row] = await rows(
      `SELECT ${canonicalExpr('dec38', Types.decimal(38, 10))}, ${canonicalExpr('tz', Types.timestamptz)}, ${canonicalExpr('dt', Types.date)}
       FROM (${relation}) WHERE i = -7`,
    );
    assert.deepEqual(row, [15000000000n, 1719729000000000n, -1]);
  });

  test('the written Parquet carries every field id', async () => {
    const [file] = await write(ALL_TYPES_SOURCE, allTypes);
    const ids = await rows(`SELECT field_id FROM parquet_schema(${quoteString(file?.localPath ?? '')}) WHERE field_id IS NOT NULL ORDER BY field_id`);
    assert.deepEqual(ids.map((r) => Number(r[0])), Array.from({ length: 23 }, (_, i) => i + 1));
  });

  test('bounds decode to the true min and max of each column; counts match the data', async () => {
    const [file] = await write(ALL_TYPES_SOURCE, allTypes);
    assert.ok(file !== undefined);
    const leaves: [number, string, PrimitiveType][] = [
      [1, 'b', Types.boolean], [2, 'i', Types.int], [3, 'l', Types.long], [4, 'f', Types.float], [5, 'd', Types.double],
      [6, '"dec"', Types.decimal(9, 2)], [7, 'dec38', Types.decimal(38, 10)], [8, 'dt', Types.date], [9, 't', Types.time],
      [10, 'ts', Types.timestamp], [11, 'tz', Types.timestamptz], [12, 's', Types.string], [13, 'u', Types.uuid],
      [14, 'fx', Types.fixed(3)], [15, 'bin', Types.binary], [17, 'st.a', Types.int], [18, 'st."b b"', Types.string],
    ];
    const relation = readRelationSql({ files: [{ path: file.localPath }], schema: allTypes });
    for (const [id, column, type] of leaves) {
      const col = `r.${column}`;
      const notNan = type.kind === 'float' || type.kind === 'double' ? `WHERE NOT isnan(${col})` : '';
      const [expected] = await rows(
        `SELECT min(${canonicalExpr(col, type)}), max(${canonicalExpr(col, type)}) FROM (${relation}) AS r ${notNan}`,
      );
      const min = canonicalToValue((expected?.[0] ?? null) as never, type);
      const max = canonicalToValue((expected?.[1] ?? null) as never, type);
      const lower = file.lowerBounds.get(id);
      const upper = file.upperBounds.get(id);
      assert.ok(lower !== undefined && upper !== undefined, `bounds of ${column}`);
      assert.equal(compareValues(type, deserializeValue(type, lower), min), 0, `lower bound of ${column}`);
      assert.equal(compareValues(type, deserializeValue(type, upper), max), 0, `upper bound of ${column}`);
      assert.equal(file.valueCounts.get(id), 3, `value count of ${column}`);
      assert.ok((file.columnSizes.get(id) ?? 0) > 0, `column size of ${column}`);
    }
    assert.equal(file.nullValueCounts.get(1), 1);
    assert.equal(file.nullValueCounts.get(2), 0);
    assert.equal(file.nullValueCounts.get(17), 1); // the null struct
    assert.equal(file.nullValueCounts.get(18), 2); // null struct + null field
    assert.equal(file.nanValueCounts?.get(4), 1);
    assert.equal(file.nanValueCounts?.get(5), 0);
    // Inside lists and maps: counts (Parquet levels), no bounds.
    assert.equal(file.valueCounts.get(20), 5); // 1, 2, NULL, an empty list, a null list
    assert.equal(file.nullValueCounts.get(20), 3);
    assert.equal(file.lowerBounds.has(20), false);
    assert.equal(file.lowerBounds.has(22), false);
    assert.equal(file.upperBounds.has(23), false);
  });

  test('timestamptz bounds are exact whatever the session time zone', async () => {
    await db.connection.run(`SET TimeZone = 'Asia/Kolkata'`);
    const s = schema(1, [field(1, 'tz', Types.timestamptz)]);
    const source = `SELECT * FROM (VALUES (TIMESTAMPTZ '1900-01-01 00:00:00+00'), (TIMESTAMPTZ '2024-06-30 12:00:00.25+05:30')) AS v(tz)`;
    const [file] = await write(source, s);
    await db.connection.run(`SET TimeZone = 'UTC'`);
    assert.equal(deserializeValue(Types.timestamptz, file?.lowerBounds.get(1) ?? new Uint8Array()), BigInt(Date.UTC(1900, 0, 1)) * 1000n);
    assert.equal(deserializeValue(Types.timestamptz, file?.upperBounds.get(1) ?? new Uint8Array()), BigInt(Date.UTC(2024, 5, 30, 6, 30)) * 1000n + 250000n);
  });

  test('an empty source writes nothing', async () => {
    const before = readdirSync(db.dir).length;
    const files = await write(`SELECT * FROM (${ALL_TYPES_SOURCE}) WHERE false`, allTypes);
    assert.deepEqual(files, []);
    assert.equal(readdirSync(db.dir).length, before);
  });
});

describe('writeDataFiles refuses rows that break the schema', () => {
  const s = schema(1, [
    field(1, 'id', Types.long, true),
    field(2, 'st', Types.struct([field(3, 'a', Types.int, true)])),
    field(4, 'li', Types.list(5, Types.int, true)),
    field(6, 'fx', Types.fixed(2)),
  ]);
  const cases: [string, string, string][] = [
    ['a null in a required column', `SELECT NULL::BIGINT AS id, NULL AS st, NULL::INT[] AS li, NULL::BLOB AS fx`, 'id'],
    ['a null required struct field', `SELECT 1 AS id, {'a': NULL::INT} AS st, NULL::INT[] AS li, NULL::BLOB AS fx`, 'st.a'],
    ['a null required list element', `SELECT 1 AS id, NULL AS st, [1, NULL] AS li, NULL::BLOB AS fx`, 'li.element'],
    ['a fixed value of the wrong length', `SELECT 1 AS id, NULL AS st, NULL::INT[] AS li, 'abc'::BLOB AS fx`, 'fx'],
    ['a missing column', `SELECT 1 AS id, NULL AS st, NULL::INT[] AS li`, 'fx'],
  ];
  for (const [name, source, column] of cases) {
    test(`fails closed on ${name}`, async () => {
      const before = readdirSync(db.dir).length;
      await assert.rejects(write(source, s), (error: unknown) => {
        assert.ok(StrataError.is(error, 'INVALID_ARGUMENT'), String(error));
        assert.equal(error.details['column'], column);
        return true;
      });
      assert.equal(readdirSync(db.dir).length, before, 'no files are written');
    });
  }

  test('a required struct field may be null when the whole struct is null', async () => {
    const files = await write(`SELECT 1 AS id, NULL AS st, [1] AS li, 'ab'::BLOB AS fx`, s);
    assert.equal(files.length, 1);
  });
});

describe('writeDataFiles partitions', () => {
  const s = schema(1, [
    field(1, 'id', Types.int, true),
    field(2, 'l', Types.long),
    field(3, 'dec', Types.decimal(10, 2)),
    field(4, 'dt', Types.date),
    field(5, 'ts', Types.timestamp),
    field(6, 'tz', Types.timestamptz),
    field(7, 's', Types.string),
    field(8, 'bin', Types.binary),
    field(9, 'u', Types.uuid),
    field(10, 't', Types.time),
    field(11, 'fx', Types.fixed(2)),
    field(12, 'st', Types.struct([field(13, 'k', Types.string)])),
  ]);
  // 40 rows with negative numbers, pre-1970 times, multi-byte strings and nulls.
  const source = `SELECT
      (i * 7 - 140)::INTEGER AS id,
      CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 1000003 - 20000000)::BIGINT END AS l,
      ((i * 37 - 700) / 100.0)::DECIMAL(10,2) AS "dec",
      (DATE '1969-11-20' + INTERVAL (i * 5) DAY)::DATE AS dt,
      TIMESTAMP '1969-12-31 20:30:00' + INTERVAL (i * 97) MINUTE AS ts,
      TIMESTAMPTZ '1969-12-31 22:10:00+00' + INTERVAL (i * 131) MINUTE AS tz,
      CASE WHEN i % 11 = 0 THEN NULL ELSE ['é🎉a', 'ab', 'éé', '🎉🎉🎉', 'abc'][(i % 5) + 1] || i::VARCHAR END AS s,
      from_hex(printf('%02x%02x%02x', i, 255 - i, i * 3 % 256)) AS bin,
      md5(i::VARCHAR)::UUID AS u,
      TIME '00:00:00' + INTERVAL (i * 1234567) MILLISECOND AS t,
      from_hex(printf('%02x%02x', i % 3, i)) AS fx,
      {'k': ['x', 'y', NULL][(i % 3) + 1]} AS st
    FROM range(40) AS r(i)`;
  const transforms: [string, number][] = [
    ['identity', 7], ['identity', 4], ['identity', 9], ['identity', 13],
    ['bucket[5]', 1], ['bucket[7]', 2], ['bucket[3]', 3], ['bucket[4]', 4], ['bucket[6]', 5], ['bucket[6]', 6],
    ['bucket[8]', 7], ['bucket[3]', 8], ['bucket[5]', 9], ['bucket[4]', 10], ['bucket[3]', 11],
    ['truncate[10]', 1], ['truncate[1000000]', 2], ['truncate[50]', 3], ['truncate[1]', 7], ['truncate[2]', 8],
    ['year', 4], ['year', 6], ['month', 4], ['month', 5], ['month', 6], ['day', 4], ['day', 5], ['day', 6],
    ['hour', 5], ['hour', 6], ['void', 2],
  ];
  const types = new Map<number, PrimitiveType>([
    [1, Types.int], [2, Types.long], [3, Types.decimal(10, 2)], [4, Types.date], [5, Types.timestamp], [6, Types.timestamptz],
    [7, Types.string], [8, Types.binary], [9, Types.uuid], [10, Types.time], [11, Types.fixed(2)], [13, Types.string],
  ]);
  const paths = new Map<number, string>([[13, 'st.k']]);

  for (const [transform, sourceId] of transforms) {
    test(`${transform} of column ${sourceId}: one file per partition, tuple equal to Transform.apply of every row`, async () => {
      // A session time zone far from UTC must not move timestamptz rows between days or hours.
      await db.connection.run(`SET TimeZone = 'Asia/Kolkata'`);
      const spec: PartitionSpec = { specId: 1, fields: [{ sourceId, fieldId: 1000, name: `p_${sourceId}`, transform }] };
      const files = await write(source, s, spec);
      await db.connection.run(`SET TimeZone = 'UTC'`);
      const type = types.get(sourceId) as PrimitiveType;
      const t = parseTransform(transform);
      const column = paths.get(sourceId) ?? quoteIdent(s.fields.find((f) => f.id === sourceId)?.name ?? '');
      const seen = new Set<string>();
      let total = 0;
      for (const file of files) {
        const values = await rows(`SELECT ${canonicalExpr(column, type)} FROM read_parquet(${quoteString(file.localPath)})`);
        assert.equal(values.length, file.recordCount);
        total += values.length;
        for (const [raw] of values) {
          const expected = t.apply(canonicalToValue(raw as never, type), type);
          assert.equal(compareValues(t.resultType(type), file.partition[0] ?? null, expected), 0, `${String(raw)} → ${String(expected)}`);
        }
        const key = file.partitionPath;
        assert.ok(!seen.has(key), `partition ${key} written once`);
        seen.add(key);
        assert.equal(file.partitionPath, `p_${sourceId}=${encodeURIComponent(t.toHumanString(file.partition[0] ?? null, type)).replaceAll('%20', '+')}`);
      }
      assert.equal(total, 40);
      const distinct = new Set<string>();
      for (const [raw] of await rows(`SELECT ${canonicalExpr(column, type)} FROM (${source})`)) {
        distinct.add(keyOf(t.apply(canonicalToValue(raw as never, type), type)));
      }
      assert.equal(files.length, distinct.size);
    });
  }

  test('two partition fields give the cross product of the tuples that occur', async () => {
    const spec: PartitionSpec = {
      specId: 2,
      fields: [
        { sourceId: 4, fieldId: 1000, name: 'dt_month', transform: 'month' },
        { sourceId: 7, fieldId: 1001, name: 's/trunc', transform: 'truncate[1]' },
      ],
    };
    const files = await write(source, s, spec);
    const expected = await rows(
      `SELECT count(*) FROM (SELECT DISTINCT (year(dt) - 1970) * 12 + month(dt) - 1, left(s, 1) FROM (${source}))`,
    );
    assert.equal(files.length, Number(expected[0]?.[0]));
    const file = files.find((f) => f.partition[1] === null);
    assert.ok(file?.partitionPath.endsWith('/s%2Ftrunc=null'), file?.partitionPath);
  });
});

describe('writeDataFiles string and binary bounds', () => {
  const s = schema(1, [field(1, 's', Types.string), field(2, 'b', Types.binary)]);
  const utf8 = new TextEncoder();

  test('values longer than 16 code points get valid truncated bounds (UTF-8 byte order)', async () => {
    const values = [
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'zzzzzzzzzzzzzzzzzzzzzzzzzz',
      `éééééééééééééééééé${'é'.repeat(300)}`,
      '🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉',
      `${'\u{10FFFF}'.repeat(20)}`,
      'short',
    ];
    const source = `SELECT s, encode(s) AS b FROM (VALUES ${values.map((v) => `(${quoteString(v)})`).join(', ')}) AS v(s)`;
    const [file] = await write(source, s);
    assert.ok(file !== undefined);
    const lower = deserializeValue(Types.string, file.lowerBounds.get(1) ?? new Uint8Array()) as string;
    const upper = file.upperBounds.get(1);
    const sorted = [...values].sort((a, b) => compareBytes(utf8.encode(a), utf8.encode(b)));
    assert.equal(lower, truncateLowerString(sorted[0] ?? ''));
    // The max is 20 × U+10FFFF: no code point of its prefix can be incremented, so no upper bound.
    assert.equal(upper, undefined);
    for (const v of values) assert.ok(compareBytes(file.lowerBounds.get(1) ?? new Uint8Array(), utf8.encode(v)) <= 0, v);
    const lowerBin = file.lowerBounds.get(2) ?? new Uint8Array();
    assert.equal(lowerBin.length, 16);
    for (const v of values) assert.ok(compareBytes(lowerBin, utf8.encode(v)) <= 0);
  });

  test('upper bounds are incremented prefixes, even where DuckDB cut its own statistics short', async () => {
    const values = ['abc', `x${'é'.repeat(300)}`, `x${'é'.repeat(100)}`];
    const source = `SELECT s, encode(s) AS b FROM (VALUES ${values.map((v) => `(${quoteString(v)})`).join(', ')}) AS v(s)`;
    const [file] = await write(source, s);
    assert.ok(file !== undefined);
    const upper = deserializeValue(Types.string, file.upperBounds.get(1) ?? new Uint8Array()) as string;
    assert.equal(upper, truncateUpperString(values[1] ?? ''));
    assert.equal(upper, `x${'é'.repeat(14)}ê`);
    for (const v of values) {
      assert.ok(compareBytes(utf8.encode(v), file.upperBounds.get(1) ?? new Uint8Array()) <= 0, v);
      assert.ok(compareBytes(utf8.encode(v), file.upperBounds.get(2) ?? new Uint8Array()) <= 0, v);
    }
    assert.equal(deserializeValue(Types.string, file.lowerBounds.get(1) ?? new Uint8Array()), 'abc');
  });
});

describe('writeDataFiles target file size', () => {
  const s = schema(1, [field(1, 'i', Types.long, true), field(2, 'h', Types.string), field(3, 'p', Types.int)]);
  const source = `SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS h, (i % 2)::INTEGER AS p FROM range(600000) AS r(i)`;

  test('large partitions are split into several files whose stats match their rows', async () => {
    const spec: PartitionSpec = { specId: 1, fields: [{ sourceId: 3, fieldId: 1000, name: 'p', transform: 'identity' }] };
    const files = await write(source, s, spec, 4_000_000);
    const byPartition = new Map<string, WrittenDataFile[]>();
    for (const f of files) byPartition.set(f.partitionPath, [...(byPartition.get(f.partitionPath) ?? []), f]);
    assert.deepEqual([...byPartition.keys()].sort(), ['p=0', 'p=1']);
    for (const group of byPartition.values()) assert.ok(group.length > 1, `${group.length} files`);
    let total = 0;
    for (const f of files) {
      const [row] = await rows(`SELECT count(*), min(i), max(i), count(DISTINCT p) FROM read_parquet(${quoteString(f.localPath)})`);
      assert.equal(Number(row?.[0]), f.recordCount);
      assert.equal(deserializeValue(Types.long, f.lowerBounds.get(1) ?? new Uint8Array()), row?.[1]);
      assert.equal(deserializeValue(Types.long, f.upperBounds.get(1) ?? new Uint8Array()), row?.[2]);
      assert.equal(Number(row?.[3]), 1);
      total += f.recordCount;
    }
    assert.equal(total, 600000);
  });
});

function keyOf(value: IcebergValue): string {
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('hex')}`;
  return `${typeof value}:${String(value)}`;
}
