/**
 * Every DuckDB type, as the real engine produces it, through write → JSON / CSV / Arrow pages.
 * Arrow bytes are decoded with apache-arrow's own `tableFromIPC`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableFromIPC, util, type Vector } from 'apache-arrow';
import { DuckDbEngine, type ColumnInfo } from '../../engine/index.ts';
import { LocalObjectStore } from '../../storage/index.ts';
import { DuckDbRuntime } from '../../table/index.ts';
import { LakeResultStore } from './index.ts';

interface TypeCase {
  readonly name: string;
  readonly sql: string;
  readonly duckdbType: string;
  /** The value in a JSON page. */
  readonly json: unknown;
  readonly arrowType: string;
  /** The exact stored Arrow value (raw epoch bigint for timestamps, unscaled bigint for decimals). */
  readonly arrow: unknown;
}

const BIG = 9007199254740993n;
const CASES: readonly TypeCase[] = [
  { name: 'i8', sql: '(-128)::TINYINT', duckdbType: 'TINYINT', json: -128, arrowType: 'Int8', arrow: -128 },
  { name: 'i16', sql: '32767::SMALLINT', duckdbType: 'SMALLINT', json: 32767, arrowType: 'Int16', arrow: 32767 },
  { name: 'i32', sql: '(-2147483648)::INTEGER', duckdbType: 'INTEGER', json: -2147483648, arrowType: 'Int32', arrow: -2147483648 },
  { name: 'i64', sql: `${BIG}::BIGINT`, duckdbType: 'BIGINT', json: String(BIG), arrowType: 'Int64', arrow: BIG },
  { name: 'i64_safe', sql: '(-42)::BIGINT', duckdbType: 'BIGINT', json: -42, arrowType: 'Int64', arrow: -42n },
  { name: 'u8', sql: '255::UTINYINT', duckdbType: 'UTINYINT', json: 255, arrowType: 'Uint8', arrow: 255 },
  { name: 'u16', sql: '65535::USMALLINT', duckdbType: 'USMALLINT', json: 65535, arrowType: 'Uint16', arrow: 65535 },
  { name: 'u32', sql: '4294967295::UINTEGER', duckdbType: 'UINTEGER', json: 4294967295, arrowType: 'Uint32', arrow: 4294967295 },
  { name: 'u64', sql: '18446744073709551615::UBIGINT', duckdbType: 'UBIGINT', json: '18446744073709551615', arrowType: 'Uint64', arrow: 18446744073709551615n },
  {
    name: 'huge',
    sql: '170141183460469231731687303715884105727::HUGEINT',
    duckdbType: 'HUGEINT',
    json: '170141183460469231731687303715884105727',
    arrowType: 'Utf8',
    arrow: '170141183460469231731687303715884105727',
  },
  { name: 'f32', sql: '1.5::FLOAT', duckdbType: 'FLOAT', json: 1.5, arrowType: 'Float32', arrow: 1.5 },
  { name: 'f64', sql: '0.1::DOUBLE', duckdbType: 'DOUBLE', json: 0.1, arrowType: 'Float64', arrow: 0.1 },
  { name: 'nan', sql: "'NaN'::DOUBLE", duckdbType: 'DOUBLE', json: 'NaN', arrowType: 'Float64', arrow: Number.NaN },
  {
    name: 'd38',
    sql: "'-12345678901234567890.123456789012345678'::DECIMAL(38,18)",
    duckdbType: 'DECIMAL(38,18)',
    json: '-12345678901234567890.123456789012345678',
    arrowType: 'Decimal[38e+18]',
    arrow: -12345678901234567890123456789012345678n,
  },
  { name: 'd10', sql: '12.3::DECIMAL(10,2)', duckdbType: 'DECIMAL(10,2)', json: '12.30', arrowType: 'Decimal[10e+2]', arrow: 1230n },
  { name: 'flag', sql: 'true', duckdbType: 'BOOLEAN', json: true, arrowType: 'Bool', arrow: true },
  { name: 'text', sql: `'héllo, "w"' || chr(10) || 'x'`, duckdbType: 'VARCHAR', json: 'héllo, "w"\nx', arrowType: 'Utf8', arrow: 'héllo, "w"\nx' },
  { name: 'empty', sql: "''", duckdbType: 'VARCHAR', json: '', arrowType: 'Utf8', arrow: '' },
  {
    name: 'id',
    sql: "'8F14E45F-CEEA-467F-A0E6-000000000001'::UUID",
    duckdbType: 'UUID',
    json: '8f14e45f-ceea-467f-a0e6-000000000001',
    arrowType: 'Utf8',
    arrow: '8f14e45f-ceea-467f-a0e6-000000000001',
  },
  { name: 'day', sql: "DATE '2024-02-29'", duckdbType: 'DATE', json: '2024-02-29', arrowType: 'Date32<DAY>', arrow: Date.UTC(2024, 1, 29) },
  { name: 'day_bc', sql: "DATE '0044-03-15 (BC)'", duckdbType: 'DATE', json: '-000043-03-15', arrowType: 'Date32<DAY>', arrow: Date.UTC(-43, 2, 15) },
  {
    name: 'ts',
    sql: "TIMESTAMP '2024-01-31 10:15:00.123456'",
    duckdbType: 'TIMESTAMP',
    json: '2024-01-31T10:15:00.123456',
    arrowType: 'Timestamp<MICROSECOND>',
    arrow: 1706696100123456n,
  },
  {
    name: 'ts_tz',
    sql: "TIMESTAMPTZ '2024-01-31 12:15:00.5+02'",
    duckdbType: 'TIMESTAMP WITH TIME ZONE',
    json: '2024-01-31T10:15:00.5Z',
    arrowType: 'Timestamp<MICROSECOND, UTC>',
    arrow: 1706696100500000n,
  },
  {
    name: 'ts_ns',
    sql: "TIMESTAMP_NS '2024-01-31 10:15:00.123456789'",
    duckdbType: 'TIMESTAMP_NS',
    json: '2024-01-31T10:15:00.123456789',
    arrowType: 'Timestamp<NANOSECOND>',
    arrow: 1706696100123456789n,
  },
  { name: 'ts_inf', sql: "'infinity'::TIMESTAMP", duckdbType: 'TIMESTAMP', json: 'infinity', arrowType: 'Timestamp<MICROSECOND>', arrow: 2n ** 63n - 1n },
  { name: 'bytes', sql: "'\\xAA\\x00'::BLOB", duckdbType: 'BLOB', json: 'qgA=', arrowType: 'Binary', arrow: new Uint8Array([0xaa, 0x00]) },
  { name: 'list', sql: '[1, NULL, 3]', duckdbType: 'INTEGER[]', json: [1, null, 3], arrowType: 'Utf8', arrow: '[1,null,3]' },
  {
    name: 'rec',
    sql: "{'a': 1, 'b': 'x'}",
    duckdbType: 'STRUCT(a INTEGER, b VARCHAR)',
    json: { a: 1, b: 'x' },
    arrowType: 'Utf8',
    arrow: '{"a":1,"b":"x"}',
  },
  {
    name: 'kv',
    sql: `MAP {'k': ${BIG}::BIGINT}`,
    duckdbType: 'MAP(VARCHAR, BIGINT)',
    json: [{ key: 'k', value: String(BIG) }],
    arrowType: 'Utf8',
    arrow: `[{"key":"k","value":"${BIG}"}]`,
  },
  {
    name: 'span',
    sql: 'INTERVAL 1 DAY',
    duckdbType: 'INTERVAL',
    json: { months: 0, days: 1, micros: 0 },
    arrowType: 'Utf8',
    arrow: '{"months":0,"days":1,"micros":0}',
  },
  { name: 'clock', sql: "TIME '10:00:00.25'", duckdbType: 'TIME', json: '10:00:00.25', arrowType: 'Utf8', arrow: '10:00:00.25' },
];

