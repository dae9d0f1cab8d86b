import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StrataError } from '../../core/index.ts';
import type { ColumnDecision, ReadDecision } from '../decision/decisions.ts';
import type { MaskFunction, PrincipalContext } from '../model.ts';
import { compileGovernedRelation } from './index.ts';

/** A typed three-row table: a full row, a short/negative row, and an all-NULL row. */
const SCAN = `SELECT email::VARCHAR AS email, id::BIGINT AS id, n::INTEGER AS n, amount::DOUBLE AS amount,
  price::DECIMAL(10,2) AS price, day::DATE AS day, ts::TIMESTAMP AS ts, flag::BOOLEAN AS flag, u::UUID AS u, region::VARCHAR AS region
FROM (VALUES
  ('alice@example.com', 42, 7, 1234.5, 12.34, DATE '2024-05-17', TIMESTAMP '2024-05-17 10:37:12', TRUE, '0123456789abcdef0123456789abcdef', 'eu'),
  ('bo', -7, -13, -0.5, -12.5, DATE '2023-12-31', TIMESTAMP '2023-12-31 23:59:59', FALSE, NULL, 'us'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'eu')
) v(email, id, n, amount, price, day, ts, flag, u, region)`;

const COLUMNS: readonly { name: string; type: string }[] = [
  { name: 'email', type: 'string' },
  { name: 'id', type: 'long' },
  { name: 'n', type: 'int' },
  { name: 'amount', type: 'double' },
  { name: 'price', type: 'decimal(10, 2)' },
  { name: 'day', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'flag', type: 'boolean' },
  { name: 'u', type: 'uuid' },
  { name: 'region', type: 'string' },
];

const KEY = '00112233445566778899aabbccddeeff';

const ALICE: PrincipalContext = { name: 'alice', administrator: false, groups: ['analysts'], roles: ['reader'], attributes: { region: 'eu' } };

interface Options {
  readonly masks?: Readonly<Record<string, MaskFunction>>;
  readonly hidden?: readonly string[];
  readonly filters?: readonly string[];
  readonly hashKey?: string;
  readonly columns?: readonly { name: string; type: string }[];
}

function decision(options: Options = {}): ReadDecision {
  const columns: ColumnDecision[] = (options.columns ?? COLUMNS).map((c) => {
    const readable = !(options.hidden ?? []).includes(c.name);
    const fn = options.masks?.[c.name];
    return {
      name: c.name,
      type: c.type,
      readable,
      grants: [],
      tags: {},
      ...(fn ? { mask: { policy: `mask_${c.name}`, function: fn, hashKey: options.hashKey ?? KEY, via: 'column' as const, outranked: [] } } : {}),
      ...(readable ? {} : { reason: `no SELECT grant covers column ${c.name}` }),
    };
  });
  return {
    table: 'sales.customers',
    allowed: columns.some((c) => c.readable),
    columns,
    rowFilters: (options.filters ?? []).map((predicate, i) => ({ name: `filter_${i}`, predicate, via: 'table' as const })),
  };
}

const hmac = (key: string, text: string): string => createHmac('sha256', Buffer.from(key, 'hex')).update(text).digest('hex');

