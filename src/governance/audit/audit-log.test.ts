import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteCatalogBackend } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import { IdentityStore } from '../identity/index.ts';
import { AUDIT_TABLE } from './audit-migration.ts';
import { computeAuditHash } from './audit-record.ts';
import { AuditLog, GENESIS_HASH, statementHash, type AuditEvent, type AuditRecord } from './index.ts';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AUDIT_INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

function event(principal: string, n: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  const sql = `SELECT ${n} FROM db.t`;
  return { principal, action: 'query', decision: 'allowed', statementHash: statementHash(sql), statement: sql, ...extra };
}

function assertChain(records: readonly AuditRecord[]): void {
  let previous = GENESIS_HASH;
  records.forEach((record, i) => {
    assert.equal(record.seq, i + 1);
    assert.equal(record.prevHash, previous, `record ${record.seq} links to its predecessor`);
    previous = record.hash;
  });
}

/** Raw access to the file, as someone with write access to it (not through Strata). */
function tamper(path: string, statement: string, ...params: unknown[]): void {
  const raw = new Database(path);
  try {
    const changed = raw.prepare(statement).run(...params).changes;
    assert.ok(changed > 0, `the tampering statement changed something: ${statement}`);
  } finally {
    raw.close();
  }
}

function rawRow(path: string, seq: number): Record<string, unknown> {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.prepare(`SELECT * FROM ${AUDIT_TABLE} WHERE seq = ?`).get(seq) as Record<string, unknown>;
  } finally {
    raw.close();
  }
}

