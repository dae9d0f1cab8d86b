/**
 * The fail-closed gate for a non-administrator's query, over DuckDB's own parse tree
 * (`json_serialize_sql`). Everything the governed rewrite cannot see through is refused before
 * any table resolves:
 *
 * - table functions other than a few pure generators (`read_parquet`, `read_csv`, `glob`,
 *   `query`, `duckdb_*`, `pragma_*`, … read files, run SQL or show engine state);
 * - references that are not a Strata `database.table` or a CTE in scope: DuckDB's own schemas,
 *   catalog-qualified names (`memory.main.x`, attached databases), bare names (file-path
 *   replacement scans such as `FROM 'x.parquet'`, other sessions' resolution views);
 * - `SUMMARIZE`/`DESCRIBE` inside a query (they expose engine metadata);
 * - functions that are not DuckDB built-ins (macros and UDFs can hide a table read), and built-ins
 *   that reveal engine state or raw statistics (`current_setting`, `getvariable`, `stats`, …).
 *
 * On the Spark engine the same tree is checked (Spark runs what DuckDB parsed), so Spark-only
 * functions are refused by the same allow-list of DuckDB built-ins — `reflect`, `java_method`,
 * `input_file_name`, `IDENTIFIER('strata.db.t')` — and a named deny-list keeps them refused; the
 * catalog-qualified names that would reach Spark's catalogs directly (`strata.db.t`,
 * `spark_catalog.default.x`) are refused as above, and a Spark file reference
 * (`parquet.\`/path\``) is a syntax error to DuckDB (`json."/path"` is `json` read as a database).
 * Text the two engines lex differently is checked on the statement text (spark-statement-text.ts).
 *
 * A statement DuckDB cannot serialise as a query (COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA,
 * EXPORT, CREATE MACRO/VIEW, CALL, EXPLAIN, PIVOT as a statement, …) never reaches this walk: the
 * caller refuses it (see `refuseUnparsedStatement`).
 *
 * The walk is over every object of the tree, not a list of known node types, so a construct added
 * by a later DuckDB still has its table references and functions checked.
 */
import { StrataError } from '../../core/index.ts';

type AstNode = Record<string, unknown>;

/** Table functions that only generate values; everything else is refused for non-administrators. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/** Built-in scalar functions that reveal engine state, other sessions' objects or raw statistics. */
const DENIED_FUNCTIONS = new Set([
  'current_setting',
  'getvariable',
  'stats',
  'nextval',
  'currval',
  'current_query',
  'which_secret',
  'sql_auto_complete',
  'json_serialize_sql',
  'json_serialize_plan',
  'json_deserialize_sql',
  'json_execute_serialized_sql',
  'duckdb_secret_value',
]);

/**
 * Spark functions refused on the Spark engine even if a DuckDB built-in of the same name appeared
 * one day: they call arbitrary Java (`reflect`, `java_method`, `try_reflect`), reveal the files a
 * row came from (`input_file_*`), resolve a table from a string (`identifier`), or parse XML (whose
 * entities could read files).
 */
const SPARK_DENIED_FUNCTIONS = new Set([
  'reflect',
  'java_method',
  'try_reflect',
  'input_file_name',
  'input_file_block_start',
  'input_file_block_length',
  'identifier',
  'xpath',
  'xpath_boolean',
  'xpath_double',
  'xpath_float',
  'xpath_int',
  'xpath_long',
  'xpath_number',
  'xpath_short',
  'xpath_string',
  'from_xml',
  'schema_of_xml',
]);

export interface StrataReference {
  readonly database: string;
  readonly table: string;
  /** The alias the query gives it, or '' when none. */
  readonly alias: string;
  readonly position: number;
}

export interface InspectContext {
  /** The Strata databases (namespaces) that exist. */
  readonly databases: ReadonlySet<string>;
  /** DuckDB's built-in function names (lowercase), from `duckdb_functions()` where `internal`. */
  readonly builtinFunctions: ReadonlySet<string>;
  /** Maps a position in the inspected text to the user's text. */
  readonly toUser?: (position: number) => number;
  /** The engine that runs the query (`duckdb` when absent); `spark` refuses Spark's escapes too. */
  readonly engine?: string;
}

/**
 * Walks a serialised query; throws ACCESS_DENIED at the first forbidden construct, else returns
 * the Strata table references found.
 */
export function inspectQuery(ast: AstNode, ctx: InspectContext): StrataReference[] {
  const refs: StrataReference[] = [];
  walk(ast, new Set(), ctx, refs);
  return refs;
}

