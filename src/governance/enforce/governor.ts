/**
 * Enforcement: one `Governor` per SQL session (one acting principal), one `StatementGuard` per
 * statement. The guard loads the policies once, answers the SQL session's privilege checks,
 * plugs into query resolution (`ReferenceGovernance`, src/sql/table-refs.ts) to refuse what it
 * cannot see through and to replace every table reference with its governed relation, and writes
 * the audit record of the decision and of the outcome.
 *
 * Order of a statement's audit records: `denied`; or `allowed` then `completed` / `failed`; or
 * `failed` alone when the statement failed before a decision (a syntax error, a missing table).
 *
 * Administrators pass every check and read raw data, but are audited like everyone else. An
 * administrator acting as someone else (`--as`) is decided as that principal; the record names
 * both.
 */
import { createHash, randomUUID } from 'node:crypto';
import { StrataError } from '../../core/index.ts';
import type { GovernedReference, GovernedRelation, ReferenceGovernance } from './reference-governance.ts';
import { typeToString, type Schema } from '../../table/index.ts';
import type { AuditEvent, AuditLog } from '../audit/index.ts';
import { statementHash } from '../audit/index.ts';
import { bindPrincipalFunctions, compileGovernedRelation, duckDbDialect, sparkDialect, type PolicyDialect } from '../compile/index.ts';
import { decidePrivilege, decideRead, type ColumnDecision, type PrivilegeDecision, type ReadDecision, type TableShape } from '../decision/index.ts';
import type { PolicySnapshot, PrincipalContext, Privilege } from '../model.ts';
import type { PolicyStore } from '../policy/index.ts';
import { findHiddenColumnReference, type ReadTable } from './column-references.ts';
import { inspectQuery, refuseUnparsedStatement } from './duckdb-query-inspector.ts';
import { checkSparkStatementText } from './spark-statement-text.ts';

export interface GovernorOptions {
  readonly principal: PrincipalContext;
  /** The administrator acting as `principal` (`strata --as`), if any. */
  readonly actingAs?: string;
  readonly policies: PolicyStore;
  readonly audit?: AuditLog;
  /** DuckDB's built-in function names (builtin-functions.ts). */
  readonly builtinFunctions: ReadonlySet<string>;
  /** Keep statement text in audit records (default true; the hash is always kept). */
  readonly auditStatements?: boolean;
  /**
   * The name of the engine statements run on (`Engine.name`; default `duckdb`). On `spark`,
   * governed relations are compiled with the Spark dialect and non-administrators' statements
   * are also refused where Spark would read their text differently (spark-statement-text.ts).
   */
  readonly engine?: string;
}

/** The policy dialect governed relations are compiled with on `engine`. */
export function policyDialectFor(engine: string | undefined): PolicyDialect {
  return engine === 'spark' ? sparkDialect : duckDbDialect;
}

/** Metadata tables that show table structure and history only: DESCRIBE is enough. */
const DESCRIBE_METADATA = new Set(['snapshots', 'history', 'refs']);

export class Governor {
  readonly principal: PrincipalContext;
  readonly actingAs: string | undefined;
  readonly policies: PolicyStore;
  readonly #options: GovernorOptions;

  constructor(options: GovernorOptions) {
    this.#options = options;
    this.principal = options.principal;
    this.actingAs = options.actingAs;
    this.policies = options.policies;
  }

  /** EXPLAIN shows rewritten plans (with mask expressions): administrators only, also when acting as someone. */
  get mayExplain(): boolean {
    return this.principal.administrator || this.actingAs !== undefined;
  }

  async begin(statement: string, action: string): Promise<StatementGuard> {
    return new StatementGuard(this.#options, await this.policies.snapshot(), statement, action);
  }
}

export interface PrivilegeCheck {
  readonly on: { readonly database?: string; readonly table?: string };
  readonly decision: PrivilegeDecision;
}

interface TableRead {
  readonly decision: ReadDecision;
  readonly names: string[];
  readonly policies: string[];
}

export class StatementGuard implements ReferenceGovernance {
  readonly snapshot: PolicySnapshot;
  readonly queryId = randomUUID();
  action: string;
  readonly #options: GovernorOptions;
  readonly #statement: string;
  readonly #reads: TableRead[] = [];
  readonly #grantsUsed = new Set<string>();
  readonly #checks: PrivilegeCheck[] = [];
  readonly #columnsRead = new Set<string>();
  #state: 'open' | 'allowed' | 'closed' = 'open';

