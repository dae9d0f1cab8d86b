/**
 * Checks a row-filter predicate or an expression mask before the policy store keeps it, so a bad
 * policy is refused when an administrator writes it instead of breaking (or, worse, opening) every
 * read later. DuckDB's own parser (`json_serialize_sql`) reads it; then:
 *
 * - it must be self-contained text (policy-text.ts) and parse as exactly one expression: the check
 *   parses it between two guard columns (`g1 AND (\n<p>\n) AND g2`, `SELECT g1, (\n<e>\n), g2`) and
 *   requires the guards to stay at the ends of the tree, so no text can escape its parentheses;
 * - principal functions must be called correctly (`is_member('g')`); look-alikes such as
 *   `current_user` or `current_principal_group()` are refused with the list of real ones;
 * - no subqueries, window functions, `*`, parameters or positional references (`#1`);
 * - every function must be a DuckDB built-in scalar function (table functions such as `read_csv`,
 *   aggregates and user macros are refused) and unqualified; functions whose result a user could
 *   steer or that have side effects (`current_setting`, `getvariable`, `getenv`, `nextval`, …) are
 *   refused too;
 * - with `columns`, every column reference must name one of them (`value` is the masked column in
 *   an expression mask; `s.f` is allowed when `s` is a column, as struct field access).
 *
 * Types are not checked (only names are known here); a predicate comparing a string to a number
 * fails when a query first runs it.
 */
import { StrataError, parseJson } from '../../core/index.ts';
import type { PrincipalContext } from '../model.ts';
import { duckDbDialect } from './duckdb-dialect.ts';
import { assertSelfContained } from './policy-text.ts';
import { bindPrincipalFunctions, PRINCIPAL_FUNCTIONS } from './principal-functions.ts';

type Node = Record<string, unknown>;

const ALLOWED_CLASSES: ReadonlySet<string> = new Set([
  'CONSTANT',
  'COLUMN_REF',
  'FUNCTION',
  'CASE',
  'CAST',
  'BETWEEN',
  'CONJUNCTION',
  'OPERATOR',
  'COMPARISON',
  'COLLATE',
  'LAMBDA',
]);

const REFUSED_CLASSES: Readonly<Record<string, string>> = {
  SUBQUERY: 'subqueries are not allowed; a policy may only read the row it filters or masks',
  WINDOW: 'window functions are not allowed; a policy must depend on one row only',
  STAR: '* and COLUMNS(…) are not allowed; name the columns',
  PARAMETER: 'parameters ($1, ?) are not allowed',
  POSITIONAL_REFERENCE: 'positional references (#1) are not allowed; name the columns',
};

/** Built-ins refused anyway: a user can steer them (SET, SET VARIABLE, environment) or they have side effects. */
const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set(['current_setting', 'getvariable', 'getenv', 'nextval', 'currval', 'setseed']);

/** Look-alikes of the principal functions (DuckDB's own answer `duckdb`, not the Strata principal). */
const PRINCIPAL_LOOKALIKES: ReadonlySet<string> = new Set(['current_user', 'session_user', 'user', 'current_role', 'is_account_group_member']);

/** Niladic SQL keywords DuckDB parses as column references. */
const KEYWORD_VALUES: ReadonlySet<string> = new Set(['current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp']);

const PROBE: PrincipalContext = { name: 'strata_policy_check', administrator: false, groups: [], roles: [], attributes: {} };
const GUARD_A = 'strata_guard_start';
const GUARD_B = 'strata_guard_end';

/**
 * Throws INVALID_ARGUMENT with the reason unless `sql` is a storable policy.
 *
 * @param scalar runs one SQL query on DuckDB and returns the first cell of the first row
 * @param columns the table's column names, to check references against
 */
export async function validatePolicySql(
  kind: 'predicate' | 'expression',
  sql: string,
  scalar: (sql: string) => Promise<unknown>,
  columns?: readonly string[],
): Promise<void> {
  const what = kind === 'predicate' ? 'Row filter predicate' : 'Mask expression';
  const refuse = (reason: string): never => {
    throw new StrataError('INVALID_ARGUMENT', `${what} refused: ${reason}`, { kind, sql, reason });
  };
  assertSelfContained(sql, what);
  const bound = bindPrincipalFunctions(sql, PROBE, duckDbDialect);
  const wrapped =
    kind === 'predicate'
      ? `SELECT * FROM strata_policy_check WHERE ${GUARD_A} AND (\n${bound}\n) AND ${GUARD_B}`
      : `SELECT ${GUARD_A}, (\n${bound}\n), ${GUARD_B} FROM strata_policy_check`;
  const ast = parseJson(String(await scalar(`SELECT json_serialize_sql(${duckDbDialect.quoteString(wrapped)})`))) as Node;
  if (ast['error'] === true) refuse(String(ast['error_message'] ?? 'DuckDB cannot parse it'));
  const root = onlyExpression(ast, kind) ?? refuse('it is not one SQL expression');

  const known = columns ? new Set(columns.map((c) => c.toLowerCase())) : undefined;
  const lambdaParams = new Set<string>();
  const functions = new Set<string>();
  collectLambdaParams(root, lambdaParams);
  walk(root, (node) => {
    const cls = String(node['class']);
    if (!ALLOWED_CLASSES.has(cls)) refuse(REFUSED_CLASSES[cls] ?? `${cls.toLowerCase()} expressions are not allowed`);
    if (cls === 'FUNCTION') {
      const name = String(node['function_name']).toLowerCase();
      // The parser writes a tuple `(a, b)` as `main.row(a, b)`; everything else must be unqualified.
      const schema = String(node['schema'] ?? '');
      if ((schema !== '' && !(schema === 'main' && name === 'row')) || String(node['catalog'] ?? '') !== '') refuse(`${name}: call functions unqualified`);
      checkName(name, refuse);
      if (REFUSED_FUNCTIONS.has(name)) refuse(`${name}() is not allowed in a policy (a user could change its result)`);
      functions.add(name);
    }
    if (cls === 'COLUMN_REF') {
      const parts = (node['column_names'] as unknown[]).map((p) => String(p).toLowerCase());
      const first = parts[0] ?? '';
      if (known?.has(first) || lambdaParams.has(first)) return;
      if (parts.length === 1 && (KEYWORD_VALUES.has(first) || (kind === 'expression' && first === 'value'))) return;
      checkName(first, refuse);
      if (known) refuse(`${parts.join('.')} is not a column of the table (columns: ${[...known].join(', ')})`);
      if (parts.length > 1) refuse(`${parts.join('.')}: refer to columns by their bare name`);
    }
  });
  await checkBuiltins(functions, scalar, refuse);
}

