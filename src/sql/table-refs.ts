/**
 * Resolving `db.table` references in a query through the catalog.
 *
 * 1. Time-travel phrases become DuckDB's `AT (…)` clause (core/sql-text.ts), which its parser keeps.
 * 2. DuckDB's own parser (`json_serialize_sql`) gives the AST; every BASE_TABLE whose schema names
 *    a Strata database is a table reference (DuckDB's own schemas — main, temp, information_schema,
 *    pg_catalog — are left alone).
 * 3. For each reference, the simple predicates of the WHERE clauses that filter it (the SELECT it
 *    appears in, through inner joins and the preserved side of outer joins) become a scan filter
 *    (predicates.ts); the table plane plans the scan (pruning manifests and files) and gives a DuckDB
 *    query over the planned files.
 * 4. That query becomes a uniquely named, non-temporary view (so any connection of the instance —
 *    the engine's and the table writer's — can read it), and the reference's text is replaced by the
 *    view's name (aliased to the table name when the user gave no alias, so `t.col` still binds).
 *    The caller drops the views when the statement is done.
 *
 * Text is replaced in place rather than regenerated from the AST, so DuckDB's error positions on
 * the rewritten statement map back to the user's text (EditedText).
 */
import { randomBytes } from 'node:crypto';
import { StrataError, closestName, parseJson } from '../core/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { GovernedRelation, ReferenceGovernance } from '../governance/enforce/index.ts';
import { Expressions, bind, type Expression, type ScanOptions, type ScanStats, type Table } from '../table/index.ts';
import { conjuncts, constantOf, toExpression, type AstNode } from './predicates.ts';
import { isMetadataTable, metadataTableSql, METADATA_TABLES } from './metadata-tables.ts';
import { EditedText, rewriteTimeTravel, significant, tokenize, type Edit } from '../core/index.ts';
import type { PlannedRead } from './session-target.ts';

const DUCKDB_SCHEMAS = new Set(['main', 'temp', 'information_schema', 'pg_catalog']);

/** What one table reference read: the planner's numbers, for `session.lastPlan`. */
export interface TableReadPlan {
  readonly table: string;
  readonly metadataTable?: string;
  readonly snapshotId?: bigint;
  /** The pushed-down filter, readable. */
  readonly filter: string;
  readonly stats?: ScanStats;
}

export interface ResolvedQuery {
  /** The statement to run: references replaced by view names. */
  readonly sql: string;
  /** Views to create (name → SQL) before running and to drop after. */
  readonly views: ReadonlyMap<string, string>;
  readonly plans: readonly TableReadPlan[];
  /** Map a position in `sql` back to the caller's original text. */
  toOriginal(position: number): number;
}

export interface ResolveContext {
  readonly catalog: Catalog;
  /** Runs a scalar query (json_serialize_sql) and returns the first cell. */
  readonly scalar: (sql: string) => Promise<unknown>;
  /** Offset of this text in the statement the user wrote (for positions in messages). */
  readonly offset?: number;
  /** Governance's say over the query: what may be read and how (absent: read everything raw). */
  readonly governance?: ReferenceGovernance;
  /** The SQL reading a planned table (default: DuckDB over the planned files, `TableScan.toSql`). */
  readonly scanSql?: (read: PlannedRead) => Promise<string>;
  /** The engine SQL metadata tables are written in (default duckdb). */
  readonly dialect?: 'duckdb' | 'spark';
}

interface Ref {
  readonly node: AstNode;
  readonly filters: readonly AstNode[];
  readonly single: boolean;
}

