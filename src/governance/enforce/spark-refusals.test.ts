// What a non-administrator may not do when DuckDB parses the statement and Spark runs it. No Spark
// is needed: the checks work on DuckDB's parse tree and on the statement text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StrataError, parseJson } from '../../core/index.ts';
import type { Engine } from '../../engine/index.ts';
import { IdentityStore } from '../identity/index.ts';
import type { PrincipalContext } from '../model.ts';
import { PolicyStore } from '../policy/index.ts';
import { builtinFunctions, checkSparkStatementText, Governor, inspectQuery, policyDialectFor } from './index.ts';

const deniedAs = (construct: string) => (e: unknown) => StrataError.is(e, 'ACCESS_DENIED') && e.details['construct'] === construct;

describe('checkSparkStatementText', () => {
  const refused: readonly [label: string, sql: string][] = [
    ['a backslash-escaped quote in a name hides a subquery from DuckDB', 'SELECT 1 AS "a\\"", (SELECT secret FROM db.t) AS y --"'],
    ['a -- comment ending in a backslash continues onto the next line in Spark', 'SELECT 1 AS x -- note \\\n, secret FROM db.t'],
    ['${env:…} is substituted by Spark before parsing', "SELECT '${env:AWS_SECRET_ACCESS_KEY}' AS k"],
    ['${conf} names Spark configuration (the catalog token)', 'SELECT 1 AS "${spark.sql.catalog.strata.token}"'],
    ['a hint is a comment to DuckDB and instructions to Spark', 'SELECT /*+ REPARTITION(1) */ * FROM db.t'],
    ['nested block comments', 'SELECT /* a /* b */ c */ 1'],
    ['a carriage return ends a -- comment for DuckDB only', 'SELECT 1 -- x\r, 2'],
    ["E'…' strings", "SELECT E'a\\'b'"],
    ['dollar-quoted strings', 'SELECT $$a$$'],
  ];
  for (const [label, sql] of refused) {
    test(`refuses ${label}`, () => {
      assert.throws(() => checkSparkStatementText(sql), deniedAs('spark_text'), sql);
    });
  }

  test('allows ordinary text: backslashes and ${ lookalikes inside plain literals are re-spelled for Spark', () => {
    for (const sql of ["SELECT 'a\\b', \"Col\" FROM db.t -- a comment\nWHERE x = 'it''s' /* plain */", "SELECT '$ {x}', '\\' FROM db.t"]) {
      checkSparkStatementText(sql);
    }
  });
});

describe('inspectQuery on the Spark engine (DuckDB parse tree)', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let builtins: ReadonlySet<string>;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    const result = await connection.runAndReadAll('SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE internal');
    builtins = new Set(result.getRows().map((r) => String(r[0])));
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  const parse = async (sql: string): Promise<Record<string, unknown>> => {
    const result = await connection.runAndReadAll(`SELECT json_serialize_sql('${sql.replaceAll("'", "''")}')`);
    return parseJson(String(result.getRows()[0]?.[0])) as Record<string, unknown>;
  };
  const inspect = async (sql: string) => inspectQuery(await parse(sql), { databases: new Set(['db', 'json']), builtinFunctions: builtins, engine: 'spark' });

  const refused: readonly [sql: string, construct: string][] = [
    ['SELECT * FROM strata.db.t', 'catalog_reference'],
    ['SELECT * FROM spark_catalog.default.x', 'catalog_reference'],
    ['SELECT * FROM db.t.files', 'catalog_reference'],
    ['SELECT * FROM "default".x', 'engine_schema'],
    ['SELECT * FROM global_temp.v', 'engine_schema'],
    ['SELECT * FROM strata_ref_0123456789ab', 'unqualified_reference'],
    ["SELECT reflect('java.lang.System', 'getenv', 'HOME')", 'function'],
    ["SELECT java_method('java.lang.System', 'getenv', 'HOME')", 'function'],
    ["SELECT try_reflect('java.lang.Runtime', 'getRuntime')", 'function'],
    ['SELECT input_file_name(), input_file_block_start(), input_file_block_length() FROM db.t', 'function'],
    ["SELECT xpath('<a/>', 'a')", 'function'],
    ["SELECT identifier('secret') FROM db.t", 'function'],
    ["SELECT * FROM IDENTIFIER('strata.db.t')", 'table_function'],
    ["SELECT * FROM read_files('/etc/passwd')", 'table_function'],
  ];
  for (const [sql, construct] of refused) {
    test(`refuses ${sql}`, async () => {
      await assert.rejects(inspect(sql), deniedAs(construct));
    });
  }

  test('a Spark file reference (parquet.`/path`) does not even parse; json."/path" is a Strata table lookup, not a file', async () => {
    assert.equal((await parse('SELECT * FROM parquet.`/tmp/x`'))['error'], true);
    const refs = await inspect('SELECT * FROM json."/etc/passwd"');
    assert.deepEqual(refs.map((r) => `${r.database}.${r.table}`), ['json./etc/passwd']);
  });

  test('the same Spark functions are refused even if a DuckDB built-in of that name existed', async () => {
    const withReflect = new Set([...builtins, 'reflect', 'input_file_name']);
    const ast = await parse("SELECT reflect('java.lang.System', 'getenv', 'HOME'), input_file_name()");
    assert.throws(() => inspectQuery(ast, { databases: new Set(), builtinFunctions: withReflect, engine: 'spark' }), deniedAs('function'));
    assert.deepEqual(inspectQuery(ast, { databases: new Set(), builtinFunctions: withReflect }), [], 'DuckDB has no such escapes');
  });

  test('allows plain queries over Strata tables with functions both engines have', async () => {
    const refs = await inspect("SELECT upper(s), current_catalog(), md5(s), date_trunc('day', ts) FROM db.t AS a JOIN db.u USING (id) WHERE s LIKE 'x%'");
    assert.deepEqual(refs.map((r) => r.table), ['t', 'u']);
  });
});

