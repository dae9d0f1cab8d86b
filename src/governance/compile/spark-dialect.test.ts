// The Spark policy dialect: quoting and types without Spark, then every mask kind over every
// Iceberg type evaluated by a real Spark Connect server and by embedded DuckDB on the same rows,
// which must agree value for value.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { DuckDbEngine, type Engine } from '../../engine/index.ts';
import { SparkConnectClient } from '../../engine/spark/connect/spark-connect-client.ts';
import { sparkConnectSkipReason, startSparkConnectServer, type SparkConnectTestServer } from '../../engine/spark/testing/spark-connect-server.ts';
import { DuckDbRuntime } from '../../table/index.ts';
import type { ColumnDecision, ReadDecision } from '../decision/decisions.ts';
import type { MaskFunction, PrincipalContext } from '../model.ts';
import { compileGovernedRelation, duckDbDialect, parseIcebergTypeText, renderPolicySql, sparkDialect, sparkType, type PolicyDialect } from './index.ts';

const KEY = '00112233445566778899aabbccddeeff';
const ALICE: PrincipalContext = { name: "alice'\\", administrator: false, groups: ['analysts'], roles: [], attributes: { region: 'eu' } };
const HOSTILE = ["it's", 'a\\b', "x\\' OR true --", 'tab\there\nnewline', '\\u0027', '${env:HOME}', '/* not a comment */ -- nor this', '""`'];

