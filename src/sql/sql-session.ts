/**
 * `SqlSession`: SQL over the catalog. Queries run on an `Engine` after their `db.table` references
 * are resolved to pruned scans of the tables' snapshots (table-refs.ts); Strata's own statements
 * (statements.ts) go to the catalog and the table layer, so every write commits an Iceberg snapshot.
 * See docs/sql.md for the statements, time travel, metadata tables and type mapping.
 *
 * Writes pass their source query to the table writer as SQL that reads the resolved views, so the
 * engine must run on the catalog's DuckDB runtime (`DuckDbEngine.create(home.runtime)`).
 *
 * @example
 *   const session = await SqlSession.open({ catalog: home.catalog, engine });
 *   await session.execute('CREATE DATABASE sales');
 *   await session.execute('CREATE TABLE sales.orders (id BIGINT, ts TIMESTAMP) PARTITIONED BY (day(ts))');
 *   const result = await session.execute("SELECT count(*) FROM sales.orders WHERE ts >= '2024-01-01'");
 */
import { withSqlNullSemantics } from './sql-null-semantics.ts';
import { StrataError } from '../core/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { ColumnInfo, Engine, QueryOptions } from '../engine/index.ts';
import { isPrimitive, typeToString, type DuckDbRuntime, type Expression, type Table, type WriteOptions } from '../table/index.ts';
import { parseJson } from '../core/index.ts';
import { toExpression, type AstNode } from './predicates.ts';
import { splitStatements } from '../core/index.ts';
import { parseStatement, type AlterAction, type Statement, type TableName } from './statements.ts';
import { quoteIdent, quoteString, resolveQuery, type ResolvedQuery, type TableReadPlan } from './table-refs.ts';
import type { Governor, PrivilegeCheck, StatementGuard } from '../governance/enforce/index.ts';
import type { ReadDecision } from '../governance/decision/index.ts';
import type { PrincipalContext, Privilege } from '../governance/model.ts';
import { parseGovernanceStatement } from '../governance/sql/index.ts';
import { runGovernanceStatement } from './governance-statements.ts';
import { governedTables, ownTheNewObject } from './governed-catalog.ts';
import { fieldsFromDuckDbColumns, icebergTypeOf, idCounter } from './type-mapping.ts';
import { targetFor, type SessionTarget, type WriteMode } from './session-target.ts';
import { shapeOf } from '../governance/enforce/index.ts';

/** Options of one `execute` call: the engine's, plus a look at the plan before anything runs. */
export interface StatementOptions extends QueryOptions {
  /**
   * Called for a query (or the source of INSERT … SELECT / CREATE TABLE … AS) once its tables are
   * resolved and planned, before the engine runs it: the
   * planned reads (snapshot ids, bytes after pruning) and a fingerprint of the policies that shaped
   * them. Throwing aborts the statement with that error (a scan cap, a reused result).
   */
  readonly onPlanned?: (planned: PlannedQuery) => Promise<void> | void;
  /**
   * How INSERT and CREATE TABLE … AS commit: to a branch (write-audit-publish), with extra snapshot
   * summary properties (a pipeline's run and step ids), a validation re-checked on every commit
   * retry; and whether INSERT OVERWRITE replaces the partitions it writes (default) or the table.
   */
  readonly write?: StatementWriteOptions;
}

export interface StatementWriteOptions extends WriteOptions {
  readonly overwrite?: 'partitions' | 'table';
}

export interface PlannedQuery {
  /** `query` returns rows; `write` (INSERT … SELECT, CREATE TABLE … AS) reads to write a table. */
  readonly kind: 'query' | 'write';
  readonly plans: readonly TableReadPlan[];
  /** Equal for two statements exactly when the same policies shaped every table they read. */
  readonly policyFingerprint: string;
}

export type StatementResult =
  | { readonly kind: 'rows'; readonly columns: readonly ColumnInfo[]; readonly rows: AsyncIterable<readonly unknown[][]> }
  | { readonly kind: 'ok'; readonly message: string; readonly rowCount?: number; readonly snapshotId?: bigint };

export interface SqlSessionOptions {
  readonly catalog: Catalog;
  readonly engine: Engine;
  readonly runtime?: DuckDbRuntime;
  /**
   * Enforces the acting principal's grants, masks and row filters on every statement and audits
   * each one (src/governance/enforce). Without it the session is trusted: it reads and writes
   * everything raw (for Strata's own jobs and tests).
   */
  readonly governor?: Governor;
}