/** Resolve every Strata table reference in `text` (a SELECT/WITH/VALUES query). */
export async function resolveQuery(text: string, ctx: ResolveContext): Promise<ResolvedQuery> {
  const timeTravel = rewriteTimeTravel(text);
  const s1 = timeTravel.text;
  const offset = ctx.offset ?? 0;
  const toUser = (p: number): number => offset + timeTravel.toOriginal(p);
  const raw = await ctx.scalar(`SELECT json_serialize_sql(${quoteString(s1)})`);
  const ast = parseJson(String(raw)) as AstNode;
  if (ast['error'] === true) {
    const message = String(ast['error_message'] ?? 'cannot parse the statement');
    if (/Only SELECT statements/i.test(message)) {
      ctx.governance?.unparsed(text);
      return { sql: text, views: new Map(), plans: [], toOriginal: (p) => offset + p };
    }
    const position = ast['position'] === undefined ? undefined : toUser(Number(ast['position']));
    throw new StrataError('SQL_ERROR', `${message}${position === undefined ? '' : ` (at position ${position})`}`, {
      errorType: 'Parser',
      ...(position === undefined ? {} : { position }),
    });
  }
  const namespaces = new Set((await ctx.catalog.listNamespaces()).map((n) => n.join('.')));
  ctx.governance?.inspect(ast, namespaces, toUser);
  const refs: Ref[] = [];
  collectRefs(ast, new Map(), refs);
  const edits: Edit[] = [];
  const views = new Map<string, string>();
  const plans: TableReadPlan[] = [];
  for (const ref of refs) {
    const schemaName = String(ref.node['schema_name'] ?? '');
    const catalogName = String(ref.node['catalog_name'] ?? '');
    if (schemaName === '' || catalogName !== '') continue;
    if (!namespaces.has(schemaName) && DUCKDB_SCHEMAS.has(schemaName.toLowerCase())) continue;
    const location = Number(ref.node['query_location']);
    const position = toUser(location);
    if (!namespaces.has(schemaName)) throw unknownDatabase(schemaName, [...namespaces], position);
    const tableName = String(ref.node['table_name']);
    const dollar = tableName.lastIndexOf('$');
    const baseName = dollar > 0 ? tableName.slice(0, dollar) : tableName;
    const metaKind = dollar > 0 ? tableName.slice(dollar + 1).toLowerCase() : undefined;
    const table = await loadTable(ctx.catalog, schemaName, baseName, position);
    const scan = scanOptions(ref.node['at_clause'] as AstNode | null | undefined, position);
    const governed = ctx.governance?.relation({
      table,
      database: schemaName,
      name: baseName,
      alias: String(ref.node['alias'] ?? ''),
      ...(metaKind === undefined ? {} : { metadataTable: metaKind }),
      position,
    });
    let viewSql: string;
    if (metaKind !== undefined) {
      if (!isMetadataTable(metaKind)) {
        throw new StrataError(
          'TABLE_NOT_FOUND',
          `${schemaName}.${tableName} (at position ${position}) is not a metadata table; use one of ${METADATA_TABLES.map((k) => `${schemaName}.${baseName}$${k}`).join(', ')}`,
          { table: `${schemaName}.${tableName}`, position },
        );
      }
      viewSql = await metadataTableSql(table, metaKind, scan, ctx.dialect ?? 'duckdb');
      plans.push({ table: `${schemaName}.${baseName}`, metadataTable: metaKind, filter: 'true' });
    } else {
      const filter = pushdownFilter(table, ref, governed);
      const tableScan = table.scan({ ...scan, ...(filter ? { filter } : {}), caseSensitive: false });
      const plan = await tableScan.planFiles();
      viewSql = ctx.scanSql ? await ctx.scanSql({ database: schemaName, name: baseName, table, scan: tableScan, plan }) : await tableScan.toSql(plan);
      if (governed) viewSql = governed.wrap(viewSql, plan.schema);
      plans.push({
        table: `${schemaName}.${baseName}`,
        ...(plan.snapshot ? { snapshotId: plan.snapshot.snapshotId } : {}),
        filter: filter ? describeFilter(filter) : 'true',
        stats: plan.stats,
      });
    }
    const viewName = `strata_ref_${randomBytes(6).toString('hex')}`;
    views.set(viewName, viewSql);
    const spans = referenceSpans(s1, location);
    const alias = String(ref.node['alias'] ?? '');
    const named = alias === '' ? `"${viewName}" AS ${quoteIdent(baseName)}` : `"${viewName}"`;
    if (spans.at && spans.at.start === spans.nameEnd) {
      edits.push({ start: location, end: spans.at.end, replacement: named });
    } else {
      edits.push({ start: location, end: spans.nameEnd, replacement: named });
      if (spans.at) edits.push({ start: spans.at.start, end: spans.at.end, replacement: '' });
    }
  }
  ctx.governance?.complete(ast);
  const edited = new EditedText(s1, edits);
  return { sql: edited.text, views, plans, toOriginal: (p) => toUser(edited.toOriginal(p)) };
}