  constructor(options: GovernorOptions, snapshot: PolicySnapshot, statement: string, action: string) {
    this.#options = options;
    this.snapshot = snapshot;
    this.#statement = statement;
    this.action = action;
  }

  get principal(): PrincipalContext {
    return this.#options.principal;
  }

  /** The read decisions of every table reference resolved so far (for `access explain`). */
  get reads(): readonly ReadDecision[] {
    return this.#reads.map((r) => r.decision);
  }

  /** The privilege checks made so far, with their outcome (for `access explain`). */
  get checks(): readonly PrivilegeCheck[] {
    return this.#checks;
  }

  /**
   * A hash of everything policy decided for this statement's reads: per table, which columns are
   * readable and how each is masked, and the row filters bound to this principal's attributes.
   * Two statements with equal fingerprints (and equal text and snapshots) return equal results.
   */
  policyFingerprint(): string {
    const principal = this.principal;
    const shape = this.#reads.map((r) => ({
      table: r.decision.table,
      columns: r.decision.columns.map((c) => [c.name, c.readable, c.mask ? [c.mask.policy, c.mask.function, c.mask.hashKey] : null]),
      filters: r.decision.rowFilters.map((f) => [f.name, bindPrincipalFunctions(f.predicate, principal)]),
    }));
    return createHash('sha256').update(JSON.stringify([principal.administrator, shape])).digest('hex');
  }

  /** Whether any mask or row filter shaped what this statement read. */
  get restricted(): boolean {
    return this.#reads.some((r) => r.policies.some((p) => !p.startsWith('grant:')));
  }

  /** Throws ACCESS_DENIED unless the principal holds `privilege` on the target. */
  require(privilege: Privilege, on: { readonly database?: string; readonly table?: string }): PrivilegeDecision {
    const decision = decidePrivilege(this.snapshot, this.principal, privilege, on);
    this.#checks.push({ on, decision });
    if (!decision.allowed) {
      const target = on.table !== undefined ? `${on.database ?? ''}.${on.table}` : on.database !== undefined ? `database ${on.database}` : 'the catalog';
      throw new StrataError('ACCESS_DENIED', `${this.principal.name} may not ${privilege} on ${target}: ${decision.reason}`, {
        principal: this.principal.name,
        privilege,
        ...on,
      });
    }
    for (const grant of decision.grants) this.#grantsUsed.add(`grant:${grant.id}`);
    return decision;
  }

  /** Whether the principal holds `privilege` on the target, without throwing. */
  decidePrivilege(privilege: Privilege, on: { readonly database?: string; readonly table?: string }): PrivilegeDecision {
    return decidePrivilege(this.snapshot, this.principal, privilege, on);
  }

  /** The read decision for a table as it is now (for DESCRIBE-style statements and DELETE checks). */
  decideRead(shape: TableShape): ReadDecision {
    return decideRead(this.snapshot, this.principal, shape);
  }

  // ---- ReferenceGovernance ------------------------------------------------------------------

  unparsed(text: string): void {
    if (!this.principal.administrator) throw refuseUnparsedStatement(text);
  }

  inspect(ast: Record<string, unknown>, databases: ReadonlySet<string>, toUser: (position: number) => number): void {
    if (this.principal.administrator) return;
    const engine = this.#options.engine;
    if (engine === 'spark') checkSparkStatementText(this.#statement);
    inspectQuery(ast, { databases, builtinFunctions: this.#options.builtinFunctions, toUser, ...(engine === undefined ? {} : { engine }) });
  }

  relation(reference: GovernedReference): GovernedRelation {
    const id = `${reference.database}.${reference.name}`;
    const shape = shapeOf(reference.database, reference.name, reference.table.schema());
    const decision = decideRead(this.snapshot, this.principal, shape);
    if (reference.metadataTable !== undefined) return this.#metadataRelation(reference, decision);
    if (!decision.allowed) {
      throw new StrataError('ACCESS_DENIED', `${this.principal.name} may not read ${id} (at position ${reference.position}): ${decision.reason ?? 'no SELECT grant covers it'}`, {
        principal: this.principal.name,
        table: id,
        position: reference.position,
      });
    }
    const policies = [
      ...new Set([
        ...decision.columns.flatMap((c) => c.grants.map((g) => `grant:${g.id}`)),
        ...decision.columns.flatMap((c) => (c.mask ? [`mask:${c.mask.policy}`] : [])),
        ...decision.rowFilters.map((f) => `filter:${f.name}`),
      ]),
    ];
    const names = [(reference.alias || reference.name).toLowerCase()];
    this.#reads.push({ decision, names, policies });
    const principal = this.principal;
    const current = reference.table.schema();
    const dialect = policyDialectFor(this.#options.engine);
    return {
      canPushDown(column) {
        const top = column.split('.')[0]?.toLowerCase();
        const c = decision.columns.find((d) => d.name.toLowerCase() === top);
        return principal.administrator || (c !== undefined && c.readable && c.mask === undefined);
      },
      wrap(scanSql, readSchema) {
        if (principal.administrator) return scanSql;
        return compileGovernedRelation(scanSql, forReadSchema(decision, current, readSchema), principal, dialect);
      },
    };
  }

  complete(ast: Record<string, unknown>): void {
    const tables: ReadTable[] = this.#reads.map((r) => ({
      table: r.decision.table,
      names: r.names,
      hidden: new Set(r.decision.columns.filter((c) => !c.readable).map((c) => c.name.toLowerCase())),
    }));
    if (!this.principal.administrator) {
      const hidden = findHiddenColumnReference(ast, tables);
      if (hidden) {
        const why = this.#reads.find((r) => r.decision.table === hidden.table)?.decision.columns.find((c) => c.name.toLowerCase() === hidden.column)?.reason;
        throw new StrataError(
          'ACCESS_DENIED',
          `${this.principal.name} may not read column ${hidden.table}.${hidden.column}${hidden.position === undefined ? '' : ` (at position ${hidden.position})`}: ${why ?? 'no SELECT grant covers it'}`,
          { principal: this.principal.name, table: hidden.table, column: hidden.column },
        );
      }
    }
    const referenced = columnNamesIn(ast);
    for (const read of this.#reads) {
      for (const column of read.decision.columns) {
        if (column.readable && (referenced.star || referenced.names.has(column.name.toLowerCase()))) this.#columnsRead.add(`${read.decision.table}.${column.name}`);
      }
    }
  }

  // ---- audit ----------------------------------------------------------------------------------

  /** Records that the statement passed every check (once). */
  async allow(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'allowed';
    await this.#record({ decision: 'allowed' });
  }

  /** Records the end of the statement: denied (ACCESS_DENIED before `allow`), completed or failed. */
  async finish(outcome: { readonly rows?: number } | { readonly error: unknown }): Promise<void> {
    if (this.#state === 'closed') return;
    const before = this.#state;
    this.#state = 'closed';
    if ('error' in outcome) {
      const error = outcome.error;
      const code = error instanceof StrataError ? error.code : 'INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      await this.#record({ decision: before === 'open' && code === 'ACCESS_DENIED' ? 'denied' : 'failed', reason: `${code}: ${message}` });
      return;
    }
    if (before === 'open') await this.#record({ decision: 'allowed' });
    await this.#record({ decision: 'completed', ...(outcome.rows === undefined ? {} : { rows: outcome.rows }) });
  }

  /**
   * An engine error as a non-administrator may see it: values quoted in DuckDB's messages (which
   * can come from rows a filter hides, when the engine evaluates a predicate early) are redacted.
   * Spark's messages are redacted the same way and lose their `== SQL … ==` context sections (which
   * can quote a governed view's text: mask expressions, hash key pads); their message parameters
   * and cause chain are redacted too.
   */
  sanitize(error: unknown): unknown {
    if (this.principal.administrator || !StrataError.is(error, 'SQL_ERROR')) return error;
    const redact = (text: string): string =>
      text
        .replace(/'(?:[^'\\]|''|\\.)*'|'(?:[^']|'')*'/g, "'…'")
        .replace(/\n+LINE \d+:[\s\S]*$/, '')
        .replace(/\s*== SQL[\s\S]*$/, '');
    const details: Record<string, unknown> = { ...error.details };
    if (typeof details['duckdbMessage'] === 'string') details['duckdbMessage'] = redact(details['duckdbMessage']);
    const parameters = (value: unknown): unknown =>
      value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v])) : value;
    if (details['messageParameters'] !== undefined) details['messageParameters'] = parameters(details['messageParameters']);
    if (Array.isArray(details['causes'])) {
      details['causes'] = details['causes'].map((c: unknown) => {
        const cause = (c ?? {}) as Record<string, unknown>;
        return { ...cause, message: redact(String(cause['message'] ?? '')), messageParameters: parameters(cause['messageParameters']) };
      });
    }
    return new StrataError('SQL_ERROR', redact(error.message), details);
  }

  async #record(event: Pick<AuditEvent, 'decision'> & Partial<AuditEvent>): Promise<void> {
    const audit = this.#options.audit;
    if (!audit) return;
    const policies = [...new Set([...this.#grantsUsed, ...this.#reads.flatMap((r) => r.policies)])];
    const tables = [...new Set(this.#reads.map((r) => r.decision.table))];
    await audit.append({
      principal: this.principal.name,
      ...(this.#options.actingAs === undefined ? {} : { actingAs: this.#options.actingAs }),
      action: this.action,
      statementHash: statementHash(this.#statement),
      ...(this.#options.auditStatements === false ? {} : { statement: this.#statement }),
      queryId: this.queryId,
      ...(tables.length > 0 ? { tables } : {}),
      ...(this.#columnsRead.size > 0 ? { columns: [...this.#columnsRead] } : {}),
      ...(policies.length > 0 ? { policies } : {}),
      ...event,
    });
  }

  #metadataRelation(reference: GovernedReference, decision: ReadDecision): GovernedRelation {
    const id = `${reference.database}.${reference.name}`;
    const kind = reference.metadataTable ?? '';
    if (DESCRIBE_METADATA.has(kind)) {
      this.require('DESCRIBE', { database: reference.database, table: reference.name });
    } else if (!this.principal.administrator) {
      // $files and $partitions carry column bounds and partition values: raw data in summary form.
      const unrestricted = decision.columns.every((c) => c.readable && c.mask === undefined) && decision.rowFilters.length === 0;
      if (!unrestricted) {
        throw new StrataError(
          'ACCESS_DENIED',
          `${this.principal.name} may not read ${id}$${kind} (at position ${reference.position}): it shows column bounds and partition values, so it needs SELECT on every column of ${id} with no mask or row filter applying`,
          { principal: this.principal.name, table: id, metadataTable: kind, position: reference.position },
        );
      }
    }
    this.#reads.push({ decision, names: [(reference.alias || `${reference.name}$${kind}`).toLowerCase()], policies: [] });
    return { canPushDown: () => true, wrap: (sql) => sql };
  }
}

export function shapeOf(database: string, table: string, schema: Schema): TableShape {
  return { database, table, columns: schema.fields.map((f) => ({ name: f.name, type: typeToString(f.type) })) };
}

/**
 * The decision (made on the table's current schema, where policies name columns) re-keyed to the
 * schema a time-travel read uses, by field id: a column renamed since keeps its policy under its
 * old name; a column dropped since is hidden (no policy can be checked for it).
 */
function forReadSchema(decision: ReadDecision, current: Schema, read: Schema): ReadDecision {
  if (read === current || read.schemaId === current.schemaId) return decision;
  const byId = new Map<number, ColumnDecision>();
  for (const field of current.fields) {
    const column = decision.columns.find((c) => c.name === field.name);
    if (column) byId.set(field.id, column);
  }
  const columns = read.fields.map((field): ColumnDecision => {
    const column = byId.get(field.id);
    if (column) return { ...column, name: field.name, type: typeToString(field.type) };
    return { name: field.name, type: typeToString(field.type), readable: false, grants: [], tags: {}, reason: `column ${field.name} no longer exists in ${decision.table}, so no policy covers it` };
  });
  return { ...decision, columns };
}

function columnNamesIn(ast: unknown): { star: boolean; names: Set<string> } {
  const names = new Set<string>();
  let star = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n['class'] === 'STAR') star = true;
    if (n['class'] === 'COLUMN_REF' && Array.isArray(n['column_names'])) for (const part of n['column_names']) names.add(String(part).toLowerCase());
    for (const value of Object.values(n)) if (value !== null && typeof value === 'object') visit(value);
  };
  visit(ast);
  return { star, names };
}
