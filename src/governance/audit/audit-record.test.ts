import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { GENESIS_HASH, canonicalAuditText, computeAuditHash, normalizeEvent, sealRecord, statementHash, type AuditEvent } from './audit-record.ts';

const base: AuditEvent = { principal: 'alice', action: 'query', decision: 'allowed', statementHash: statementHash('SELECT 1') };

describe('statementHash', () => {
  test('is the hex SHA-256 of the exact UTF-8 text', () => {
    assert.equal(statementHash(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(statementHash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.notEqual(statementHash('SELECT 1'), statementHash('SELECT 1 '));
  });
});

describe('canonicalAuditText', () => {
  test('sorts keys, leaves absent fields out and covers seq, at and prevHash', () => {
    const text = canonicalAuditText({ ...base, tables: ['db.t'], rows: 3, seq: 7, at: 1000, prevHash: GENESIS_HASH });
    assert.equal(
      text,
      `{"action":"query","at":1000,"decision":"allowed","prevHash":"${GENESIS_HASH}","principal":"alice","rows":3,` +
        `"seq":7,"statementHash":"${base.statementHash}","tables":["db.t"],"v":1}`,
    );
  });

  test('the hash changes when any covered field changes', () => {
    const record = sealRecord(base, 1, 1000, GENESIS_HASH);
    const { hash, ...content } = record;
    assert.equal(computeAuditHash(content), hash);
    for (const change of [{ seq: 2 }, { at: 1001 }, { prevHash: '1'.repeat(64) }, { principal: 'bob' }, { reason: 'x' }, { tables: [] }]) {
      assert.notEqual(computeAuditHash({ ...content, ...change }), hash, JSON.stringify(change));
    }
  });
});

describe('normalizeEvent', () => {
  test('lowercases action, tables and columns and keeps policies as given', () => {
    const event = normalizeEvent({ ...base, action: 'Create_Table', tables: ['DB.T'], columns: ['DB.T.Col'], policies: ['mask:M'] });
    assert.equal(event.action, 'create_table');
    assert.deepEqual(event.tables, ['db.t']);
    assert.deepEqual(event.columns, ['db.t.col']);
    assert.deepEqual(event.policies, ['mask:M']);
  });

  test('drops the statement text when configured to, keeping its hash', () => {
    const event = normalizeEvent({ ...base, statement: 'SELECT 1' }, { omitStatementText: true });
    assert.equal('statement' in event, false);
    assert.equal(event.statementHash, statementHash('SELECT 1'));
  });

  test('replaces lone surrogates the way UTF-8 storage would, without changing the statement hash', () => {
    const sql = "SELECT '\uD800'";
    const event = normalizeEvent({ ...base, statementHash: statementHash(sql), statement: sql });
    assert.equal(event.statement, "SELECT '\uFFFD'");
    assert.equal(statementHash(event.statement ?? ''), event.statementHash);
  });

  const invalid: Array<[string, Record<string, unknown>]> = [
    ['empty principal', { principal: '' }],
    ['missing action', { action: undefined }],
    ['unknown decision', { decision: 'maybe' }],
    ['statementHash not hex', { statementHash: 'abc' }],
    ['statement not matching its hash', { statement: 'SELECT 2' }],
    ['negative rows', { rows: -1 }],
    ['fractional rows', { rows: 1.5 }],
    ['tables not an array', { tables: 'db.t' }],
    ['empty table name', { tables: [''] }],
    ['empty actingAs', { actingAs: '' }],
  ];
  for (const [name, change] of invalid) {
    test(`rejects ${name} with INVALID_ARGUMENT`, () => {
      assert.throws(() => normalizeEvent({ ...base, ...change } as unknown as AuditEvent), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    });
  }
});