/** The user's expression inside the parsed wrapper, when the guards are where they were put. */
function onlyExpression(ast: Node, kind: 'predicate' | 'expression'): Node | undefined {
  const statements = ast['statements'] as Node[] | undefined;
  const node = statements?.length === 1 ? (statements[0]?.['node'] as Node | undefined) : undefined;
  if (!node || node['type'] !== 'SELECT_NODE' || (node['modifiers'] as unknown[]).length > 0) return undefined;
  const isGuard = (n: unknown, name: string): boolean => {
    const names = (n as Node | undefined)?.['column_names'] as unknown[] | undefined;
    return names?.length === 1 && names[0] === name;
  };
  if (kind === 'expression') {
    const list = node['select_list'] as Node[];
    if (list.length !== 3 || !isGuard(list[0], GUARD_A) || !isGuard(list[2], GUARD_B) || node['where_clause'] !== null) return undefined;
    return list[1];
  }
  const where = node['where_clause'] as Node | null;
  const children = where?.['type'] === 'CONJUNCTION_AND' ? (where['children'] as Node[]) : [];
  if (children.length < 3 || !isGuard(children[0], GUARD_A) || !isGuard(children.at(-1), GUARD_B)) return undefined;
  // DuckDB flattens `g1 AND (x AND y) AND g2`; the user's conjuncts are everything between the guards.
  const inner = children.slice(1, -1);
  return inner.length === 1 ? inner[0] : { class: 'CONJUNCTION', type: 'CONJUNCTION_AND', children: inner };
}

function checkName(name: string, refuse: (reason: string) => never): void {
  if (PRINCIPAL_LOOKALIKES.has(name) || (name.includes('principal') && !(PRINCIPAL_FUNCTIONS as readonly string[]).includes(name))) {
    refuse(`${name} is not a principal function; use ${PRINCIPAL_FUNCTIONS.map((f) => (f === 'current_principal' ? `${f}()` : `${f}('…')`)).join(', ')}`);
  }
}

/** Every expression node (an object with a `class`) under `node`, depth first. */
function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Node;
  if (typeof n['class'] === 'string') visit(n);
  for (const value of Object.values(n)) if (value !== null && typeof value === 'object') walk(value, visit);
}

function collectLambdaParams(root: Node, out: Set<string>): void {
  walk(root, (node) => {
    if (node['class'] !== 'LAMBDA') return;
    walk(node['lhs'], (param) => {
      const names = param['column_names'] as unknown[] | undefined;
      if (names?.length === 1) out.add(String(names[0]).toLowerCase());
    });
  });
}

async function checkBuiltins(functions: ReadonlySet<string>, scalar: (sql: string) => Promise<unknown>, refuse: (reason: string) => never): Promise<void> {
  if (functions.size === 0) return;
  const names = [...functions].map((f) => duckDbDialect.quoteString(f)).join(', ');
  const found = await scalar(
    `SELECT string_agg(DISTINCT lower(function_name) || ':' || function_type, chr(10)) FROM duckdb_functions() WHERE internal AND lower(function_name) IN (${names})`,
  );
  const types = new Map<string, Set<string>>();
  for (const line of String(found ?? '').split('\n')) {
    const colon = line.lastIndexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const set = types.get(name) ?? new Set<string>();
    set.add(line.slice(colon + 1));
    types.set(name, set);
  }
  for (const name of functions) {
    const kinds = types.get(name);
    if (!kinds) refuse(`${name}() is not a DuckDB built-in function`);
    if (kinds.has('scalar') || kinds.has('macro')) continue;
    if (kinds.has('table')) refuse(`${name}() is a table function; a policy may only compute values from the row`);
    refuse(`${name}() is ${kinds.has('aggregate') ? 'an aggregate' : `a ${[...kinds].join('/')}`} function; a policy must depend on one row only`);
  }
}