/** RFC 4180 parser that tells an unquoted empty field (null) from `""` (empty string). */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        value += text.slice(i, quote);
        i = quote + 1;
        if (text[i] === '"') {
          value += '"';
          i++;
        } else break;
      }
      field = value;
    } else {
      const end = text.slice(i).search(/,|\r\n/);
      const value = text.slice(i, i + end);
      i += end;
      field = value === '' ? null : value;
    }
    row.push(field);
    if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else {
      assert.equal(text[i], ',', `unexpected character at ${i}`);
      i++;
    }
  }
  return rows;
}

function rawArrow(vector: Vector, index: number): unknown {
  const type = String(vector.type);
  if (type.startsWith('Decimal')) return BigInt(util.bigNumToString(vector.get(index)));
  if (type.startsWith('Timestamp')) return (vector.data[0]?.values as BigInt64Array)[index];
  return vector.get(index);
}

describe('result formats: every DuckDB type from the real engine', () => {
  let dir = '';
  let runtime: DuckDbRuntime;
  let engine: DuckDbEngine;
  let results: LakeResultStore;
  let columns: readonly ColumnInfo[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-results-'));
    runtime = await DuckDbRuntime.create({ tempDirectory: join(dir, 'tmp'), threads: 1 });
    engine = DuckDbEngine.create(runtime, { poolSize: 1 });
    results = await LakeResultStore.open({ store: new LocalObjectStore(join(dir, 'results')), retentionMs: 60_000, rowsPerPart: 1 });
    // Row 1 holds every value, row 2 every NULL; one row per part, so pages cross a part boundary.
    const select = CASES.map((c) => `CASE WHEN k = 1 THEN ${c.sql} END AS ${c.name}`).join(', ');
    const query = await engine.query(`SELECT ${select} FROM (VALUES (1), (2)) v(k) ORDER BY k`);
    columns = query.columns;
    await results.write('q-types', query.columns, query);
  });
  after(async () => {
    await engine.close();
    runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the engine reports the DuckDB types the cases expect', () => {
    assert.deepEqual(
      columns.map((c) => c.type.replaceAll('"', '')),
      CASES.map((c) => c.duckdbType),
    );
  });

  test('JSON page: row objects, exact values, then all nulls', async () => {
    const page = await results.page('q-types', { offset: 0, limit: 100, format: 'json' });
    assert.equal(page.contentType, 'application/json; charset=utf-8');
    assert.equal(page.rows, 2);
    assert.equal(page.nextOffset, undefined);
    const rows = JSON.parse(String(page.body)) as Record<string, unknown>[];
    assert.deepEqual(rows[0], Object.fromEntries(CASES.map((c) => [c.name, c.json])));
    assert.deepEqual(rows[1], Object.fromEntries(CASES.map((c) => [c.name, null])));
  });

  test('CSV page: header, RFC 4180 quoting, CRLF, NULL distinct from empty string', async () => {
    const page = await results.page('q-types', { offset: 0, limit: 100, format: 'csv' });
    assert.match(page.contentType, /^text\/csv/);
    const body = String(page.body);
    assert.ok(body.endsWith('\r\n'));
    const [header, values, nulls, ...rest] = parseCsv(body);
    assert.deepEqual(header, CASES.map((c) => c.name));
    assert.deepEqual(
      values,
      CASES.map((c) => (typeof c.json === 'string' ? c.json : JSON.stringify(c.json))),
    );
    assert.deepEqual(nulls, CASES.map(() => null));
    assert.deepEqual(rest, []);
  });

  test('Arrow page: decodes with tableFromIPC to the mapped types and exact values', async () => {
    const page = await results.page('q-types', { offset: 0, limit: 100, format: 'arrow' });
    assert.equal(page.contentType, 'application/vnd.apache.arrow.stream');
    assert.ok(page.body instanceof Uint8Array);
    const table = tableFromIPC(page.body);
    assert.equal(table.numRows, 2);
    for (const c of CASES) {
      const vector = table.getChild(c.name);
      assert.ok(vector, c.name);
      assert.equal(String(vector.type), c.arrowType, c.name);
      assert.deepEqual(rawArrow(vector, 0), c.arrow, c.name);
      assert.equal(vector.get(1), null, `${c.name} row 2`);
      const field = table.schema.fields.find((f) => f.name === c.name);
      assert.equal(field?.metadata.get('strata.duckdb_type')?.replaceAll('"', ''), c.duckdbType);
    }
  });

  test('pages of one row each give the same values as the whole', async () => {
    const first = await results.page('q-types', { offset: 0, limit: 1, format: 'json' });
    const second = await results.page('q-types', { offset: 1, limit: 1, format: 'arrow' });
    assert.equal(first.nextOffset, 1);
    assert.equal(second.nextOffset, undefined);
    assert.equal((JSON.parse(String(first.body)) as Record<string, unknown>[])[0]?.['d38'], '-12345678901234567890.123456789012345678');
    const table = tableFromIPC(second.body as Uint8Array);
    assert.equal(table.numRows, 1);
    assert.equal(table.getChild('i64')?.get(0), null);
  });
});