export class SqlSession {
  readonly catalog: Catalog;
  readonly engine: Engine;
  readonly governor: Governor | undefined;
  readonly #target: SessionTarget;
  #lastPlan: readonly TableReadPlan[] = [];
  readonly #liveViews = new Set<string>();

  private constructor(options: SqlSessionOptions) {
    this.catalog = options.catalog;
    this.engine = options.engine;
    this.governor = options.governor;
    this.#target = targetFor(options.engine, options.catalog);
  }

  static async open(options: SqlSessionOptions): Promise<SqlSession> {
    return Promise.resolve(new SqlSession(options));
  }

  /** What the last statement's table reads planned: per reference, the snapshot, filter and file counts. */
  get lastPlan(): readonly TableReadPlan[] {
    return this.#lastPlan;
  }

  /** Execute one statement (or a script of several, `;`-separated); the last one's result is returned. */
  async execute(sql: string, options: StatementOptions = {}): Promise<StatementResult> {
    const statements = splitStatements(sql);
    if (statements.length === 0) return { kind: 'ok', message: 'Nothing to execute' };
    let result: StatementResult = { kind: 'ok', message: '' };
    for (const [i, statement] of statements.entries()) {
      try {
        result = await this.#executeGoverned(statement.text, options);
      } catch (error) {
        throw shiftPosition(error, statement.offset);
      }
      if (i < statements.length - 1 && result.kind === 'rows') {
        for await (const batch of result.rows) void batch;
      }
    }
    return result;
  }

  /**
   * "What would this principal see?": decides one statement as the governor's principal without
   * running it or auditing it — the privilege checks, and per table read the readable, masked and
   * hidden columns and the row filters — or says why it is denied.
   */
  async explainAccess(sql: string): Promise<AccessExplanation> {
    const statements = splitStatements(sql);
    const text = statements[0]?.text;
    if (!this.governor || statements.length !== 1 || text === undefined) {
      throw new StrataError('INVALID_ARGUMENT', 'Access explanation needs a governed session and exactly one statement');
    }
    const guard = await this.governor.begin(text, 'access_explain');
    let denied: StrataError | undefined;
    try {
      const statement = parseStatement(text);
      for (const { privilege, on } of requiredPrivileges(statement)) guard.require(privilege, on);
      const source = sourceOf(statement);
      if (source) await this.#resolve(source.sql, source.offset, guard);
      if (statement.kind === 'delete') refuseFilteredDelete(guard, statement.table, await this.#load(statement.table));
      if (statement.kind === 'explain' && !this.governor.mayExplain) throw new StrataError('ACCESS_DENIED', 'EXPLAIN is for administrators only');
    } catch (error) {
      if (!StrataError.is(error, 'ACCESS_DENIED')) throw error;
      denied = error;
    }
    return {
      principal: guard.principal,
      ...(this.governor.actingAs === undefined ? {} : { actingAs: this.governor.actingAs }),
      statement: text,
      allowed: denied === undefined,
      ...(denied ? { reason: denied.message } : {}),
      checks: guard.checks,
      // A hash mask's key never leaves the governance plane, not even in an explanation.
      reads: guard.reads.map((read) => ({ ...read, columns: read.columns.map((c) => (c.mask ? { ...c, mask: { ...c.mask, hashKey: '' } } : c)) })),
    };
  }

  /** Drops any views a not-yet-drained result still holds. The engine belongs to the caller. */
  async close(): Promise<void> {
    await this.#dropViews([...this.#liveViews]);
    await this.#target.close();
  }

  /**
   * One statement under the governor, if any: the guard decides, the statement runs, and the
   * outcome (rows returned, or the error) is audited when the result is drained.
   */
  async #executeGoverned(text: string, options: StatementOptions): Promise<StatementResult> {
    const guard = await this.governor?.begin(text, 'statement');
    try {
      const governance = parseGovernanceStatement(text);
      let result: StatementResult;
      if (governance) {
        if (guard) guard.action = governance.kind === 'showGrants' ? 'show_grants' : governance.kind;
        result = await runGovernanceStatement(governance, { catalog: this.catalog, ...(this.governor && guard ? { governor: this.governor, guard } : {}) });
      } else {
        const statement = parseStatement(text);
        if (guard) guard.action = actionOf(statement);
        result = await this.#executeOne(statement, options, guard);
      }
      if (!guard) return result;
      if (result.kind === 'ok') {
        await guard.finish(result.rowCount === undefined ? {} : { rows: result.rowCount });
        return result;
      }
      return { ...result, rows: auditedRows(result.rows, guard) };
    } catch (error) {
      if (!guard) throw error;
      const shown = guard.sanitize(error);
      await guard.finish({ error: shown });
      throw shown;
    }
  }