describe('AuditLog', () => {
  let dir: string;
  let n = 0;
  const freshPath = () => join(dir, `case-${++n}`, 'catalog.db');
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-audit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function withLog<T>(fn: (log: AuditLog, path: string) => Promise<T>, options: Parameters<typeof AuditLog.openSqlite>[1] = {}): Promise<T> {
    const path = freshPath();
    const log = await AuditLog.openSqlite(path, options);
    try {
      return await fn(log, path);
    } finally {
      await log.close();
    }
  }

  async function appendMany(log: AuditLog, count: number): Promise<void> {
    for (let i = 1; i <= count; i++) await log.append(event(i % 2 === 0 ? 'alice' : 'bob', i));
  }

  describe('append and query', () => {
    test('chains records from the genesis hash and reads them back exactly as returned', () => {
      let now = 1_000;
      return withLog(
        async (log) => {
          const first = await log.append(event('alice', 1, { tables: ['DB.T'], columns: ['db.t.A'], policies: ['mask:m'], queryId: 'q1' }));
          const second = await log.append({
            principal: 'alice',
            actingAs: 'root',
            action: 'QUERY',
            decision: 'completed',
            statementHash: first.statementHash,
            queryId: 'q1',
            rows: 42,
          });
          const third = await log.append(event('bob', 3, { decision: 'denied', reason: 'no SELECT on db.secret' }));
          assert.deepEqual([first.seq, second.seq, third.seq], [1, 2, 3]);
          assert.equal(first.prevHash, GENESIS_HASH);
          assert.equal(second.prevHash, first.hash);
          assert.equal(third.prevHash, second.hash);
          assert.deepEqual([first.at, second.at, third.at], [1_001, 1_002, 1_003]);
          assert.deepEqual(first.tables, ['db.t']);
          assert.deepEqual(first.columns, ['db.t.a']);
          assert.equal(second.action, 'query');
          assert.equal('statement' in second, false);
          assert.deepEqual(await log.query(), [first, second, third]);
        },
        { clock: () => ++now },
      );
    });

    test('filters by principal, decision, table and time, and pages with afterSeq', () =>
      withLog(
        async (log) => {
          await log.append(event('alice', 1, { tables: ['db.a_b'] }));
          await log.append(event('bob', 2, { tables: ['db.axb', 'db.other'] }));
          await log.append(event('alice', 3, { decision: 'denied', tables: ['db.other'] }));
          await log.append(event('carol', 4));
          const seqs = (records: AuditRecord[]) => records.map((r) => r.seq);
          assert.deepEqual(seqs(await log.query({ principal: 'alice' })), [1, 3]);
          assert.deepEqual(seqs(await log.query({ decision: 'denied' })), [3]);
          // `_` is no wildcard and a table matches whole list entries only.
          assert.deepEqual(seqs(await log.query({ table: 'DB.A_B' })), [1]);
          assert.deepEqual(seqs(await log.query({ table: 'db.other' })), [2, 3]);
          assert.deepEqual(seqs(await log.query({ table: 'db.oth' })), []);
          assert.deepEqual(seqs(await log.query({ since: 200, until: 400 })), [2, 3]);
          assert.deepEqual(seqs(await log.query({ principal: 'alice', table: 'db.other' })), [3]);
          assert.deepEqual(seqs(await log.query({ limit: 2 })), [1, 2]);
          assert.deepEqual(seqs(await log.query({ limit: 2, afterSeq: 2 })), [3, 4]);
          assert.deepEqual(seqs(await log.query({ afterSeq: 4 })), []);
        },
        { clock: (() => {
          let t = 0;
          return () => (t += 100);
        })() },
      ));

    test('rejects a malformed event and a bad limit without writing anything', () =>
      withLog(async (log) => {
        await assert.rejects(log.append(event('alice', 1, { statementHash: 'nope' })), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
        await assert.rejects(log.query({ limit: 0 }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
        await assert.rejects(log.query({ limit: 10_001 }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
        assert.deepEqual(await log.query(), []);
        assert.deepEqual(await log.verify(), { ok: true, records: 0, head: GENESIS_HASH });
      }));

    test('omitStatementText keeps only the hash', () =>
      withLog(
        async (log, path) => {
          const record = await log.append(event('alice', 1));
          assert.equal(record.statement, undefined);
          assert.equal(rawRow(path, 1)['statement'], null);
          assert.equal(rawRow(path, 1)['statement_hash'], statementHash('SELECT 1 FROM db.t'));
          assert.equal((await log.verify()).ok, true);
        },
        { omitStatementText: true },
      ));

    test('a closed log refuses to work', async () => {
      const log = await AuditLog.openSqlite(freshPath());
      await log.close();
      await assert.rejects(log.append(event('alice', 1)), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    });

    test('opens over a shared catalog connection next to the identity store', async () => {
      const path = freshPath();
      const catalog = await SqliteCatalogBackend.open(path);
      try {
        const identity = await IdentityStore.open(catalog.connection);
        await identity.createPrincipal('alice');
        const log = await AuditLog.open(catalog.connection);
        await log.append(event('alice', 1));
        await log.close(); // does not close the shared connection
        assert.equal((await identity.getPrincipal('alice')).name, 'alice');
        const again = await AuditLog.open(catalog.connection);
        assert.equal((await again.verify()).records, 1);
      } finally {
        await catalog.close();
      }
    });
  });

  describe('verify detects tampering with the database file', () => {
    test('passes an untouched log of several verify pages and reports its head', () =>
      withLog(async (log) => {
        await appendMany(log, 2_345);
        const last = (await log.query({ afterSeq: 2_344 }))[0];
        assert.deepEqual(await log.verify(), { ok: true, records: 2_345, head: last?.hash });
      }));

    const cases: Array<{ name: string; tamper: (path: string) => void; firstBadSeq: number; problem: RegExp }> = [
      {
        name: 'a changed field',
        tamper: (path) => tamper(path, `UPDATE ${AUDIT_TABLE} SET principal = 'mallory' WHERE seq = 1500`),
        firstBadSeq: 1500,
        problem: /does not match its hash/,
      },
      {
        name: 'a changed row count',
        tamper: (path) => tamper(path, `UPDATE ${AUDIT_TABLE} SET row_count = 0 WHERE seq = 7`),
        firstBadSeq: 7,
        problem: /does not match its hash/,
      },
      {
        name: 'a removed statement text',
        tamper: (path) => tamper(path, `UPDATE ${AUDIT_TABLE} SET statement = NULL WHERE seq = 3`),
        firstBadSeq: 3,
        problem: /does not match its hash/,
      },
      {
        name: 'a deleted record in the middle',
        tamper: (path) => tamper(path, `DELETE FROM ${AUDIT_TABLE} WHERE seq = 1000`),
        firstBadSeq: 1000,
        problem: /record 1000 is missing/,
      },
      {
        name: 'a deleted first record',
        tamper: (path) => tamper(path, `DELETE FROM ${AUDIT_TABLE} WHERE seq = 1`),
        firstBadSeq: 1,
        problem: /record 1 is missing/,
      },
      {
        name: 'a record changed with its hash recomputed (the next prevHash no longer links)',
        tamper: (path) => {
          const row = rawRow(path, 1200);
          const content = row;
          const hash = computeAuditHash({
            seq: 1200,
            at: Number(content['at']),
            prevHash: String(content['prev_hash']),
            principal: 'mallory',
            action: String(content['action']),
            decision: 'allowed',
            statementHash: String(content['statement_hash']),
            statement: String(content['statement']),
            tables: JSON.parse(String(content['tables_json'])) as string[],
            rows: Number(content['row_count']),
          });
          tamper(path, `UPDATE ${AUDIT_TABLE} SET principal = 'mallory', hash = ? WHERE seq = 1200`, hash);
          // The forged record itself is consistent; only the link from 1201 betrays it.
          assert.notEqual(hash, row['hash']);
        },
        firstBadSeq: 1201,
        problem: /record 1201 does not link to record 1200/,
      },
      {
        name: 'a list field that is no longer JSON',
        tamper: (path) => tamper(path, `UPDATE ${AUDIT_TABLE} SET tables_json = 'db.t' WHERE seq = 5`),
        firstBadSeq: 5,
        problem: /cannot be read/,
      },
      {
        name: 'a record appended with a made-up hash',
        tamper: (path) => {
          const last = rawRow(path, 2_000);
          tamper(
            path,
            `INSERT INTO ${AUDIT_TABLE} (seq, at, principal, action, decision, statement_hash, prev_hash, hash) VALUES (2001, 1, 'mallory', 'query', 'allowed', ?, ?, ?)`,
            statementHash('x'),
            last['hash'],
            'f'.repeat(64),
          );
        },
        firstBadSeq: 2_001,
        problem: /does not match its hash/,
      },
    ];
    // One log of 2 000 records (two verify pages), copied for each case.
    let template: string;
    before(async () => {
      template = freshPath();
      const log = await AuditLog.openSqlite(template);
      for (let i = 1; i <= 2_000; i++) await log.append(event('alice', i, { rows: i, tables: ['db.t'] }));
      await log.close(); // the last connection to close checkpoints the WAL into the file
    });
    for (const c of cases) {
      test(`catches ${c.name}`, async () => {
        const path = freshPath();
        mkdirSync(dirname(path), { recursive: true });
        copyFileSync(template, path);
        const log = await AuditLog.openSqlite(path);
        try {
          assert.deepEqual(await log.verify(), { ok: true, records: 2_000, head: rawRow(path, 2_000)['hash'] });
          c.tamper(path);
          const result = await log.verify();
          assert.equal(result.ok, false);
          if (result.ok) return;
          assert.equal(result.firstBadSeq, c.firstBadSeq);
          assert.equal(result.records, c.firstBadSeq - 1);
          assert.match(result.problem, c.problem);
        } finally {
          await log.close();
        }
      });
    }

    test('removing the end of the log passes the chain but not an exported head', () =>
      withLog(async (log, path) => {
        await appendMany(log, 10);
        const exported = await log.verify();
        assert.equal(exported.ok, true);
        if (!exported.ok) return;
        tamper(path, `DELETE FROM ${AUDIT_TABLE} WHERE seq >= 9`);
        assert.equal((await log.verify()).ok, true, 'the chain alone cannot see a truncated end');
        const anchored = await log.verify({ seq: exported.records, hash: exported.head });
        assert.equal(anchored.ok, false);
        if (!anchored.ok) assert.match(anchored.problem, /removed from the end/);
      }));

    test('an appender that rewrote the end cannot match the exported head', () =>
      withLog(async (log, path) => {
        await appendMany(log, 10);
        const exported = await log.verify();
        if (!exported.ok) return assert.fail('untouched log verifies');
        tamper(path, `DELETE FROM ${AUDIT_TABLE} WHERE seq = 10`);
        await log.append(event('mallory', 10)); // a well-formed replacement record 10
        assert.equal((await log.verify()).ok, true);
        const anchored = await log.verify({ seq: 10, hash: exported.head });
        assert.equal(anchored.ok, false);
        if (!anchored.ok) assert.equal(anchored.firstBadSeq, 10);
        // An anchor that still matches passes, with later records appended after it.
        const earlier = await log.verify({ seq: 9, hash: rawRow(path, 9)['hash'] as string });
        assert.equal(earlier.ok, true);
      }));
  });

  describe('concurrent appenders never fork the chain', () => {
    test('several instances on separate connections with interleaved appends', () =>
      withLog(async (first, path) => {
        const others = await Promise.all([1, 2, 3].map(() => AuditLog.openSqlite(path)));
        try {
          const logs = [first, ...others];
          // Every append awaits between reading the head and inserting, so these race for real.
          const appended = await Promise.all(
            logs.flatMap((log, l) => Array.from({ length: 40 }, (_, i) => log.append(event(`p${l}`, i)))),
          );
          assert.equal(new Set(appended.map((r) => r.seq)).size, 160);
          const records = await first.query({ limit: 1000 });
          assert.equal(records.length, 160);
          assertChain(records);
          assert.deepEqual(await first.verify(), { ok: true, records: 160, head: records.at(-1)?.hash });
        } finally {
          await Promise.all(others.map((log) => log.close()));
        }
      }));

    test('several processes appending to one file at once', () =>
      withLog(async (log, path) => {
        await log.append(event('parent', 0)); // the file and its tables exist before the children start
        const children = 4;
        const each = 60;
        const script = `
          const { AuditLog, statementHash } = await import(${JSON.stringify(AUDIT_INDEX)});
          const log = await AuditLog.openSqlite(process.argv[1]);
          for (let i = 0; i < ${each}; i++) {
            await log.append({ principal: 'child' + process.argv[2], action: 'query', decision: 'allowed', statementHash: statementHash('SELECT ' + i) });
          }
          await log.close();`;
        await Promise.all(
          Array.from({ length: children }, (_, c) =>
            run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path, String(c)], { cwd: REPO_ROOT }),
          ),
        );
        const total = 1 + children * each;
        const records = await log.query({ limit: 1000 });
        assert.equal(records.length, total);
        assertChain(records);
        for (let c = 0; c < children; c++) assert.equal((await log.query({ principal: `child${c}` })).length, each);
        const verified = await log.verify();
        assert.deepEqual(verified, { ok: true, records: total, head: records.at(-1)?.hash });
      }));
  });
});