describe('a Spark governor', () => {
  let dir: string;
  let policies: PolicyStore;
  const BOB: PrincipalContext = { name: 'bob', administrator: false, groups: [], roles: [], attributes: {} };
  const ROOT: PrincipalContext = { ...BOB, name: 'root', administrator: true };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-spark-governor-'));
    const path = join(dir, 'catalog.db');
    await (await IdentityStore.openSqlite(path)).close();
    policies = await PolicyStore.openSqlite(path);
  });
  after(async () => {
    await policies.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('compiles governed relations with the Spark dialect', () => {
    assert.equal(policyDialectFor('spark').name, 'spark');
    assert.equal(policyDialectFor('duckdb').name, 'duckdb');
    assert.equal(policyDialectFor(undefined).name, 'duckdb');
  });

  test('refuses statement text Spark reads differently, for non-administrators only', async () => {
    const sql = "SELECT '${env:HOME}' AS h";
    const spark = new Governor({ principal: BOB, policies, builtinFunctions: new Set(), engine: 'spark' });
    const guard = await spark.begin(sql, 'statement');
    const ast = { statements: [] };
    assert.throws(() => guard.inspect(ast, new Set(), (p) => p), deniedAs('spark_text'));
    const onDuckDb = await new Governor({ principal: BOB, policies, builtinFunctions: new Set() }).begin(sql, 'statement');
    onDuckDb.inspect(ast, new Set(), (p) => p);
    const admin = await new Governor({ principal: ROOT, policies, builtinFunctions: new Set(), engine: 'spark' }).begin(sql, 'statement');
    admin.inspect(ast, new Set(), (p) => p);
  });

  test("redacts values and view text from Spark's errors for non-administrators", async () => {
    const guard = await new Governor({ principal: BOB, policies, builtinFunctions: new Set(), engine: 'spark' }).begin('SELECT 1', 'statement');
    const error = new StrataError('SQL_ERROR', "Spark refused the query: [CAST_INVALID_INPUT] The value 'it\\'s secret' cannot be cast.\n== SQL of VIEW strata_ref_1 (line 1) ==\nsha2(unhex('5c5c…'))", {
      messageParameters: { expression: "'it\\'s secret'", targetType: '"INT"' },
      causes: [{ message: "The value 'bob''s salary' cannot be cast" }],
    });
    const shown = guard.sanitize(error) as StrataError;
    assert.equal(shown.message, "Spark refused the query: [CAST_INVALID_INPUT] The value '…' cannot be cast.");
    assert.deepEqual(shown.details['messageParameters'], { expression: "'…'", targetType: '"INT"' });
    assert.equal((shown.details['causes'] as { message: string }[])[0]?.message, "The value '…' cannot be cast");
  });
});

describe('builtinFunctions', () => {
  test("on a Spark engine: DuckDB's built-ins (the parser's), without asking the engine", async () => {
    const spark: Engine = {
      name: 'spark',
      query: () => Promise.reject(new Error('builtinFunctions must not query Spark')),
      close: () => Promise.resolve(),
    };
    const names = await builtinFunctions(spark);
    assert.ok(names.has('upper') && names.has('date_trunc'));
    assert.ok(!names.has('reflect') && !names.has('java_method') && !names.has('input_file_name'));
  });
});
