import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StrataError } from '../../core/index.ts';
import { validatePolicySql } from './index.ts';

const COLUMNS = ['email', 'region', 'amount', 'tags', 'address', 'created'];

describe('validatePolicySql', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const scalar = async (sql: string): Promise<unknown> => (await connection.runAndReadAll(sql)).getRows()[0]?.[0];
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    // A user macro is not a built-in: policies must not depend on what a session defines.
    await connection.run('CREATE MACRO my_udf(x) AS x + 1');
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  const refused = async (kind: 'predicate' | 'expression', sql: string, reason: RegExp, columns: readonly string[] | undefined = COLUMNS): Promise<void> => {
    await assert.rejects(
      validatePolicySql(kind, sql, scalar, columns),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT') && reason.test(e.message),
      `${sql} should be refused with ${reason}`,
    );
  };

  test('accepts ordinary predicates', async () => {
    for (const ok of [
      "region = current_principal_attribute('region')",
      "is_member('finance') OR (amount < 1000 AND lower(email) LIKE '%@example.com')",
      "Region IN ('eu', 'uk') -- Europe only",
      'created > current_date - INTERVAL 30 DAY',
      "address.city = 'Paris' AND list_contains(tags, 'public')",
      "len(list_filter(tags, lambda t: t LIKE 'pii%')) = 0",
      'CASE WHEN has_role(\'auditor\') THEN TRUE ELSE amount BETWEEN 0 AND 10 END',
    ]) {
      await validatePolicySql('predicate', ok, scalar, COLUMNS);
    }
  });

  test('accepts expression masks using value and other columns', async () => {
    await validatePolicySql('expression', "CASE WHEN region = 'eu' THEN NULL ELSE value END", scalar, COLUMNS);
    await validatePolicySql('expression', "CASE WHEN is_member('hr') THEN value ELSE left(value, 2) || '…' END", scalar, COLUMNS);
    await validatePolicySql('expression', 'CAST(value AS VARCHAR)', scalar);
  });

  test('refuses subqueries', async () => {
    await refused('predicate', 'region IN (SELECT region FROM allowed)', /subquer/);
    await refused('predicate', 'EXISTS (SELECT 1)', /subquer/);
    await refused('expression', '(SELECT max(amount) FROM t)', /subquer/);
  });

  test('refuses table functions, aggregates and window functions', async () => {
    await refused('predicate', "read_csv('/etc/passwd') IS NOT NULL", /table function/);
    await refused('expression', 'sum(value)', /aggregate/);
    await refused('predicate', 'row_number() OVER () < 10', /window/);
  });

  test('refuses unknown, user-defined, qualified and steerable functions', async () => {
    await refused('predicate', 'no_such_fn(amount) > 1', /not a DuckDB built-in/);
    await refused('predicate', 'my_udf(amount) > 1', /not a DuckDB built-in/);
    await refused('predicate', 'main.lower(email) = 1', /unqualified/);
    await refused('predicate', "region = current_setting('region')", /current_setting/);
    await refused('predicate', "region = getvariable('region')", /getvariable/);
  });

  test('refuses unknown principal functions and look-alikes', async () => {
    await refused('predicate', "current_principal_group() = 'x'", /not a principal function/);
    await refused('predicate', "email = current_user", /not a principal function/);
    await refused('predicate', "is_member(region)", /one string literal/);
  });

  test('refuses column names that are not columns of the table', async () => {
    await refused('predicate', "country = 'fr'", /country is not a column/);
    await refused('predicate', "t.region = 'fr'", /t\.region is not a column/);
    await refused('predicate', 'value > 1', /value is not a column/);
    await assert.rejects(validatePolicySql('predicate', "t.region = 'fr'", scalar), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT') && /bare name/.test(e.message));
    await validatePolicySql('predicate', "anything = 'goes' AND (region, amount) = ('eu', 1)", scalar);
  });

  test('refuses syntax errors, several statements and escapes from the wrapper', async () => {
    await refused('predicate', 'amount = = 1', /syntax error/i);
    await refused('predicate', 'amount = 1; DROP TABLE t', /";"/);
    await refused('predicate', 'true) OR (true', /closes a parenthesis/);
    await refused('predicate', 'amount > 1 ORDER BY 1', /syntax error|not one SQL expression/i);
    await refused('expression', 'value FROM other', /syntax error/i);
    await refused('predicate', '#1 = 1', /positional/);
    await refused('expression', '*', /\*/);
  });
});
