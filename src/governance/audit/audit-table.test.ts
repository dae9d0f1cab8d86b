import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { AuditLog } from './audit-log.ts';
import { statementHash } from './audit-record.ts';
import { AUDIT_TABLE_ID, syncAuditTable } from './audit-table.ts';

describe('system.audit_log mirror', () => {
  let dir: string;
  let home: StrataHome;
  let audit: AuditLog;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-audit-table-'));
    home = await openStrataHome(dir, { threads: 1 });
    const backend = home.catalog.backend as unknown as { connection: Parameters<typeof AuditLog.open>[0] };
    audit = await AuditLog.open(backend.connection);
  });
  after(async () => {
    await audit.close();
    await home.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (n: number, principal: string) =>
    Promise.all(Array.from({ length: n }, (_, i) => audit.append({ principal, action: 'query', decision: 'allowed', statementHash: statementHash(`SELECT ${i}`), statement: `SELECT ${i}` })));

  test('mirrors every record once, incrementally, in the system zone', async () => {
    await append(5, 'alice');
    assert.equal(await syncAuditTable(home.catalog, audit), 5);
    assert.equal(await syncAuditTable(home.catalog, audit), 0, 'nothing new, nothing appended');
    await append(3, 'bob');
    assert.equal(await syncAuditTable(home.catalog, audit), 3);
    const table = await home.catalog.loadTable(AUDIT_TABLE_ID);
    assert.match(table.metadata().location, /\/system\//);
    const rows = await table.read();
    assert.deepEqual(rows.map((r) => Number(r['seq'])).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
    const records = await audit.query({});
    assert.deepEqual(rows.map((r) => r['hash']).sort(), records.map((r) => r.hash).sort(), 'the mirror carries the chain hashes');
  });

  test('concurrent syncs never append a record twice', async () => {
    await append(20, 'carol');
    const counts = await Promise.all([syncAuditTable(home.catalog, audit), syncAuditTable(home.catalog, audit), syncAuditTable(home.catalog, audit)]);
    assert.equal(counts.reduce((a, b) => a + b, 0), 20, `appended ${counts.join(' + ')}`);
    const rows = await (await home.catalog.loadTable(AUDIT_TABLE_ID)).read();
    const seqs = rows.map((r) => Number(r['seq']));
    assert.equal(new Set(seqs).size, seqs.length, 'no duplicate seq');
    assert.equal(seqs.length, 28);
  });
});