/** The error for a statement that is not a plain query: it cannot be checked, so it is refused. */
export function refuseUnparsedStatement(sql: string): StrataError {
  const keyword = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'this statement';
  return new StrataError(
    'ACCESS_DENIED',
    `${keyword} is not allowed: only queries (SELECT, WITH, VALUES) and Strata's own statements run for principals who are not administrators`,
    { construct: keyword.toLowerCase() },
  );
}

function walk(node: unknown, ctes: ReadonlySet<string>, ctx: InspectContext, refs: StrataReference[]): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, ctes, ctx, refs);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as AstNode;
  let scope = ctes;
  const cteNames = cteNamesOf(n);
  if (cteNames.length > 0) scope = new Set([...ctes, ...cteNames]);
  const type = n['type'];
  const position = (): number => {
    const p = Number(n['query_location']);
    return Number.isFinite(p) && p < Number.MAX_SAFE_INTEGER ? (ctx.toUser?.(p) ?? p) : 0;
  };
  if (type === 'BASE_TABLE') {
    const ref = checkTable(n, scope, ctx, position());
    if (ref) refs.push(ref);
  }
  if (type === 'TABLE_FUNCTION') checkTableFunction(n, position());
  if (type === 'SHOW_REF') deny('SUMMARIZE and DESCRIBE inside a query are not allowed', 'show', position());
  if (typeof n['function_name'] === 'string' && n['is_operator'] !== true) checkFunction(n, ctx, position());
  for (const value of Object.values(n)) if (value !== null && typeof value === 'object') walk(value, scope, ctx, refs);
}

function cteNamesOf(n: AstNode): string[] {
  const map = (n['cte_map'] as AstNode | undefined)?.['map'];
  if (!Array.isArray(map)) return [];
  return map.map((entry) => String((entry as AstNode)['key'] ?? '').toLowerCase()).filter((k) => k !== '');
}

/** A Strata table reference, undefined for a WITH query's name; throws for anything else. */
function checkTable(n: AstNode, ctes: ReadonlySet<string>, ctx: InspectContext, position: number): StrataReference | undefined {
  const catalog = String(n['catalog_name'] ?? '');
  const schema = String(n['schema_name'] ?? '');
  const table = String(n['table_name'] ?? '');
  if (catalog !== '') deny(`The catalog-qualified name ${catalog}.${schema}.${table} is not allowed`, 'catalog_reference', position);
  if (schema === '') {
    if (ctes.has(table.toLowerCase())) return undefined;
    deny(
      `"${table}" is neither a Strata table (write database.table) nor a WITH query in scope; files and engine objects cannot be read directly`,
      'unqualified_reference',
      position,
    );
  }
  if (!ctx.databases.has(schema)) {
    deny(`${schema}.${table} is not a Strata table: ${schema} is not a Strata database`, 'engine_schema', position);
  }
  return { database: schema, table, alias: String(n['alias'] ?? ''), position };
}

function checkTableFunction(n: AstNode, position: number): void {
  const call = n['function'] as AstNode | undefined;
  const name = String(call?.['function_name'] ?? '').toLowerCase();
  const qualified = String(call?.['schema'] ?? '') !== '' || String(call?.['catalog'] ?? '') !== '';
  if (!ALLOWED_TABLE_FUNCTIONS.has(name) || qualified) {
    deny(`The table function ${name || '(unknown)'}() is not allowed (read Strata tables as database.table)`, 'table_function', position);
  }
}

function checkFunction(n: AstNode, ctx: InspectContext, position: number): void {
  const name = String(n['function_name']).toLowerCase();
  const catalog = String(n['catalog'] ?? '');
  const schema = String(n['schema'] ?? '').toLowerCase();
  if (catalog !== '' || !['', 'main', 'pg_catalog'].includes(schema)) deny(`The qualified function ${schema}.${name}() is not allowed`, 'function', position);
  if (DENIED_FUNCTIONS.has(name)) deny(`The function ${name}() is not allowed`, 'function', position);
  if (ctx.engine === 'spark' && SPARK_DENIED_FUNCTIONS.has(name)) deny(`The function ${name}() is not allowed on the Spark engine`, 'function', position);
  if (!ctx.builtinFunctions.has(name)) deny(`${name}() is not a built-in function (macros and user functions are not allowed)`, 'function', position);
}

function deny(message: string, construct: string, position: number): never {
  throw new StrataError('ACCESS_DENIED', `${message} (at position ${position})`, { construct, position });
}