describe('compileGovernedRelation on DuckDB', () => {
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

  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  const types = async (sql: string): Promise<Record<string, string>> =>
    Object.fromEntries((await rows(`DESCRIBE ${sql}`)).map((r) => [String(r['column_name']), String(r['column_type'])]));
  /** The values of one column of the governed relation, in row order, and its type. */
  const column = async (name: string, options: Options, principal = ALICE): Promise<{ values: unknown[]; type: string | undefined }> => {
    const sql = compileGovernedRelation(SCAN, decision(options), principal);
    return { values: (await rows(sql)).map((r) => r[name]), type: (await types(sql))[name] };
  };

  test('without masks every readable column passes through with its type', async () => {
    const sql = compileGovernedRelation(SCAN, decision(), ALICE);
    assert.deepEqual(await types(sql), await types(SCAN));
    assert.deepEqual(await rows(sql), await rows(SCAN));
  });

  test('unreadable columns are not in the relation at all', async () => {
    const sql = compileGovernedRelation(SCAN, decision({ hidden: ['email', 'u'] }), ALICE);
    assert.deepEqual(Object.keys(await types(sql)), ['id', 'n', 'amount', 'price', 'day', 'ts', 'flag', 'region']);
    await assert.rejects(rows(`SELECT email FROM (${sql})`), /email/);
  });

  test('a decision with no readable column is ACCESS_DENIED with its reason', () => {
    const denied = { ...decision({ hidden: COLUMNS.map((c) => c.name) }), reason: 'no SELECT grant covers sales.customers' };
    assert.throws(
      () => compileGovernedRelation(SCAN, denied, ALICE),
      (e: unknown) => StrataError.is(e, 'ACCESS_DENIED') && e.message === 'no SELECT grant covers sales.customers',
    );
  });

  type Case = readonly [column: string, mask: MaskFunction, values: readonly unknown[], type: string];
  const cases: readonly Case[] = [
    ['email', { kind: 'redact' }, ['****', '****', null], 'VARCHAR'],
    ['email', { kind: 'redact', replacement: "[it's hidden]" }, ["[it's hidden]", "[it's hidden]", null], 'VARCHAR'],
    ['id', { kind: 'redact' }, [null, null, null], 'BIGINT'],
    ['day', { kind: 'redact' }, [null, null, null], 'DATE'],
    ['email', { kind: 'null' }, [null, null, null], 'VARCHAR'],
    ['price', { kind: 'null' }, [null, null, null], 'DECIMAL(10,2)'],
    ['amount', { kind: 'null' }, [null, null, null], 'DOUBLE'],
    ['email', { kind: 'partial', keepLast: 4 }, ['*************.com', '**', null], 'VARCHAR'],
    ['email', { kind: 'partial', keepLast: 2, fill: '#' }, ['###############om', '##', null], 'VARCHAR'],
    ['email', { kind: 'partial', keepLast: 0 }, ['*****************', '**', null], 'VARCHAR'],
    ['email', { kind: 'partial', keepLast: -1 }, [null, null, null], 'VARCHAR'],
    ['id', { kind: 'partial', keepLast: 2 }, [null, null, null], 'BIGINT'],
    ['id', { kind: 'round', digits: -1 }, ['40', '-10', null], 'BIGINT'],
    ['n', { kind: 'round', digits: -1 }, [10, -10, null], 'INTEGER'],
    ['amount', { kind: 'round', digits: -2 }, [1200, -0, null], 'DOUBLE'],
    ['price', { kind: 'round', digits: 1 }, ['12.30', '-12.50', null], 'DECIMAL(10,2)'],
    ['email', { kind: 'round', digits: 0 }, [null, null, null], 'VARCHAR'],
    ['id', { kind: 'bucket', width: 10 }, ['40', '-10', null], 'BIGINT'],
    ['n', { kind: 'bucket', width: 5 }, [5, -15, null], 'INTEGER'],
    ['n', { kind: 'bucket', width: 2.5 }, [null, null, null], 'INTEGER'],
    ['amount', { kind: 'bucket', width: 100 }, [1200, -100, null], 'DOUBLE'],
    ['price', { kind: 'bucket', width: 5 }, ['10.00', '-15.00', null], 'DECIMAL(10,2)'],
    ['price', { kind: 'bucket', width: 0.5 }, ['12.00', '-12.50', null], 'DECIMAL(10,2)'],
    ['day', { kind: 'bucket', unit: 'month' }, ['2024-05-01', '2023-12-01', null], 'DATE'],
    ['day', { kind: 'bucket', unit: 'year' }, ['2024-01-01', '2023-01-01', null], 'DATE'],
    ['ts', { kind: 'bucket', unit: 'hour' }, ['2024-05-17 10:00:00', '2023-12-31 23:00:00', null], 'TIMESTAMP'],
    ['ts', { kind: 'bucket', unit: 'day' }, ['2024-05-17 00:00:00', '2023-12-31 00:00:00', null], 'TIMESTAMP'],
    ['id', { kind: 'bucket', unit: 'day' }, [null, null, null], 'BIGINT'],
    ['id', { kind: 'bucket', width: 0 }, [null, null, null], 'BIGINT'],
    ['day', { kind: 'bucket', width: 10 }, [null, null, null], 'DATE'],
    ['flag', { kind: 'bucket', width: 10 }, [null, null, null], 'BOOLEAN'],
    ['email', { kind: 'expression', sql: "CASE WHEN region = 'eu' THEN NULL ELSE upper(VALUE) END" }, [null, 'BO', null], 'VARCHAR'],
    ['email', { kind: 'expression', sql: 'left(value, 3) -- first three' }, ['ali', 'bo', null], 'VARCHAR'],
  ];
  for (const [name, fn, values, type] of cases) {
    test(`${fn.kind} ${JSON.stringify(fn)} on ${name}`, async () => {
      const result = await column(name, { masks: { [name]: fn } });
      assert.deepEqual(result.values, values);
      assert.equal(result.type, type);
    });
  }

  test('an expression mask reads other columns raw, even when they are masked themselves', async () => {
    const result = await column('email', { masks: { email: { kind: 'expression', sql: "value || '/' || n" }, n: { kind: 'null' } } });
    assert.deepEqual(result.values, ['alice@example.com/7', 'bo/-13', null]);
  });

  test('an expression mask may call principal functions', async () => {
    const fn: MaskFunction = { kind: 'expression', sql: "CASE WHEN is_member('hr') OR current_principal() = 'root' THEN value ELSE '?' END" };
    assert.deepEqual((await column('email', { masks: { email: fn } })).values, ['?', '?', '?']);
    const hr = { ...ALICE, groups: ['hr'] };
    assert.deepEqual((await column('email', { masks: { email: fn } }, hr)).values, ['alice@example.com', 'bo', null]);
  });

  test('null, redact and hash on nested and binary columns keep the column type', async () => {
    const nested = `SELECT [1, 2]::INTEGER[] AS l, {'a': 'x', 'b': 2}::STRUCT(a VARCHAR, b BIGINT) AS s, MAP {'k': 1.5}::MAP(VARCHAR, DOUBLE) AS m, '\\xAB'::BLOB AS b`;
    const cols = [
      { name: 'l', type: 'list<int>' },
      { name: 's', type: 'struct<a: string, b: long>' },
      { name: 'm', type: 'map<string, double>' },
      { name: 'b', type: 'binary' },
    ];
    for (const kind of ['null', 'redact', 'hash'] as const) {
      const sql = compileGovernedRelation(nested, decision({ columns: cols, masks: { l: { kind }, s: { kind }, m: { kind }, b: { kind } } }), ALICE);
      assert.deepEqual(await types(sql), await types(nested), kind);
      const [row] = await rows(sql);
      assert.deepEqual([row?.['l'], row?.['s'], row?.['m']], [null, null, null], kind);
    }
    const hashedBlob = await connection.runAndReadAll(
      `SELECT hex(b) AS h FROM (${compileGovernedRelation(nested, decision({ columns: cols, masks: { b: { kind: 'hash' } } }), ALICE)})`,
    );
    assert.equal(String(hashedBlob.getRows()[0]?.[0]).toLowerCase(), createHmac('sha256', Buffer.from(KEY, 'hex')).update(Buffer.from([0xab])).digest('hex'));
  });

  describe('hash', () => {
    const hashed = (options: Options = {}): Promise<Record<string, unknown>[]> =>
      rows(compileGovernedRelation(SCAN, decision({ masks: Object.fromEntries(COLUMNS.map((c) => [c.name, { kind: 'hash' }])), ...options }), ALICE));

    test('strings become the lowercase hex HMAC-SHA256 of the value under the mask key; NULL stays NULL', async () => {
      const result = await hashed();
      assert.deepEqual(
        result.map((r) => r['email']),
        [hmac(KEY, 'alice@example.com'), hmac(KEY, 'bo'), null],
      );
    });

    test('numbers and uuids keep their type, derived from the HMAC of their text', async () => {
      const [first] = await hashed();
      const h42 = hmac(KEY, '42');
      assert.equal(first?.['id'], BigInt(`0x${h42.slice(0, 15)}`).toString());
      assert.equal(first?.['n'], Number(BigInt(`0x${hmac(KEY, '7').slice(0, 8)}`) - 2147483648n));
      assert.equal(first?.['amount'], Number(BigInt(`0x${hmac(KEY, '1234.5').slice(0, 15)}`)));
      const cents = BigInt(`0x${hmac(KEY, '12.34').slice(0, 15)}`) % 10n ** 10n;
      assert.equal(first?.['price'], `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`);
      const hu = hmac(KEY, '01234567-89ab-cdef-0123-456789abcdef');
      assert.equal(first?.['u'], `${hu.slice(0, 8)}-${hu.slice(8, 12)}-${hu.slice(12, 16)}-${hu.slice(16, 20)}-${hu.slice(20, 32)}`);
      const sql = compileGovernedRelation(SCAN, decision({ masks: Object.fromEntries(COLUMNS.map((c) => [c.name, { kind: 'hash' }])) }), ALICE);
      assert.deepEqual(await types(sql), await types(SCAN));
    });

    test('types without a useful hashed form (date, timestamp, boolean) become NULL of their type', async () => {
      const result = await hashed();
      for (const row of result) assert.deepEqual([row['day'], row['ts'], row['flag']], [null, null, null]);
    });

    test('depends on the key: another key gives other values, an empty key gives NULL (fail closed)', async () => {
      const other = await hashed({ hashKey: 'ffeeddccbbaa99887766554433221100' });
      assert.equal(other[0]?.['email'], hmac('ffeeddccbbaa99887766554433221100', 'alice@example.com'));
      assert.notEqual(other[0]?.['email'], (await hashed())[0]?.['email']);
      const empty = await hashed({ hashKey: '' });
      assert.deepEqual(empty.map((r) => [r['email'], r['id']]), [[null, null], [null, null], [null, null]]);
    });

    test('hashed ids of two tables masked with the same key still join', async () => {
      const orders = `SELECT id::BIGINT AS id, total::INTEGER AS total FROM (VALUES (42, 10), (42, 20), (99, 30)) v(id, total)`;
      const orderDecision = decision({ columns: [{ name: 'id', type: 'long' }, { name: 'total', type: 'int' }], masks: { id: { kind: 'hash' } } });
      const customers = compileGovernedRelation(SCAN, decision({ masks: { id: { kind: 'hash' } } }), ALICE);
      const joined = await rows(
        `SELECT c.email, sum(o.total) AS total FROM (${customers}) c JOIN (${compileGovernedRelation(orders, orderDecision, ALICE)}) o ON o.id = c.id GROUP BY c.email`,
      );
      assert.deepEqual(joined, [{ email: 'alice@example.com', total: '30' }]);
    });
  });

  describe('row filters', () => {
    const visible = async (filters: readonly string[], principal = ALICE, options: Options = {}): Promise<Record<string, unknown>[]> =>
      rows(compileGovernedRelation(SCAN, decision({ ...options, filters }), principal));

    test('current_principal_attribute binds to the principal: EU rows for an EU principal', async () => {
      const result = await visible(["region = current_principal_attribute('region')"]);
      assert.deepEqual(result.map((r) => r['email']), ['alice@example.com', null]);
      const us = await visible(["region = current_principal_attribute('region')"], { ...ALICE, attributes: { region: 'us' } });
      assert.deepEqual(us.map((r) => r['email']), ['bo']);
    });

    test('a missing attribute hides every row (fails closed)', async () => {
      assert.deepEqual(await visible(["region = current_principal_attribute('region')"], { ...ALICE, attributes: {} }), []);
      assert.deepEqual(await visible(["region = current_principal_attribute('constructor')"]), []);
    });

    test('should not let quotes in an attribute value change the predicate', async () => {
      const attacker = { ...ALICE, attributes: { region: "x' OR 'a' = 'a" } };
      assert.deepEqual(await visible(["region = current_principal_attribute('region')"], attacker), []);
      const quoted = `SELECT * FROM (VALUES ('it''s', 1), ('eu', 2)) v(region, k)`;
      const d = decision({ columns: [{ name: 'region', type: 'string' }, { name: 'k', type: 'int' }], filters: ["region = current_principal_attribute('region')"] });
      assert.deepEqual(await rows(compileGovernedRelation(quoted, d, { ...ALICE, attributes: { region: "it's" } })), [{ region: "it's", k: 1 }]);
    });

    test('all filters must hold, and a trailing -- comment cannot swallow the next one', async () => {
      const result = await visible(["region = 'eu' -- only Europe", 'id IS NULL']);
      assert.equal(result.length, 1);
      assert.equal(result[0]?.['region'], 'eu');
      assert.equal(result[0]?.['id'], null);
    });

    test('is_member, has_role and current_principal bind to TRUE/FALSE and the name', async () => {
      assert.equal((await visible(["is_member('analysts') AND has_role('reader') AND current_principal() = 'alice'"])).length, 3);
      assert.equal((await visible(["is_member('hr')"])).length, 0);
      assert.equal((await visible(["has_role('admin')"])).length, 0);
    });

    test('filters see raw values of masked and hidden columns; the user query sees masked values', async () => {
      const options: Options = { masks: { email: { kind: 'redact' } }, hidden: ['region'] };
      const result = await visible(["email = 'bo' AND region = 'us'"], ALICE, options);
      assert.deepEqual(result.map((r) => [r['email'], r['region']]), [['****', undefined]]);
      const sql = compileGovernedRelation(SCAN, decision(options), ALICE);
      assert.deepEqual(await rows(`SELECT count(*)::INTEGER AS c FROM (${sql}) WHERE email = 'bo'`), [{ c: 0 }]);
      assert.deepEqual(await rows(`SELECT count(*)::INTEGER AS c FROM (${sql}) WHERE email = '****'`), [{ c: 2 }]);
    });

    test('should not let a predicate close its parenthesis to escape the AND', () => {
      for (const bad of ['true) OR (true', "region = 'eu' /* ", "$$($$) OR true OR ($$)$$", '1 = 1; DROP TABLE x']) {
        assert.throws(() => compileGovernedRelation(SCAN, decision({ filters: ['false', bad] }), ALICE), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'), bad);
      }
    });
  });
});