/** Walk the AST; a SELECT node passes its WHERE conjuncts to the base tables it filters. */
function collectRefs(node: unknown, filtersFor: Map<AstNode, { filters: AstNode[]; single: boolean }>, out: Ref[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collectRefs(child, filtersFor, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as AstNode;
  if (n['type'] === 'SELECT_NODE') {
    const from = n['from_table'] as AstNode | undefined;
    const where = conjuncts(n['where_clause'] as AstNode | null | undefined);
    const single = from?.['type'] === 'BASE_TABLE';
    for (const base of filterableTables(from)) filtersFor.set(base, { filters: where, single });
  }
  if (n['type'] === 'BASE_TABLE') {
    const found = filtersFor.get(n);
    out.push({ node: n, filters: found?.filters ?? [], single: found?.single ?? false });
  }
  for (const value of Object.values(n)) if (value !== null && typeof value === 'object') collectRefs(value, filtersFor, out);
}

/** Base tables whose rows a WHERE above `from` filters without changing outer-join results. */
function filterableTables(from: AstNode | undefined): AstNode[] {
  if (!from) return [];
  if (from['type'] === 'BASE_TABLE') return [from];
  if (from['type'] !== 'JOIN') return [];
  const left = from['left'] as AstNode | undefined;
  const right = from['right'] as AstNode | undefined;
  const joinType = String(from['join_type'] ?? '');
  // ASOF and POSITIONAL joins pick *which* row matches by position or nearest key: filtering an
  // input first changes the match, so only ordinary joins let the WHERE reach their inputs.
  const refType = String(from['ref_type'] ?? 'REGULAR');
  if (!['REGULAR', 'NATURAL', 'CROSS'].includes(refType)) return [];
  if (joinType === 'INNER') return [...filterableTables(left), ...filterableTables(right)];
  if (joinType === 'LEFT') return filterableTables(left);
  if (joinType === 'RIGHT') return filterableTables(right);
  return [];
}

function pushdownFilter(table: Table, ref: Ref, governed: GovernedRelation | undefined): Expression | undefined {
  const alias = String(ref.node['alias'] ?? '') || String(ref.node['table_name']);
  const resolve = (parts: readonly string[]): string | undefined => {
    if (parts.length === 1 && ref.single) return parts[0];
    if (parts.length === 2 && parts[0]?.toLowerCase() === alias.toLowerCase()) return parts[1];
    return undefined;
  };
  const schema = table.schema();
  const kept: Expression[] = [];
  for (const conjunct of ref.filters) {
    const expression = toExpression(conjunct, resolve);
    if (!expression) continue;
    if (governed && !columnsOf(expression).every((c) => governed.canPushDown(c))) continue;
    try {
      const bound = bind(expression, schema, false);
      if (JSON.stringify(bound, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes('"timestamptz"') && !zoned(expression)) continue;
      kept.push(expression);
    } catch {
      // Not bindable (unknown column, literal of another type): leave it to DuckDB.
    }
  }
  return kept.length === 0 ? undefined : Expressions.and(...kept);
}

function columnsOf(e: Expression): string[] {
  switch (e.kind) {
    case 'and':
    case 'or':
      return [...columnsOf(e.left), ...columnsOf(e.right)];
    case 'not':
      return columnsOf(e.child);
    case 'predicate':
      return [e.column];
    default:
      return [];
  }
}

/** A timestamptz literal without an explicit zone would depend on DuckDB's TimeZone: not pushed. */
function zoned(e: Expression): boolean {
  switch (e.kind) {
    case 'and':
    case 'or':
      return zoned(e.left) && zoned(e.right);
    case 'not':
      return zoned(e.child);
    case 'predicate':
      return e.literals.every((l) => typeof l !== 'string' || /(Z|[+-]\d\d(:?\d\d)?)$/.test(l));
    default:
      return true;
  }
}

function describeFilter(e: Expression): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

function scanOptions(at: AstNode | null | undefined, position: number): ScanOptions {
  if (!at) return {};
  const unit = String(at['unit'] ?? '').toUpperCase();
  const value = constantOf(at['expr'] as AstNode | undefined);
  if (unit === 'VERSION') {
    if (typeof value === 'number' || typeof value === 'bigint') return { snapshotId: BigInt(value) };
    if (typeof value === 'string') return /^\d+$/.test(value) ? { snapshotId: BigInt(value) } : { ref: value };
  }
  if (unit === 'TIMESTAMP') {
    if (typeof value === 'number') return { asOf: value };
    if (typeof value === 'string') {
      const text = /(Z|[+-]\d\d(:?\d\d)?)$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
      const ms = Date.parse(text.includes('T') ? text : text.replace(' ', 'T'));
      if (!Number.isNaN(ms)) return { asOf: ms };
    }
  }
  throw new StrataError(
    'SQL_ERROR',
    `Cannot read the time-travel clause at position ${position}: use FOR VERSION AS OF <snapshot id | 'branch-or-tag'> or FOR SYSTEM_TIME AS OF '<timestamp>'`,
    { position, errorType: 'Parser' },
  );
}

async function loadTable(catalog: Catalog, database: string, name: string, position: number): Promise<Table> {
  const id = `${database}.${name}`;
  try {
    return await catalog.loadTable({ namespace: [database], name });
  } catch (error) {
    if (!StrataError.is(error, 'TABLE_NOT_FOUND')) throw error;
    const tables = (await catalog.listTables([database])).map((t) => t.name);
    const suggestion = closestName(name, tables);
    throw new StrataError(
      'TABLE_NOT_FOUND',
      `Table ${id} does not exist (at position ${position})` +
        (suggestion ? `; did you mean ${database}.${suggestion}?` : tables.length > 0 ? `; tables in ${database}: ${tables.slice(0, 10).join(', ')}` : `; database ${database} has no tables`),
      { table: id, position, ...(suggestion ? { suggestion: `${database}.${suggestion}` } : {}) },
    );
  }
}

function unknownDatabase(name: string, known: readonly string[], position: number): StrataError {
  const suggestion = closestName(name, known);
  return new StrataError(
    'NAMESPACE_NOT_FOUND',
    `Database ${name} does not exist (at position ${position})` +
      (suggestion ? `; did you mean ${suggestion}?` : `; create it with CREATE DATABASE ${name}`),
    { namespace: [name], position, ...(suggestion ? { suggestion } : {}) },
  );
}

/**
 * Where the table reference at `start` ends (`a.b`), and where its `AT (…)` clause is, if any. DuckDB
 * puts the clause after the alias (`db.t AS x AT (VERSION => 1)`), so it may not follow the name.
 */
function referenceSpans(text: string, start: number): { nameEnd: number; at?: { start: number; end: number } } {
  const tokens = significant(tokenize(text.slice(start)));
  let i = 0;
  let nameEnd = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) break;
    nameEnd = t.end;
    i++;
    if (tokens[i]?.text !== '.') break;
    i++;
  }
  const isAt = (k: number): boolean => tokens[k]?.kind === 'word' && tokens[k]?.text.toUpperCase() === 'AT' && tokens[k + 1]?.text === '(';
  let k = i;
  if (!isAt(k) && tokens[k]?.kind === 'word' && tokens[k]?.text.toUpperCase() === 'AS') k++;
  if (!isAt(k) && (tokens[k]?.kind === 'word' || tokens[k]?.kind === 'quoted')) k++;
  if (!isAt(k)) return { nameEnd: start + nameEnd };
  let depth = 0;
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t?.text === '(') depth++;
    if (t?.text === ')' && --depth === 0) {
      return { nameEnd: start + nameEnd, at: { start: start + (tokens[k]?.start ?? 0), end: start + t.end } };
    }
  }
  return { nameEnd: start + nameEnd };
}

export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