describe('sparkDialect quoting (no Spark needed)', () => {
  test('names are backtick-quoted with backticks doubled; a name holding "${" is refused', () => {
    assert.equal(sparkDialect.quoteIdent('a"b`c'), '`a"b``c`');
    assert.throws(() => sparkDialect.quoteIdent('x${y}'), (e: unknown) => StrataError.is(e, 'UNSUPPORTED_FEATURE'));
  });

  test('string literals escape backslash, quote and $ so Spark reads the text back exactly', () => {
    assert.equal(sparkDialect.quoteString("it's \\ ${x}"), "'it\\'s \\\\ \\u0024{x}'");
  });

  test('Iceberg types map to the types Iceberg\'s Spark integration reads; time is refused', () => {
    const cases: readonly [string, string][] = [
      ['string', 'STRING'],
      ['uuid', 'STRING'],
      ['int', 'INT'],
      ['long', 'BIGINT'],
      ['decimal(10, 2)', 'DECIMAL(10,2)'],
      ['timestamp', 'TIMESTAMP_NTZ'],
      ['timestamptz', 'TIMESTAMP'],
      ['fixed[16]', 'BINARY'],
      ['struct<a: int, b: list<string>>', 'STRUCT<`a`: INT, `b`: ARRAY<STRING>>'],
      ['map<string, double>', 'MAP<STRING, DOUBLE>'],
    ];
    for (const [iceberg, spark] of cases) assert.equal(sparkType(parseIcebergTypeText(iceberg)), spark);
    assert.throws(() => sparkDialect.maskExpression({ kind: 'null' }, 'c', 'time', KEY), (e: unknown) => StrataError.is(e, 'UNSUPPORTED_FEATURE'));
  });

  test('policy text is re-spelled for Spark: literals, quoted names, comments dropped, ${ refused', () => {
    const sql = "\"Region\" = 'it''s \\' -- trailing \\\n AND is_member('analysts') /*+ HINT */";
    assert.equal(renderPolicySql(sql, sparkDialect, { principal: ALICE }), "`Region` = 'it\\'s \\\\'  \n AND TRUE  ");
    assert.equal(renderPolicySql(sql, duckDbDialect, { principal: ALICE }), sql.replace("is_member('analysts')", 'TRUE'));
    assert.equal(renderPolicySql('upper(value) || "value"', sparkDialect, { value: 'strata_base.`v`' }), 'upper(strata_base.`v`) || `value`');
    assert.throws(() => renderPolicySql('a = ${x}', sparkDialect), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });
});

/** One column of the comparison table: its Iceberg type and its raw value per row, as text (NULL: null). */
interface Column {
  readonly name: string;
  readonly type: string;
  readonly values: readonly (string | null)[];
}

const COLUMNS: readonly Column[] = [
  { name: 's', type: 'string', values: ['alice@example.com', 'bo', '', "it's ünïcode 😀 \\ done", 'a\\b', null] },
  { name: 'we"ird`name', type: 'string', values: ['x', 'yy', 'zzz', '', 'w', null] },
  { name: 'l', type: 'long', values: ['42', '-7', '0', '9223372036854775807', '-9223372036854775808', null] },
  { name: 'i', type: 'int', values: ['7', '-13', '0', '2147483647', '-2147483648', null] },
  { name: 'f', type: 'float', values: ['1234.5', '-0.5', '1.1', '3.4e38', 'NaN', null] },
  { name: 'd', type: 'double', values: ['2.675', '1.005', '-1234.5', '1e300', '-Infinity', null] },
  { name: 'dec', type: 'decimal(10, 2)', values: ['12.34', '-12.50', '0.00', '99999999.99', '-0.01', null] },
  { name: 'small', type: 'decimal(4, 2)', values: ['99.99', '-0.05', '1.25', '0.00', '-99.99', null] },
  { name: 'big', type: 'decimal(38, 10)', values: ['1234567890123.0123456789', '0E-10', '-0.0000000001', '9999999999999999999999999999.9999999999', '1', null] },
  { name: 'dt', type: 'date', values: ['2024-05-17', '2023-12-31', '1969-12-31', '2000-02-29', '1900-01-01', null] },
  { name: 'ts', type: 'timestamp', values: ['2024-05-17 10:37:12.345678', '1969-12-31 23:59:59.999999', '2000-01-01 00:00:00', '2024-02-29 23:00:01', '1999-12-31 12:30:00', null] },
  { name: 'tz', type: 'timestamptz', values: ['2024-05-17 10:37:12.345678+00:00', '1969-12-31 23:59:59.999999+00:00', '2000-01-01 00:00:00+00:00', '2024-02-29 23:00:01+00:00', '1999-12-31 12:30:00+00:00', null] },
  { name: 'u', type: 'uuid', values: ['01234567-89ab-cdef-0123-456789abcdef', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '12345678-1234-1234-1234-123456789abc', 'abcdefab-cdef-abcd-efab-cdefabcdefab', null] },
  { name: 'b', type: 'binary', values: ['AB01', '', '00', 'FFFFFFFF', '0102030405', null] },
  { name: 'fx', type: 'fixed[4]', values: ['DEADBEEF', '00000000', '01020304', 'FFFFFFFF', 'A0B0C0D0', null] },
  { name: 'flag', type: 'boolean', values: ['true', 'false', 'true', 'false', 'true', null] },
  { name: 'region', type: 'string', values: ['eu', "it's", 'a\\b', "x\\' OR true --", '${env:HOME}', 'us'] },
];
const ROWS = COLUMNS[0]?.values.length ?? 0;

/** The typed scan both engines read: VALUES of text literals, cast per column, plus a row key `k`. */
function scanSql(dialect: PolicyDialect): string {
  const spark = dialect.name === 'spark';
  const rows = Array.from({ length: ROWS }, (_, r) => `(${r}, ${COLUMNS.map((c) => (c.values[r] === null ? 'NULL' : dialect.quoteString(c.values[r] ?? ''))).join(', ')})`);
  const names = ['k', ...COLUMNS.map((_, i) => `c${i}`)];
  const items = COLUMNS.map((c, i) => {
    const type = parseIcebergTypeText(c.type);
    const raw = `c${i}`;
    let value: string;
    if (type.kind === 'binary' || type.kind === 'fixed') value = spark ? `unhex(${raw})` : `from_hex(${raw})`;
    else if (spark) value = type.kind === 'string' || type.kind === 'uuid' ? raw : `CAST(${raw} AS ${sparkType(type)})`;
    else value = `CAST(${raw} AS ${type.kind === 'uuid' ? 'UUID' : type.kind === 'timestamptz' ? 'TIMESTAMPTZ' : duckTypeOf(c.type)})`;
    return `${value} AS ${dialect.quoteIdent(c.name)}`;
  });
  const from = spark ? `VALUES ${rows.join(', ')} AS v(${names.join(', ')})` : `(VALUES ${rows.join(', ')}) v(${names.join(', ')})`;
  return `SELECT k, ${items.join(', ')} FROM ${from}`;
}

function duckTypeOf(icebergType: string): string {
  const t = parseIcebergTypeText(icebergType);
  switch (t.kind) {
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'timestamp':
      return 'TIMESTAMP';
    case 'string':
      return 'VARCHAR';
    default:
      return { int: 'INTEGER', long: 'BIGINT', float: 'FLOAT', double: 'DOUBLE', date: 'DATE', boolean: 'BOOLEAN' }[t.kind as string] ?? 'VARCHAR';
  }
}

function decision(masks: Readonly<Record<string, MaskFunction>>, filters: readonly string[] = [], hashKey = KEY): ReadDecision {
  const columns: ColumnDecision[] = [{ name: 'k', type: 'int' }, ...COLUMNS].map((c) => {
    const fn = masks[c.name];
    return {
      name: c.name,
      type: c.type,
      readable: true,
      grants: [],
      tags: {},
      ...(fn ? { mask: { policy: `mask_${c.name}`, function: fn, hashKey, via: 'column' as const, outranked: [] } } : {}),
    };
  });
  return { table: 'db.t', allowed: true, columns, rowFilters: filters.map((predicate, i) => ({ name: `f${i}`, predicate, via: 'table' as const })) };
}

/** Every column masked by `fn` (the key column `k` stays raw, to order by). */
const everywhere = (fn: MaskFunction): Record<string, MaskFunction> => Object.fromEntries(COLUMNS.map((c) => [c.name, fn]));

/** JS forms that differ only in spelling: trailing zeros of a timestamp's fraction; Buffer vs Uint8Array. */
function normalise(value: unknown): unknown {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\./.test(value)) return value.replace(/0+(?=(\+00)?$)/, '').replace(/\.(?=(\+00)?$)/, '');
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return value;
}

