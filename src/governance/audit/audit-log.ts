/**
 * The audit log: every governance decision and statement outcome, appended to a hash-chained
 * table in the catalog database (dialect-neutral Kysely: SQLite now, Postgres later).
 *
 * @example
 *   const audit = await AuditLog.openSqlite(join(home, 'catalog.db'));
 *   try {
 *     await audit.append({ principal: 'alice', action: 'query', decision: 'allowed', statementHash: statementHash(sql), statement: sql });
 *     const check = await audit.verify(); // { ok: true, records: 1, head: '…' }
 *   } finally { await audit.close(); }
 *
 * Append-only means the API has no update or delete. It does NOT mean nobody can change the
 * table: anyone with write access to the database file can. Such tampering is DETECTED, not
 * prevented — `verify()` (the `strata audit verify` command) finds the first changed, removed or
 * re-linked record. Removing records from the END of the log, or rewriting a whole suffix with
 * recomputed hashes, leaves a valid-looking shorter or different chain; to catch that, export
 * the head (`seq` and `hash` from `verify()`) somewhere the database's writers cannot reach and
 * pass it back as `verify({ seq, hash })`.
 *
 * Concurrency: several processes may append to one catalog file at once. An append reads the
 * head, seals its record at `head + 1` and inserts it; the primary key on `seq` lets exactly one
 * of two racing appenders win, and the loser re-reads the head and tries again (bounded, with
 * jitter). No transaction is held across the read and the insert, and none is needed: records
 * never change, so a stale read can only lose the race, never fork the chain. (On SQLite a
 * deferred transaction would add a second failure mode — SQLITE_BUSY_SNAPSHOT on the upgrade to
 * writing — for no gain, and the codebase never holds a transaction across an await.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { SqliteCatalogBackend, type CatalogDialect } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import { migrateGovernance, openMigratedSqlite, type GovernanceConnection } from '../identity/index.ts';
import { AUDIT_TABLE } from './audit-migration.ts';
import { GENESIS_HASH, computeAuditHash, normalizeEvent, sealRecord, type AuditEvent, type AuditRecord } from './audit-record.ts';
import type { AuditDatabase, AuditRow } from './audit-schema.ts';

export interface AuditLogOptions {
  /** Milliseconds since the epoch; tests pass a controllable clock. */
  readonly clock?: () => number;
  /** Store only `statementHash`, never the statement text (for statements that carry secrets). */
  readonly omitStatementText?: boolean;
}

export interface AuditFilter {
  readonly principal?: string;
  readonly decision?: AuditEvent['decision'];
  /** `db.table`: records whose `tables` contain it (case-insensitive). */
  readonly table?: string;
  /** `at >= since` (ms). */
  readonly since?: number;
  /** `at < until` (ms). */
  readonly until?: number;
  /** At most this many records (default 1000, at most 10 000); page on with `afterSeq`. */
  readonly limit?: number;
  /** Only records with `seq > afterSeq`: pass the last `seq` of the previous page. */
  readonly afterSeq?: number;
}

/** A head exported earlier (`records` and `head` of a passing `verify()`), to check against. */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

export type AuditVerification =
  | { readonly ok: true; readonly records: number; readonly head: string }
  /** `records` counts the records that verified before the problem. */
  | { readonly ok: false; readonly records: number; readonly firstBadSeq: number; readonly problem: string };

export const DEFAULT_AUDIT_QUERY_LIMIT = 1000;
export const MAX_AUDIT_QUERY_LIMIT = 10_000;
const VERIFY_PAGE = 1000;
const MAX_APPEND_ATTEMPTS = 100;

type Db = Kysely<AuditDatabase>;

export class AuditLog {
  readonly #db: Db;
  readonly #dialect: CatalogDialect;
  readonly #clock: () => number;
  readonly #omitStatementText: boolean;
  readonly #owned: SqliteCatalogBackend | undefined;
  #closed = false;

  private constructor(db: Db, dialect: CatalogDialect, options: AuditLogOptions, owned: SqliteCatalogBackend | undefined) {
    this.#db = db;
    this.#dialect = dialect;
    this.#clock = options.clock ?? Date.now;
    this.#omitStatementText = options.omitStatementText === true;
    this.#owned = owned;
  }