  async #executeOne(statement: Statement, options: StatementOptions, guard: StatementGuard | undefined): Promise<StatementResult> {
    this.#lastPlan = [];
    for (const { privilege, on } of requiredPrivileges(statement)) guard?.require(privilege, on);
    switch (statement.kind) {
      case 'query':
        return this.#query(statement.sql, options, guard);
      case 'explain':
        return this.#explainStatement(statement, guard);
      case 'createDatabase':
        try {
          await this.catalog.createNamespace([statement.name]);
        } catch (error) {
          if (statement.ifNotExists && StrataError.is(error, 'NAMESPACE_ALREADY_EXISTS')) return ok(`Database ${statement.name} already exists`);
          throw error;
        }
        await ownTheNewObject(this.governor, { database: statement.name });
        return ok(`Created database ${statement.name}`);
      case 'dropDatabase': {
        const exists = (await this.catalog.listNamespaces()).some((n) => n.join('.') === statement.name);
        if (!exists && statement.ifExists) return ok(`Database ${statement.name} does not exist`);
        await this.catalog.dropNamespace([statement.name]);
        await this.governor?.policies.forgetDatabase(statement.name);
        return ok(`Dropped database ${statement.name}`);
      }
      case 'showDatabases': {
        const tables = await governedTables(this.catalog, guard);
        const names = (await this.catalog.listNamespaces())
          .map((n) => n.join('.'))
          .filter((db) => !guard || guard.principal.administrator || tables.some((t) => t.database === db) || guard.decidePrivilege('DESCRIBE', { database: db }).allowed)
          .map((db) => [db]);
        return rows([{ name: 'database', type: 'VARCHAR' }], names);
      }
      case 'showTables': {
        const tables = await governedTables(this.catalog, guard, statement.database);
        return rows(
          [
            { name: 'database', type: 'VARCHAR' },
            { name: 'table', type: 'VARCHAR' },
          ],
          tables.map((t) => [t.database, t.table]),
        );
      }
      case 'describe': {
        const table = await this.#load(statement.table);
        const partitionSources = new Map(table.spec().fields.map((f) => [f.sourceId, `${f.transform}`]));
        return rows(
          [
            { name: 'column_name', type: 'VARCHAR' },
            { name: 'column_type', type: 'VARCHAR' },
            { name: 'required', type: 'BOOLEAN' },
            { name: 'field_id', type: 'INTEGER' },
            { name: 'partition_transform', type: 'VARCHAR' },
          ],
          table.schema().fields.map((f) => [f.name, typeToString(f.type), f.required, f.id, partitionSources.get(f.id) ?? null]),
        );
      }
      case 'createTable':
        return this.#createTable(statement, options, guard);
      case 'insert':
        return this.#insert(statement, options, guard);
      case 'delete':
        return this.#delete(statement, guard);
      case 'alterTable':
        return this.#alter(statement.table, statement.action);
      case 'dropTable': {
        const id = `${statement.table.database}.${statement.table.table}`;
        if (statement.ifExists && !(await this.catalog.tableExists(id))) return ok(`Table ${id} does not exist`);
        await this.#load(statement.table);
        await this.catalog.dropTable(id, { purge: statement.purge });
        await this.governor?.policies.forgetTable(statement.table.database, statement.table.table);
        return ok(`Dropped table ${id}${statement.purge ? ' and deleted its files' : ''}`);
      }
    }
  }

  async #query(text: string, options: StatementOptions, guard: StatementGuard | undefined): Promise<StatementResult> {
    const resolved = await this.#resolve(text, 0, guard);
    try {
      await options.onPlanned?.({ kind: 'query', plans: resolved.plans, policyFingerprint: guard?.policyFingerprint() ?? 'ungoverned' });
      await this.#createViews(resolved);
      await guard?.allow();
      const result = await this.engine.query(this.#target.statementText(resolved.sql), options);
      const views = [...resolved.views.keys()];
      const drop = (): Promise<void> => this.#dropViews(views);
      const mapError = (error: unknown): unknown => this.#mapError(error, resolved);
      return {
        kind: 'rows',
        columns: result.columns,
        rows: {
          async *[Symbol.asyncIterator]() {
            try {
              for await (const batch of result) yield batch;
            } catch (error) {
              throw mapError(error);
            } finally {
              await drop();
            }
          },
        },
      };
    } catch (error) {
      await this.#dropViews([...resolved.views.keys()]);
      throw this.#mapError(error, resolved);
    }
  }

  /** EXPLAIN [ANALYZE]: administrators only (the rewrite shows mask expressions and keys). */
  async #explainStatement(statement: Extract<Statement, { kind: 'explain' }>, guard: StatementGuard | undefined): Promise<StatementResult> {
    if (this.governor && !this.governor.mayExplain) {
      throw new StrataError('ACCESS_DENIED', 'EXPLAIN shows the rewritten statement, with policy details, and is for administrators only', { construct: 'explain' });
    }
    const resolved = await this.#resolve(statement.query.sql, statement.query.offset, guard);
    try {
      await this.#createViews(resolved);
      await guard?.allow();
      const sql = this.#target.statementText(resolved.sql);
      const out: unknown[][] = [...resolved.views].map(([name, view]) => [`rewrite: ${name}`, view]);
      out.push(['statement', sql]);
      out.push(...(await this.#target.explain(sql, statement.analyze)));
      return rows(
        [
          { name: 'part', type: 'VARCHAR' },
          { name: 'text', type: 'VARCHAR' },
        ],
        out,
      );
    } catch (error) {
      throw this.#mapError(error, resolved);
    } finally {
      await this.#dropViews([...resolved.views.keys()]);
    }
  }

  async #resolve(text: string, offset: number, guard: StatementGuard | undefined): Promise<ResolvedQuery> {
    const resolved = await resolveQuery(text, {
      catalog: this.catalog,
      scalar: (sql) => this.#target.parseScalar(sql),
      scanSql: (read) => this.#target.scanSql(read),
      dialect: this.#target.dialect,
      offset,
      ...(guard ? { governance: guard } : {}),
    });
    this.#lastPlan = [...this.#lastPlan, ...resolved.plans];
    return resolved;
  }

  async #createViews(resolved: ResolvedQuery): Promise<void> {
    for (const [name, sql] of resolved.views) {
      this.#liveViews.add(name);
      await this.#target.createView(name, sql);
    }
  }

  async #dropViews(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (!this.#liveViews.delete(name)) continue;
      await this.#target.dropView(name).catch(() => undefined);
    }
  }


  /** Resolve a write's source query and run `write` with SQL the table writer can read. */
  async #withSource<T>(
    source: { readonly sql: string; readonly offset: number },
    options: StatementOptions,
    guard: StatementGuard | undefined,
    write: (sql: string, columns: readonly { name: string; type: string }[]) => Promise<T>,
  ): Promise<T> {
    const resolved = await this.#resolve(source.sql, source.offset, guard);
    try {
      await options.onPlanned?.({ kind: 'write', plans: resolved.plans, policyFingerprint: guard?.policyFingerprint() ?? 'ungoverned' });
      await this.#createViews(resolved);
      await guard?.allow();
      const sql = this.#target.statementText(resolved.sql);
      return await write(sql, await this.#target.describeQuery(sql));
    } catch (error) {
      throw this.#mapError(error, resolved);
    } finally {
      await this.#dropViews([...resolved.views.keys()]);
    }
  }

  async #createTable(statement: Extract<Statement, { kind: 'createTable' }>, options: StatementOptions, guard: StatementGuard | undefined): Promise<StatementResult> {
    const id = `${statement.table.database}.${statement.table.table}`;
    await this.#requireDatabase(statement.table);
    if (await this.catalog.tableExists(id)) {
      if (statement.ifNotExists) return ok(`Table ${id} already exists`);
      throw new StrataError('TABLE_ALREADY_EXISTS', `Table ${id} already exists; use CREATE TABLE IF NOT EXISTS or DROP TABLE ${id} first`, { table: id });
    }
    if (statement.columns) {
      const fields = fieldsFromDuckDbColumns(statement.columns);
      await this.catalog.createTable(id, fields, { partitionBy: statement.partitionBy });
      await ownTheNewObject(this.governor, { database: statement.table.database, table: statement.table.table });
      return ok(`Created table ${id}`);
    }
    const asSelect = statement.asSelect;
    if (!asSelect) throw new StrataError('SQL_ERROR', 'CREATE TABLE needs columns or AS SELECT');
    return this.#withSource(asSelect, options, guard, async (sql, columns) => {
      const { database, table } = statement.table;
      const created = await this.#target.createTableAs({ database, name: table, partitionBy: statement.partitionBy, sourceSql: sql, columns, write: options.write });
      await ownTheNewObject(this.governor, { database, table });
      return created.snapshot ? written(`Created table ${id}`, created.snapshot) : ok(`Created table ${id}: 0 row(s)`);
    });
  }

  async #insert(statement: Extract<Statement, { kind: 'insert' }>, options: StatementOptions, guard: StatementGuard | undefined): Promise<StatementResult> {
    const table = await this.#load(statement.table);
    const fields = table.schema().fields;
    const targets = statement.columns ?? fields.map((f) => f.name);
    for (const name of targets) {
      if (!fields.some((f) => f.name.toLowerCase() === name.toLowerCase())) {
        throw new StrataError('INVALID_ARGUMENT', `Column "${name}" does not exist in ${table.name}; columns are: ${fields.map((f) => f.name).join(', ')}`, {
          column: name,
          table: table.name,
        });
      }
    }
    return this.#withSource(statement.source, options, guard, async (sql, columns) => {
      if (columns.length !== targets.length) {
        throw new StrataError(
          'SQL_ERROR',
          `INSERT into ${table.name} gives ${columns.length} column(s) for ${targets.length} target column(s) (${targets.join(', ')}); list the columns (INSERT INTO ${table.name} (a, b) …) or match the count`,
          { table: table.name },
        );
      }
      const aliases = columns.map((_, i) => `c${i}`);
      const select = fields.map((f) => {
        const at = targets.findIndex((t) => t.toLowerCase() === f.name.toLowerCase());
        return `${at >= 0 ? `c${at}` : 'NULL'} AS ${quoteIdent(f.name)}`;
      });
      const source = `SELECT ${select.join(', ')} FROM (${sql}\n) AS strata_src(${aliases.join(', ')})`; // \n: a trailing -- comment must not swallow the paren
      const write = options.write ?? {};
      const mode: WriteMode = !statement.overwrite ? 'append' : write.overwrite === 'table' ? 'overwrite' : 'overwrite-partitions';
      const { database, table: name } = statement.table;
      const snapshot = await this.#target.write({ table, database, name, sourceSql: source, mode, write });
      return written(`${statement.overwrite ? 'Overwrote partitions of' : 'Inserted into'} ${table.name}`, snapshot);
    });
  }

  async #delete(statement: Extract<Statement, { kind: 'delete' }>, guard: StatementGuard | undefined): Promise<StatementResult> {
    const table = await this.#load(statement.table);
    if (guard) refuseFilteredDelete(guard, statement.table, table);
    let filter: Expression = { kind: 'true' };
    if (statement.where) {
      const raw = await this.#target.parseScalar(`SELECT json_serialize_sql(${quoteString(`SELECT * FROM t WHERE ${statement.where.sql}`)})`);
      const ast = parseJson(String(raw)) as AstNode;
      const statements = ast['statements'] as AstNode[] | undefined;
      const where = (statements?.[0]?.['node'] as AstNode | undefined)?.['where_clause'] as AstNode | undefined;
      const name = statement.table.table.toLowerCase();
      const converted =
        where &&
        toExpression(where, (parts) => (parts.length === 1 ? parts[0] : parts.length === 2 && parts[0]?.toLowerCase() === name ? parts[1] : undefined));
      if (!converted) {
        throw new StrataError(
          'VALIDATION_FAILED',
          `DELETE FROM ${table.name} supports only WHERE clauses made of column-versus-constant comparisons, IN, BETWEEN and IS [NOT] NULL joined by AND/OR/NOT, on partition columns (position ${statement.where.offset})`,
          { table: table.name, position: statement.where.offset },
        );
      }
      filter = withSqlNullSemantics(converted);
    }
    await guard?.allow();
    const result = await table.deleteWhere(filter);
    const removed = Number(result.snapshot.summary['deleted-records'] ?? 0);
    return { kind: 'ok', message: `Deleted ${removed} row(s) from ${table.name}`, rowCount: removed, snapshotId: result.snapshot.snapshotId };
  }

  async #alter(name: TableName, action: AlterAction): Promise<StatementResult> {
    const table = await this.#load(name);
    switch (action.kind) {
      case 'add': {
        const type = icebergTypeOf(action.column.type, idCounter(table.metadata().lastColumnId + 1), action.column.name);
        await table.updateSchema((u) => u.addColumn(action.column.name, type));
        return ok(`Added column ${action.column.name} to ${table.name}`);
      }
      case 'rename':
        await table.updateSchema((u) => u.renameColumn(action.from, action.to));
        return ok(`Renamed column ${action.from} to ${action.to} in ${table.name}`);
      case 'drop':
        await table.updateSchema((u) => u.deleteColumn(action.column));
        return ok(`Dropped column ${action.column} from ${table.name}`);
      case 'type': {
        const type = icebergTypeOf(action.type, idCounter(table.metadata().lastColumnId + 1), action.column);
        if (!isPrimitive(type)) throw new StrataError('UNSUPPORTED_FEATURE', `Column ${action.column} can only change to a primitive type`, { column: action.column });
        await table.updateSchema((u) => u.updateColumnType(action.column, type));
        return ok(`Changed the type of ${action.column} in ${table.name} to ${typeToString(type)}`);
      }
    }
  }

  async #requireDatabase(name: TableName): Promise<void> {
    const known = (await this.catalog.listNamespaces()).map((n) => n.join('.'));
    if (!known.includes(name.database)) {
      throw new StrataError(
        'NAMESPACE_NOT_FOUND',
        `Database ${name.database} does not exist (at position ${name.position}); create it with CREATE DATABASE ${name.database}`,
        { namespace: [name.database], position: name.position },
      );
    }
  }

  async #load(name: TableName): Promise<Table> {
    await this.#requireDatabase(name);
    const id = `${name.database}.${name.table}`;
    try {
      return await this.catalog.loadTable(id);
    } catch (error) {
      if (StrataError.is(error, 'TABLE_NOT_FOUND')) {
        throw new StrataError('TABLE_NOT_FOUND', `${error.message} (at position ${name.position})`, { ...error.details, position: name.position });
      }
      throw error;
    }
  }

  /** Map engine errors on a rewritten statement back to the user's text and names. */
  #mapError(error: unknown, resolved: ResolvedQuery): unknown {
    if (!StrataError.is(error, 'SQL_ERROR')) return error;
    let message = error.message;
    for (const [view, _sql] of resolved.views) message = message.replaceAll(view, 'table');
    const details: Record<string, unknown> = { ...error.details };
    const p = details['position'];
    if (typeof p === 'number' && details['mapped'] !== true) {
      const original = resolved.toOriginal(p);
      details['position'] = original;
      details['mapped'] = true;
      message = message.replace(/\(at position \d+:.*\)$/, `(at position ${original})`);
    }
    const missing = /Referenced column "([^"]+)" not found[^\n]*(?:\nCandidate bindings: "([^"]+)")?/.exec(String(details['duckdbMessage'] ?? message));
    if (missing?.[1] !== undefined) {
      const column = missing[1];
      const candidate = missing[2]?.split('.').pop();
      details['column'] = column;
      if (candidate) details['suggestion'] = candidate;
      message = `Column "${column}" does not exist${typeof details['position'] === 'number' ? ` (at position ${String(details['position'])})` : ''}${candidate ? `; did you mean "${candidate}"?` : ''}`;
    }
    return new StrataError('SQL_ERROR', message, details, { cause: error });
  }
}