const skip = sparkConnectSkipReason();

describe('sparkDialect gives DuckDB\'s values on a real Spark', { skip }, () => {
  let server: SparkConnectTestServer | undefined;
  let spark: SparkConnectClient;
  let runtime: DuckDbRuntime;
  let duck: Engine;

  before(
    async () => {
      runtime = await DuckDbRuntime.create({ threads: 1 });
      duck = DuckDbEngine.create(runtime, { poolSize: 1 });
      server = await startSparkConnectServer();
      spark = SparkConnectClient.connect(server.url);
      await spark.config.set({ 'spark.sql.ansi.enabled': 'true', 'spark.sql.ansi.doubleQuotedIdentifiers': 'true', 'spark.sql.session.timeZone': 'UTC' });
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await spark?.close();
    await server?.stop();
    await duck?.close();
    runtime?.close();
  });

  const collect = async (result: AsyncIterable<readonly unknown[][]> & { readonly columns: readonly { name: string; type: string }[] }) => {
    const rows: unknown[][] = [];
    for await (const batch of result) rows.push(...batch);
    return { columns: result.columns, rows: rows.map((r) => r.map(normalise)) };
  };
  const both = async (masks: Readonly<Record<string, MaskFunction>>, filters: readonly string[] = [], principal = ALICE, hashKey = KEY) => {
    const d = decision(masks, filters, hashKey);
    const ordered = (dialect: PolicyDialect): string => `SELECT * FROM (${compileGovernedRelation(scanSql(dialect), d, principal, dialect)}) AS g ORDER BY k`;
    const [onDuck, onSpark] = await Promise.all([duck.query(ordered(duckDbDialect)).then(collect), spark.sql(ordered(sparkDialect)).then(collect)]);
    return { duck: onDuck, spark: onSpark };
  };
  /** Asserts both engines agree on every column except `sparkNull` ones, which must be NULL on Spark; and Spark keeps each column's type. */
  const same = async (masks: Readonly<Record<string, MaskFunction>>, options: { filters?: readonly string[]; principal?: PrincipalContext; sparkNull?: readonly string[]; hashKey?: string } = {}) => {
    const result = await both(masks, options.filters, options.principal, options.hashKey);
    const names = result.spark.columns.map((c) => c.name);
    assert.deepEqual(names, ['k', ...COLUMNS.map((c) => c.name)]);
    assert.deepEqual(
      result.spark.columns.slice(1).map((c) => c.type),
      COLUMNS.map((c) => sparkType(parseIcebergTypeText(c.type))),
    );
    assert.equal(result.spark.rows.length, result.duck.rows.length);
    names.forEach((name, i) => {
      const onSpark = result.spark.rows.map((r) => r[i]);
      const onDuck = result.duck.rows.map((r) => r[i]);
      if (options.sparkNull?.includes(name)) assert.ok(onSpark.every((v) => v === null), `${name} should be NULL on Spark`);
      else assert.deepEqual(onSpark, onDuck, `column ${name}`);
    });
    return result;
  };

  test('the unmasked scan is the same in both engines (the comparison itself is sound)', async () => {
    const result = await same({});
    assert.equal(result.duck.rows.length, ROWS);
    assert.equal(result.spark.rows[3]?.[1], "it's ünïcode 😀 \\ done");
  });

  test('null and redact (default and hostile replacements)', async () => {
    await same(everywhere({ kind: 'null' }));
    await same(everywhere({ kind: 'redact' }));
    for (const replacement of HOSTILE) {
      const result = await same(everywhere({ kind: 'redact', replacement }));
      assert.equal(result.spark.rows[0]?.[1], replacement);
    }
  });

  test('hash is byte-identical HMAC-SHA256 for string, long, int, decimal, uuid, binary, fixed; float and double are NULL on Spark', async () => {
    for (const key of [KEY, 'aa'.repeat(131), 'not hex: ключ']) {
      const result = await same(everywhere({ kind: 'hash' }), { hashKey: key, sparkNull: ['f', 'd'] });
      assert.match(String(result.spark.rows[0]?.[1]), /^[0-9a-f]{64}$/);
    }
    const empty = await same(everywhere({ kind: 'hash' }), { hashKey: '' });
    assert.ok(empty.spark.rows.every((r) => r.slice(1).every((v) => v === null)));
  });

  test('partial keeps the last characters (code points, not UTF-16 units) with any fill', async () => {
    for (const keepLast of [0, 1, 4, 100, -1]) await same(everywhere({ kind: 'partial', keepLast }));
    for (const fill of ['#', '🙈', "'\\", '']) await same(everywhere({ kind: 'partial', keepLast: 2, fill }));
  });

  test('round on int, long, float, double and decimal, positive and negative digits, overflow to NULL', async () => {
    for (const digits of [0, 1, 2, -1, -2, -20, 5, 0.5]) await same(everywhere({ kind: 'round', digits }));
  });

  test('bucket by width on numbers and by unit on dates and timestamps', async () => {
    for (const width of [10, 5, 0.5, 2.5, 100, 0.1, 3, 0, -1, 1e-7, 1e21]) {
      await same(everywhere({ kind: 'bucket', width }), /e/.test(String(width)) ? { sparkNull: ['dec', 'small', 'big'] } : {});
    }
    for (const unit of ['year', 'month', 'day', 'hour', 'week'] as readonly ('year' | 'month' | 'day' | 'hour')[]) await same(everywhere({ kind: 'bucket', unit }));
  });

  test('expression masks: value, other raw columns, principal functions, hostile literals and comments', async () => {
    const expressions = [
      "CASE WHEN region = 'eu' THEN NULL ELSE upper(value) END",
      "value || ' ' || current_principal() || ' it''s \\ '",
      'left(value, 3) -- first three \\',
      "CASE WHEN is_member('analysts') /* analysts */ THEN value ELSE NULL END",
    ];
    const firstRow: string[] = [];
    for (const sql of expressions) {
      const result = await same({ s: { kind: 'expression', sql }, region: { kind: 'expression', sql: 'value' } });
      firstRow.push(String(result.spark.rows[0]?.[1]));
    }
    assert.deepEqual(firstRow, ['null', "alice@example.com alice'\\ it's \\ ", 'ali', 'alice@example.com']);
  });

  test('row filters: principal attributes with hostile values select the same single row', async () => {
    for (const region of ['eu', "it's", 'a\\b', "x\\' OR true --", '${env:HOME}']) {
      const principal = { ...ALICE, attributes: { region } };
      const result = await same({}, { principal, filters: ["region = current_principal_attribute('region')"] });
      assert.equal(result.spark.rows.length, 1, region);
    }
    const literal = await same({}, { filters: ["region = 'a\\b' OR s = 'it''s ünïcode 😀 \\ done'"] });
    assert.deepEqual(literal.spark.rows.map((r) => r[0]), [2, 3]);
  });

  test('null, redact and hash on nested columns give NULL of the nested type in both engines', async () => {
    const nested = [
      { name: 'l', type: 'list<int>', duck: '[1, 2]::INTEGER[]', spark: 'array(1, 2)' },
      { name: 'st', type: 'struct<a: string, b: long>', duck: "{'a': 'x', 'b': 2}::STRUCT(a VARCHAR, b BIGINT)", spark: "named_struct('a', 'x', 'b', 2L)" },
      { name: 'm', type: 'map<string, double>', duck: "MAP {'k': 1.5}::MAP(VARCHAR, DOUBLE)", spark: "map('k', 1.5D)" },
    ];
    for (const kind of ['null', 'redact', 'hash'] as const) {
      const d: ReadDecision = {
        table: 'db.n',
        allowed: true,
        rowFilters: [],
        columns: nested.map((c) => ({ name: c.name, type: c.type, readable: true, grants: [], tags: {}, mask: { policy: 'm', function: { kind }, hashKey: KEY, via: 'column' as const, outranked: [] } })),
      };
      const sql = (dialect: PolicyDialect, pick: (c: (typeof nested)[number]) => string): string =>
        compileGovernedRelation(`SELECT ${nested.map((c) => `${pick(c)} AS ${dialect.quoteIdent(c.name)}`).join(', ')}`, d, ALICE, dialect);
      const [onDuck, onSpark] = await Promise.all([duck.query(sql(duckDbDialect, (c) => c.duck)).then(collect), spark.sql(sql(sparkDialect, (c) => c.spark)).then(collect)]);
      assert.deepEqual(onSpark.rows, [[null, null, null]], kind);
      assert.deepEqual(onDuck.rows, onSpark.rows, kind);
      assert.deepEqual(onSpark.columns.map((c) => c.type), ['ARRAY<INT>', 'STRUCT<a: STRING, b: BIGINT>', 'MAP<STRING, DOUBLE>'], kind);
    }
  });

  test('a filter ending in a comment with a trailing backslash cannot swallow the next filter on Spark', async () => {
    const result = await same({}, { filters: ['k > 1 -- keep \\', 'k < 4'] });
    assert.deepEqual(result.spark.rows.map((r) => r[0]), [2, 3]);
  });
});
