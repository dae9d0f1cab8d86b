/**
 * Attempts to read what a principal must not see (hr-scenario.ts), each with what must happen:
 *
 * - `deny`: refused with ACCESS_DENIED;
 * - `safe`: refused (any error) or answered, but no forbidden value appears in the rows or in the
 *   error message;
 * - `rows`: answered with exactly these rows (positive controls: proof the suite is not passing
 *   because everything is refused, and that masks and filters give the documented values).
 *
 * Every `safe` and `rows` attempt is also checked against the principal's forbidden values.
 */
import type { GovernedLake } from './governed-fixture.ts';
import type { HrScenario } from './hr-scenario.ts';

export type Expectation = { readonly deny: true } | { readonly safe: true } | { readonly rows: readonly (readonly unknown[])[] };

export interface Attempt {
  readonly name: string;
  /** Who tries; alice unless said. */
  readonly as?: 'alice' | 'bob' | 'carol' | 'dave';
  readonly sql: string | ((lake: GovernedLake, scenario: HrScenario) => string);
  readonly expect: Expectation;
  /** An engine that truly lacks the construct, and why (listed in docs/spark.md); the attempt is skipped there. */
  readonly lacking?: { readonly engine: string; readonly why: string };
}

const deny = { deny: true } as const;
const safe = { safe: true } as const;