/** "What would this principal see?" for one statement; see `SqlSession.explainAccess`. */
export interface AccessExplanation {
  readonly principal: PrincipalContext;
  readonly actingAs?: string;
  readonly statement: string;
  readonly allowed: boolean;
  readonly reason?: string;
  readonly checks: readonly PrivilegeCheck[];
  readonly reads: readonly ReadDecision[];
}

/** The privileges a statement needs besides reading its sources (checked before it runs). */
function requiredPrivileges(statement: Statement): { privilege: Privilege; on: { database?: string; table?: string } }[] {
  switch (statement.kind) {
    case 'createDatabase':
      return [{ privilege: 'ADMIN', on: {} }];
    case 'dropDatabase':
      return [{ privilege: 'DROP', on: { database: statement.name } }];
    case 'describe':
      return [{ privilege: 'DESCRIBE', on: { database: statement.table.database, table: statement.table.table } }];
    case 'createTable':
      return [{ privilege: 'CREATE_TABLE', on: { database: statement.table.database } }];
    case 'insert': {
      const on = { database: statement.table.database, table: statement.table.table };
      return statement.overwrite ? [{ privilege: 'INSERT', on }, { privilege: 'DELETE', on }] : [{ privilege: 'INSERT', on }];
    }
    case 'delete':
      return [{ privilege: 'DELETE', on: { database: statement.table.database, table: statement.table.table } }];
    case 'alterTable':
      return [{ privilege: 'ALTER', on: { database: statement.table.database, table: statement.table.table } }];
    case 'dropTable':
      return [{ privilege: 'DROP', on: { database: statement.table.database, table: statement.table.table } }];
    default:
      return [];
  }
}