  /**
   * Opens the log over an existing connection to the catalog database (which stays owned by the
   * caller: `close()` does not close it), migrating governance's tables if needed.
   */
  static async open<DB>(connection: GovernanceConnection<DB>, options: AuditLogOptions = {}): Promise<AuditLog> {
    await migrateGovernance(connection.db, connection.dialect);
    return new AuditLog(asAuditDb(connection.db), connection.dialect, options, undefined);
  }

  /** Opens the SQLite catalog file at `path` (creating it if needed) with its own connection. */
  static async openSqlite(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    return openMigratedSqlite(path, (db, dialect, owned) => new AuditLog(asAuditDb(db), dialect, options, owned));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#owned?.close();
  }

  /**
   * Appends one record at the head of the chain and returns it as stored (action, tables and
   * columns lowercased). INVALID_ARGUMENT for a malformed event; CATALOG_ERROR when other
   * appenders kept winning the race for the next `seq` {@link MAX_APPEND_ATTEMPTS} times.
   */
  async append(event: AuditEvent): Promise<AuditRecord> {
    const normalized = normalizeEvent(event, { omitStatementText: this.#omitStatementText });
    for (let attempt = 1; ; attempt++) {
      const db = this.#live();
      const head = await db.selectFrom(AUDIT_TABLE).select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const seq = head === undefined ? 1 : Number(head.seq) + 1;
      const record = sealRecord(normalized, seq, this.#now(), head?.hash ?? GENESIS_HASH);
      try {
        await db.insertInto(AUDIT_TABLE).values(toRow(record)).execute();
        return record;
      } catch (error) {
        if (this.#dialect.constraintViolation(error) !== 'unique') throw error;
        if (attempt >= MAX_APPEND_ATTEMPTS) {
          throw new StrataError(
            'CATALOG_ERROR',
            `Could not append to the audit log: ${attempt} attempts lost the race for the next record to other writers; retry the statement`,
            { attempts: attempt },
            { cause: error },
          );
        }
        // Someone else appended seq first: back off a random, growing little while and re-read.
        await sleep(Math.random() * Math.min(2 ** attempt, 50));
      }
    }
  }

  /** Records matching every given condition, ascending by `seq`. */
  async query(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const limit = filter.limit ?? DEFAULT_AUDIT_QUERY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_QUERY_LIMIT) {
      throw new StrataError('INVALID_ARGUMENT', `limit must be a whole number from 1 to ${MAX_AUDIT_QUERY_LIMIT}; page on with afterSeq`, {
        limit,
      });
    }
    for (const key of ['since', 'until', 'afterSeq'] as const) {
      const value = filter[key];
      if (value !== undefined && !Number.isFinite(value)) {
        throw new StrataError('INVALID_ARGUMENT', `${key} must be a number`, { [key]: value });
      }
    }
    let query = this.#live().selectFrom(AUDIT_TABLE).selectAll();
    if (filter.principal !== undefined) query = query.where('principal', '=', filter.principal);
    if (filter.decision !== undefined) query = query.where('decision', '=', filter.decision);
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('at', '<', filter.until);
    if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
    if (filter.table !== undefined) {
      // The quoted JSON element matches a whole list entry only; `\` escapes LIKE's `%` and `_`.
      const pattern = `%${escapeLike(JSON.stringify(filter.table.toLowerCase()))}%`;
      query = query.where(sql<boolean>`${sql.ref('tables_json')} like ${pattern} escape '\\'`);
    }
    const rows = await query.orderBy('seq').limit(limit).execute();
    return rows.map(fromRow);
  }

  /**
   * Walks the whole chain in `seq` order, a page at a time, and reports the first record whose
   * hash does not recompute from its content, whose `prevHash` is not the previous record's hash,
   * or that is missing (a gap in `seq`). With an exported `anchor`, also checks that the record
   * at `anchor.seq` still exists with `anchor.hash` — which catches removal or rewriting of the
   * end of the log that the chain alone cannot show.
   */
  async verify(anchor?: AuditAnchor): Promise<AuditVerification> {
    let previous = GENESIS_HASH;
    let expected = 1;
    let anchorSeen = false;
    const bad = (firstBadSeq: number, problem: string): AuditVerification => ({ ok: false, records: expected - 1, firstBadSeq, problem });
    for (;;) {
      const rows = await this.#live()
        .selectFrom(AUDIT_TABLE)
        .selectAll()
        .where('seq', '>=', expected)
        .orderBy('seq')
        .limit(VERIFY_PAGE)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== expected) {
          return Number.isSafeInteger(seq) && seq > expected
            ? bad(expected, `record ${expected} is missing (the next one is ${seq}): records were deleted`)
            : bad(expected, `a record has the invalid seq ${String(row.seq)}: the table was edited`);
        }
        let record: AuditRecord;
        try {
          record = fromRow(row);
        } catch {
          return bad(seq, `record ${seq} cannot be read (a list field is not a JSON array of strings): the record was changed`);
        }
        if (record.prevHash !== previous) {
          return bad(seq, `record ${seq} does not link to record ${seq - 1} (its prevHash differs from that record's hash)`);
        }
        const { hash, ...content } = record;
        if (computeAuditHash(content) !== hash) {
          return bad(seq, `record ${seq} does not match its hash: its content or hash was changed`);
        }
        if (anchor !== undefined && seq === anchor.seq) {
          if (hash !== anchor.hash) return bad(seq, `record ${seq} differs from the exported head: the log was rewritten from here or earlier`);
          anchorSeen = true;
        }
        previous = hash;
        expected++;
      }
    }
    if (anchor !== undefined && !anchorSeen) {
      return bad(expected, `the log ends at record ${expected - 1}, before the exported head ${anchor.seq}: records were removed from the end`);
    }
    return { ok: true, records: expected - 1, head: previous };
  }

  #live(): Db {
    if (this.#closed) throw new StrataError('INVALID_ARGUMENT', 'The audit log is closed; open it again', {});
    return this.#db;
  }

  #now(): number {
    const at = Math.floor(this.#clock());
    if (!Number.isSafeInteger(at)) throw new StrataError('INVALID_ARGUMENT', `The audit clock returned ${at}, not milliseconds since the epoch`, {});
    return at;
  }
}

/** The audit table lives beside the caller's tables; Kysely's types only need to know it. */
function asAuditDb<DB>(db: Kysely<DB>): Db {
  return db as unknown as Db;
}

function toRow(record: AuditRecord): Insertable<AuditRow> {
  const list = (items: readonly string[] | undefined) => (items === undefined ? null : JSON.stringify(items));
  return {
    seq: record.seq,
    at: record.at,
    principal: record.principal,
    acting_as: record.actingAs ?? null,
    action: record.action,
    decision: record.decision,
    statement_hash: record.statementHash,
    statement: record.statement ?? null,
    query_id: record.queryId ?? null,
    tables_json: list(record.tables),
    columns_json: list(record.columns),
    policies_json: list(record.policies),
    row_count: record.rows ?? null,
    reason: record.reason ?? null,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

/**
 * A row as a record, with no checking beyond what parsing needs: `verify()` is what judges it.
 * Throws when a list column is not a JSON array of strings.
 */
function fromRow(row: Selectable<AuditRow>): AuditRecord {
  const list = (text: string | null): string[] | undefined => {
    if (text === null) return undefined;
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error('not a list of strings');
    return parsed as string[];
  };
  const tables = list(row.tables_json);
  const columns = list(row.columns_json);
  const policies = list(row.policies_json);
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    principal: row.principal,
    ...(row.acting_as === null ? {} : { actingAs: row.acting_as }),
    action: row.action,
    decision: row.decision as AuditEvent['decision'],
    statementHash: row.statement_hash,
    ...(row.statement === null ? {} : { statement: row.statement }),
    ...(row.query_id === null ? {} : { queryId: row.query_id }),
    ...(tables === undefined ? {} : { tables }),
    ...(columns === undefined ? {} : { columns }),
    ...(policies === undefined ? {} : { policies }),
    ...(row.row_count === null ? {} : { rows: Number(row.row_count) }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
