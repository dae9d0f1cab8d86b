/**
 * What one audit record holds and how it is sealed into the chain.
 *
 * Each record's `hash` is the hex SHA-256 of its canonical serialization: a JSON object with keys
 * in sorted order holding every field of the event (absent optional fields are left out, not
 * `null`), plus `seq`, `at`, `prevHash` and a format version `v`. `prevHash` is the previous
 * record's `hash` (64 zeros for the first record), so changing, removing or reordering any record
 * breaks every link after it.
 *
 * Gotcha: the canonical form is a storage format. Never change how an existing version is
 * serialized — records written years ago must still verify; add a new `v` instead.
 */
import { createHash } from 'node:crypto';
import { StrataError } from '../../core/index.ts';

export interface AuditEvent {
  /** Who acted. */
  readonly principal: string;
  /** When an administrator used `--as`: the administrator's name (`principal` is the impersonated one). */
  readonly actingAs?: string;
  /** `query`, `insert`, `grant`, `revoke`, `create_table`, … (free text, stored lowercase). */
  readonly action: string;
  /** `completed`/`failed` are the outcome record of an `allowed` statement (same `queryId`). */
  readonly decision: 'allowed' | 'denied' | 'completed' | 'failed';
  /** Hex SHA-256 of the statement text (`statementHash(sql)`). */
  readonly statementHash: string;
  /** The text itself; may be omitted (the log can be opened with `omitStatementText`). */
  readonly statement?: string;
  /** Links a decision to its outcome record. */
  readonly queryId?: string;
  /** `db.table` names, stored lowercase. */
  readonly tables?: readonly string[];
  /** `db.table.column` names read, stored lowercase. */
  readonly columns?: readonly string[];
  /** Masks, filters and grants that applied, e.g. `mask:msisdn_hash`, `filter:eu_only`, `grant:g_…`. */
  readonly policies?: readonly string[];
  /** Rows returned (outcome records). */
  readonly rows?: number;
  /** Denial reason, or error code and message. */
  readonly reason?: string;
}

export interface AuditRecord extends AuditEvent {
  /** Position in the chain, 1, 2, 3, … without gaps. The order of the log. */
  readonly seq: number;
  /** Milliseconds since the epoch, from the appender's clock (not monotonic across processes). */
  readonly at: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const AUDIT_DECISIONS = ['allowed', 'denied', 'completed', 'failed'] as const;

/** The `prevHash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

const CANONICAL_VERSION = 1;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Hex SHA-256 of a statement's UTF-8 text, exactly as given (no trimming or normalization), so
 * the same text always has the same hash and a log without statement text can still be matched
 * against a statement someone shows you.
 */
export function statementHash(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/**
 * Checks an event and returns it in stored form: action, tables and columns lowercased, optional
 * fields that are `undefined` dropped. INVALID_ARGUMENT names the offending field.
 */
export function normalizeEvent(event: AuditEvent, options: { readonly omitStatementText?: boolean } = {}): AuditEvent {
  const bad = (field: string, what: string): never => {
    throw new StrataError('INVALID_ARGUMENT', `Audit event field ${field} ${what}`, { field });
  };
  const text = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || value.length === 0) bad(field, 'must be a non-empty string');
    return wellFormed(value as string);
  };
  const list = (field: string, value: unknown, lower: boolean): string[] => {
    if (!Array.isArray(value)) return bad(field, 'must be an array of strings');
    return (value as unknown[]).map((item) => {
      const s = text(field, item);
      return lower ? s.toLowerCase() : s;
    });
  };
  if (typeof event !== 'object' || event === null) bad('event', 'must be an object');
  const principal = text('principal', event.principal);
  const action = text('action', event.action).toLowerCase();
  if (!(AUDIT_DECISIONS as readonly unknown[]).includes(event.decision)) {
    bad('decision', `must be one of ${AUDIT_DECISIONS.join(', ')}, not ${JSON.stringify(event.decision)}`);
  }
  const hash = text('statementHash', event.statementHash).toLowerCase();
  if (!HEX_SHA256.test(hash)) bad('statementHash', 'must be a hex SHA-256 (64 hex digits); use statementHash(sql)');
  if (event.statement !== undefined) {
    if (typeof event.statement !== 'string') bad('statement', 'must be a string');
    if (statementHash(event.statement) !== hash) bad('statement', 'does not match statementHash; pass statementHash(statement)');
  }
  if (event.rows !== undefined && (!Number.isSafeInteger(event.rows) || event.rows < 0)) {
    bad('rows', 'must be a non-negative whole number');
  }
  if (event.reason !== undefined && typeof event.reason !== 'string') bad('reason', 'must be a string');
  return {
    principal,
    ...(event.actingAs === undefined ? {} : { actingAs: text('actingAs', event.actingAs) }),
    action,
    decision: event.decision,
    statementHash: hash,
    ...(event.statement === undefined || options.omitStatementText === true ? {} : { statement: wellFormed(event.statement) }),
    ...(event.queryId === undefined ? {} : { queryId: text('queryId', event.queryId) }),
    ...(event.tables === undefined ? {} : { tables: list('tables', event.tables, true) }),
    ...(event.columns === undefined ? {} : { columns: list('columns', event.columns, true) }),
    ...(event.policies === undefined ? {} : { policies: list('policies', event.policies, false) }),
    ...(event.rows === undefined ? {} : { rows: event.rows }),
    ...(event.reason === undefined ? {} : { reason: wellFormed(event.reason) }),
  };
}

/** The exact bytes a record's hash covers (see the file comment). */
export function canonicalAuditText(record: Omit<AuditRecord, 'hash'>): string {
  const fields: Record<string, unknown> = {
    v: CANONICAL_VERSION,
    seq: record.seq,
    at: record.at,
    prevHash: record.prevHash,
    principal: record.principal,
    actingAs: record.actingAs,
    action: record.action,
    decision: record.decision,
    statementHash: record.statementHash,
    statement: record.statement,
    queryId: record.queryId,
    tables: record.tables,
    columns: record.columns,
    policies: record.policies,
    rows: record.rows,
    reason: record.reason,
  };
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(fields).sort()) {
    if (fields[key] !== undefined) sorted[key] = fields[key];
  }
  return JSON.stringify(sorted);
}

/** The hash a record must carry, given everything else about it. */
export function computeAuditHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalAuditText(record), 'utf8').digest('hex');
}

/** A normalized event placed at `seq` after `prevHash`, with its hash. */
export function sealRecord(event: AuditEvent, seq: number, at: number, prevHash: string): AuditRecord {
  const unsealed = { ...event, seq, at, prevHash };
  return { ...unsealed, hash: computeAuditHash(unsealed) };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Lone UTF-16 surrogates replaced by U+FFFD, as the database's UTF-8 storage would do silently:
 * otherwise a record would hash one string and read back another, and never verify. SHA-256 over
 * UTF-8 makes the same replacement, so `statementHash` is unchanged.
 */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}