/** The query a statement reads from, if any. */
function sourceOf(statement: Statement): { readonly sql: string; readonly offset: number } | undefined {
  switch (statement.kind) {
    case 'query':
      return { sql: statement.sql, offset: 0 };
    case 'explain':
      return statement.query;
    case 'insert':
      return statement.source;
    case 'createTable':
      return statement.asSelect;
    default:
      return undefined;
  }
}

/** A principal whose view of a table is row-filtered may not DELETE from it: it could remove rows it cannot see. */
function refuseFilteredDelete(guard: StatementGuard, name: TableName, table: Table): void {
  if (guard.principal.administrator) return;
  const filters = guard.decideRead(shapeOf(name.database, name.table, table.schema())).rowFilters;
  if (filters.length === 0) return;
  throw new StrataError(
    'ACCESS_DENIED',
    `${guard.principal.name} may not DELETE from ${table.name}: row filter(s) ${filters.map((f) => f.name).join(', ')} limit which rows it sees, and a delete could remove rows it cannot see`,
    { principal: guard.principal.name, table: table.name },
  );
}

/** The audit action of a statement: its kind in snake case (`create_table`, `query`, …). */
function actionOf(statement: Statement): string {
  return statement.kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Counts the rows a consumer reads and records the outcome once the iteration ends. */
function auditedRows(source: AsyncIterable<readonly unknown[][]>, guard: StatementGuard): AsyncIterable<readonly unknown[][]> {
  return {
    async *[Symbol.asyncIterator]() {
      let count = 0;
      let failure: { error: unknown } | undefined;
      try {
        for await (const batch of source) {
          count += batch.length;
          yield batch;
        }
      } catch (error) {
        failure = { error: guard.sanitize(error) };
        throw failure.error;
      } finally {
        await guard.finish(failure ?? { rows: count });
      }
    },
  };
}

function ok(message: string): StatementResult {
  return { kind: 'ok', message };
}

function written(message: string, snapshot: { readonly snapshotId: bigint; readonly summary: Readonly<Record<string, string>> }): StatementResult {
  const rowCount = Number(snapshot.summary['added-records'] ?? 0);
  return { kind: 'ok', message: `${message}: ${rowCount} row(s), snapshot ${snapshot.snapshotId}`, rowCount, snapshotId: snapshot.snapshotId };
}

function rows(columns: readonly ColumnInfo[], data: readonly unknown[][]): StatementResult {
  return {
    kind: 'rows',
    columns,
    rows: {
      async *[Symbol.asyncIterator]() {
        if (data.length > 0) yield await Promise.resolve(data as unknown[][]);
      },
    },
  };
}

/** Positions inside one statement of a script, shifted to positions in the script. */
function shiftPosition(error: unknown, offset: number): unknown {
  if (offset === 0 || !(error instanceof StrataError) || typeof error.details['position'] !== 'number') return error;
  const position = error.details['position'] + offset;
  return new StrataError(error.code, error.message.replace(/position \d+/, `position ${position}`), { ...error.details, position }, { cause: error });
}