export const ATTACKS: readonly Attempt[] = [
  // ---- hidden columns, every construct -------------------------------------------------------
  { name: 'select a hidden column', sql: 'SELECT ssn FROM hr.employees', expect: deny },
  { name: 'hidden column, quoted and case-varied', sql: 'SELECT "SSN" FROM hr.employees', expect: deny },
  { name: 'hidden column, mixed case unquoted', sql: 'SELECT SsN FROM hr.employees', expect: deny },
  { name: 'hidden column through a table alias', sql: 'SELECT e.ssn FROM hr.employees e', expect: deny },
  { name: 'hidden column through a fully quoted name', sql: 'SELECT "employees"."ssn" FROM "hr"."employees"', expect: deny },
  { name: 'hidden column inside a CTE', sql: 'WITH x AS (SELECT * FROM hr.employees) SELECT ssn FROM x', expect: deny },
  { name: 'hidden column in a CTE body', sql: 'WITH x AS (SELECT ssn AS s FROM hr.employees) SELECT s FROM x', expect: deny },
  { name: 'hidden column in a scalar subquery', sql: 'SELECT (SELECT max(salary) FROM hr.employees) AS m', expect: deny },
  { name: 'hidden column in an IN subquery', sql: 'SELECT name FROM hr.employees WHERE id IN (SELECT id FROM hr.employees WHERE salary > 0)', expect: deny },
  { name: 'hidden column in EXISTS', sql: 'SELECT 1 WHERE EXISTS (SELECT 1 FROM hr.employees WHERE ssn IS NOT NULL)', expect: deny },
  { name: 'hidden column in a UNION branch', sql: 'SELECT name FROM hr.employees UNION ALL SELECT ssn FROM hr.employees', expect: deny },
  { name: 'hidden column through a lateral join', sql: 'SELECT * FROM hr.employees e, LATERAL (SELECT ssn FROM hr.employees x WHERE x.id = e.id)', expect: deny },
  { name: 'hidden column behind comments', sql: 'SELECT /* innocent */ ssn -- really\nFROM hr.employees', expect: deny },
  { name: 'hidden column in WHERE', sql: "SELECT name FROM hr.employees WHERE ssn LIKE 'S%'", expect: deny },
  { name: 'hidden column in ORDER BY', sql: 'SELECT name FROM hr.employees ORDER BY salary', expect: deny },
  { name: 'hidden column in GROUP BY', sql: 'SELECT count(*) FROM hr.employees GROUP BY ssn', expect: deny },
  { name: 'hidden column in a window', sql: 'SELECT rank() OVER (ORDER BY salary) FROM hr.employees', expect: deny },
  { name: 'hidden column in an aggregate', sql: 'SELECT sum(salary) FROM hr.employees', expect: deny },
  { name: 'hidden column in HAVING', sql: 'SELECT region FROM hr.employees GROUP BY region HAVING max(salary) > 0', expect: deny },
  { name: 'hidden column in JOIN USING', sql: 'SELECT 1 FROM hr.employees a JOIN hr.employees b USING (ssn)', expect: deny },
  { name: 'hidden column in a JOIN condition', sql: 'SELECT a.name FROM hr.employees a JOIN hr.employees b ON a.salary = b.salary', expect: deny },
  { name: 'hidden column in a CASE', sql: "SELECT CASE WHEN salary > 80000 THEN 'high' END FROM hr.employees", expect: deny },
  { name: 'hidden column as a lambda argument name', sql: 'SELECT list_transform([1], ssn -> ssn + 1) FROM hr.employees', expect: deny },
  { name: 'renamed column read by time travel to before the rename', sql: (_l, s) => `SELECT social FROM hr.employees FOR VERSION AS OF ${s.firstSnapshot}`, expect: safe },
  { name: 'star by time travel to before the rename', sql: (_l, s) => `SELECT * FROM hr.employees FOR VERSION AS OF ${s.firstSnapshot}`, expect: safe },
  { name: 'unicode look-alike of a hidden column', sql: 'SELECT "ѕѕn" FROM hr.employees', expect: safe },
  { name: 'positional column aliases relabel only readable columns', sql: 'SELECT * FROM hr.employees AS e(a, b, c, d, f)', expect: safe },
  { name: 'COLUMNS(regex) expands to readable columns only', sql: "SELECT COLUMNS('.*') FROM hr.employees", expect: safe },
  { name: 'COLUMNS(lambda) expands to readable columns only', sql: "SELECT COLUMNS(c -> c LIKE '%s%') FROM hr.employees", expect: safe },
  { name: 'struct_pack of the whole row', sql: 'SELECT struct_pack(e.*) FROM hr.employees e', expect: safe },
  { name: 'row to JSON', sql: 'SELECT to_json(e) FROM hr.employees e', expect: safe },

  // ---- tables without a grant, and the catalog's metadata ------------------------------------
  { name: 'a table with no grant', sql: 'SELECT * FROM hr.salary_bands', expect: deny },
  { name: 'a table with no grant, in a subquery', sql: 'SELECT (SELECT count(*) FROM hr.salary_bands)', expect: deny },
  { name: 'a table with no grant, natural join', sql: 'SELECT * FROM hr.employees NATURAL JOIN hr.salary_bands', expect: deny },
  { name: 'DESCRIBE a table with no grant', sql: 'DESCRIBE hr.salary_bands', expect: deny },
  { name: '$files shows column bounds', sql: 'SELECT * FROM hr.employees$files', expect: deny },
  { name: '$partitions shows partition values', sql: 'SELECT * FROM hr.employees$partitions', expect: deny },
  { name: 'no grant at all (bob)', as: 'bob', sql: 'SELECT name FROM hr.employees', expect: deny },
  { name: 'bob lists nothing', as: 'bob', sql: 'SHOW TABLES', expect: { rows: [] } },

  // ---- around the rewrite: files, table functions, engine objects -----------------------------
  { name: 'read_parquet over the lake', sql: (l) => `SELECT * FROM read_parquet('${l.lakeDir}/**/*.parquet')`, expect: deny },
  { name: 'parquet_scan', sql: (l) => `SELECT * FROM parquet_scan('${l.lakeDir}/**/*.parquet')`, expect: deny },
  { name: 'read_csv of a system file', sql: "SELECT * FROM read_csv('/etc/passwd')", expect: deny },
  { name: 'read_text', sql: "SELECT * FROM read_text('/etc/hostname')", expect: deny },
  { name: 'glob over the lake', sql: (l) => `SELECT * FROM glob('${l.lakeDir}/*')`, expect: deny },
  { name: 'a file path as a table (replacement scan)', sql: (l) => `SELECT * FROM '${l.lakeDir}/curated/hr.db/employees/data/x.parquet'`, expect: deny },
  { name: 'query() runs arbitrary SQL', sql: "SELECT * FROM query('SELECT 42')", expect: deny },
  { name: 'query_table()', sql: "SELECT * FROM query_table('duckdb_tables')", expect: deny },
  { name: 'duckdb_tables()', sql: 'SELECT * FROM duckdb_tables()', expect: deny },
  { name: 'duckdb_views() shows view SQL', sql: 'SELECT sql FROM duckdb_views()', expect: deny },
  { name: 'information_schema', sql: 'SELECT * FROM information_schema.tables', expect: deny },
  { name: 'pg_catalog', sql: 'SELECT * FROM pg_catalog.pg_tables', expect: deny },
  { name: 'catalog-qualified engine object', sql: 'SELECT * FROM memory.main.anything', expect: deny },
  { name: 'a bare engine object name', sql: 'SELECT * FROM duckdb_settings', expect: deny },
  { name: 'a CTE does not unlock other bare names', sql: 'WITH x AS (SELECT 1) SELECT * FROM strata_ref_0123456789ab', expect: deny },
  { name: 'another session’s live resolution view', sql: 'SELECT * FROM main."%LIVE_VIEW%"', expect: deny },
  { name: 'current_setting()', sql: "SELECT current_setting('allowed_directories')", expect: deny },
  { name: 'getvariable()', sql: "SELECT getvariable('x')", expect: deny },
  { name: 'stats() sees raw statistics', sql: 'SELECT stats(name) FROM hr.employees', expect: deny },
  { name: 'json_serialize_sql()', sql: "SELECT json_serialize_sql('SELECT 1')", expect: deny },
  { name: 'SUMMARIZE inside a query', sql: 'SELECT * FROM (SUMMARIZE hr.employees)', expect: deny },

  // ---- statements that are not queries --------------------------------------------------------
  { name: 'COPY a table out', sql: "COPY hr.employees TO '/tmp/strata-leak.csv'", expect: deny },
  { name: 'COPY a query out', sql: "COPY (SELECT 1) TO '/tmp/strata-leak2.csv'", expect: deny },
  { name: 'ATTACH a database', sql: "ATTACH '/tmp/strata-leak.duckdb' AS leak", expect: deny },
  { name: 'INSTALL an extension', sql: 'INSTALL httpfs', expect: deny },
  { name: 'LOAD an extension', sql: 'LOAD httpfs', expect: deny },
  { name: 'SET a setting', sql: 'SET enable_external_access = true', expect: deny },
  { name: 'RESET a setting', sql: 'RESET allowed_directories', expect: deny },
  { name: 'PRAGMA', sql: 'PRAGMA database_list', expect: deny },
  { name: 'EXPORT DATABASE', sql: "EXPORT DATABASE '/tmp/strata-export'", expect: deny },
  { name: 'CREATE MACRO', sql: 'CREATE MACRO peek(x) AS x', expect: deny },
  { name: 'CREATE VIEW hiding a base table', sql: 'CREATE VIEW v AS SELECT * FROM hr.employees', expect: deny },
  { name: 'CREATE TEMP TABLE', sql: 'CREATE TEMP TABLE t AS SELECT 1', expect: deny },
  { name: 'CALL a pragma function', sql: 'CALL pragma_version()', expect: deny },
  { name: 'PREPARE a statement', sql: 'PREPARE p AS SELECT ssn FROM hr.employees', expect: deny },
  { name: 'SUMMARIZE as a statement', sql: 'SUMMARIZE hr.employees', expect: deny },
  { name: 'EXPLAIN shows the rewrite', sql: 'EXPLAIN SELECT * FROM hr.employees', expect: deny },
  { name: 'EXPLAIN ANALYZE', sql: 'EXPLAIN ANALYZE SELECT * FROM hr.employees', expect: deny },
  { name: 'a forbidden statement after a harmless one', sql: 'SELECT 1; SELECT ssn FROM hr.employees', expect: deny },
  { name: 'a statement smuggled past the splitter in a dollar-quoted string', sql: "SELECT $$ ' $$; COPY hr.employees TO '/tmp/strata-smuggle.csv'; SELECT ''", expect: deny },
  { name: 'a statement smuggled past the splitter in an escape string', sql: "SELECT E'\\''; COPY hr.employees TO '/tmp/strata-smuggle2.csv'; SELECT ''", expect: deny },
  { name: 'a hidden column smuggled in a second statement', sql: "SELECT $$ ' $$; SELECT ssn FROM hr.employees; SELECT ''", expect: deny },

  // ---- writes and grants without the privilege ------------------------------------------------
  { name: 'INSERT without INSERT', sql: "INSERT INTO hr.salary_bands VALUES ('x', 2)", expect: deny },
  { name: 'CTAS copying masked data elsewhere', sql: 'CREATE TABLE ads.copy AS SELECT * FROM hr.employees', expect: deny },
  { name: 'DELETE without DELETE', sql: "DELETE FROM hr.employees WHERE region = 'us'", expect: deny },
  { name: 'DROP without DROP', sql: 'DROP TABLE hr.employees', expect: deny },
  { name: 'ALTER without ALTER', sql: 'ALTER TABLE hr.employees ADD COLUMN x INTEGER', expect: deny },
  { name: 'GRANT to oneself without grant option', sql: 'GRANT SELECT ON hr.employees TO USER alice', expect: deny },
  { name: 'GRANT onward without grant option', sql: 'GRANT SELECT (name) ON hr.employees TO USER bob', expect: deny },
  { name: 'CREATE DATABASE without ADMIN', sql: 'CREATE DATABASE mine', expect: deny },

  // ---- masks and filters: what a query over them sees ----------------------------------------
  { name: 'row filter: only own region', sql: 'SELECT name FROM hr.employees ORDER BY id', expect: { rows: [['Anna Eu'], ['Bruno Eu'], ['Clara Eu']] } },
  { name: 'row filter: count sees only own rows', sql: 'SELECT count(*) FROM hr.employees', expect: { rows: [['3']] } },
  { name: 'row filter: asking for other rows returns none', sql: "SELECT name FROM hr.employees WHERE region = 'us'", expect: { rows: [] } },
  { name: 'row filter: OR TRUE does not widen it', sql: "SELECT count(*) FROM hr.employees WHERE region <> 'eu' OR TRUE", expect: { rows: [['3']] } },
  { name: 'row filter: an error on a hidden row leaks no value', sql: 'SELECT CAST(name AS INTEGER) FROM hr.employees', expect: safe },
  { name: 'row filter: an error in WHERE leaks no value', sql: 'SELECT id FROM hr.employees WHERE CAST(name AS INTEGER) = 1', expect: safe },
  { name: 'mask: a filter on a masked column sees the masked value', sql: "SELECT count(*) FROM hr.employees WHERE email LIKE '%corp%'", expect: { rows: [['0']] } },
  { name: 'mask: equality with a raw value never matches', sql: "SELECT count(*) FROM hr.employees WHERE email = 'anna.eu' || '@corp.example'", expect: { rows: [['0']] } },
  { name: 'mask: hashed values stay joinable', sql: 'SELECT count(*) FROM hr.employees a JOIN hr.employees b ON a.email = b.email', expect: { rows: [['3']] } },
  { name: 'mask: the hashed column groups like the raw one', sql: 'SELECT count(DISTINCT email) FROM hr.employees', expect: { rows: [['3']] } },
  { name: 'mask: length of a hash is not the raw length', sql: 'SELECT DISTINCT length(email) FROM hr.employees', expect: { rows: [['64']] } },
  { name: 'tag grant: ads.events readable, msisdn hashed', sql: 'SELECT id, region FROM ads.events ORDER BY id', expect: { rows: [['1', 'eu'], ['2', 'us']] } },
  { name: 'tag grant: raw msisdn never matches', sql: "SELECT count(*) FROM ads.events WHERE msisdn LIKE '+49%'", expect: { rows: [['0']] } },
  { name: 'star over a masked, filtered table', sql: 'SELECT * FROM hr.employees', expect: safe },
  { name: 'string_agg over everything readable', sql: "SELECT string_agg(name || email || region, ',') FROM hr.employees", expect: safe },
  { name: 'sampling', sql: 'SELECT * FROM hr.employees USING SAMPLE 100%', expect: safe },
  { name: 'PIVOT in a subquery', sql: 'SELECT * FROM (PIVOT hr.employees ON region USING count(*))', expect: safe },
  { name: 'a CTE shadowing the table name', sql: 'WITH employees AS (SELECT 1 AS id) SELECT * FROM hr.employees', expect: safe },
  { name: 'recursive CTE still works', sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT count(*) FROM r', expect: { rows: [['3']] }, lacking: { engine: 'spark', why: 'Spark 4.0 has no recursive CTEs (WITH RECURSIVE arrives in Spark 4.1)' } },
  { name: 'time travel keeps masks and filters', sql: (_l, s) => `SELECT count(*) FROM hr.employees FOR VERSION AS OF ${s.firstSnapshot}`, expect: { rows: [['2']] } },

  // ---- other principals ------------------------------------------------------------------------
  { name: 'carol (analyst via group) sees her region only', as: 'carol', sql: 'SELECT name FROM hr.employees ORDER BY id', expect: { rows: [['Zed Usman'], ['Yara Usdottir']] } },
  { name: 'carol cannot read ssn either', as: 'carol', sql: 'SELECT ssn FROM hr.employees', expect: deny },
  { name: 'carol: star leaks nothing', as: 'carol', sql: 'SELECT * FROM hr.employees', expect: safe },
  { name: 'dave (exempt) sees raw values of every row', as: 'dave', sql: 'SELECT ssn FROM hr.employees WHERE id = 3', expect: { rows: [['SSN-300-33-3333']] } },
  { name: 'dave still has no grant on ads', as: 'dave', sql: 'SELECT * FROM ads.events', expect: deny },
];
