import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { DuckDbEngine } from '../../engine/index.ts';
import { QueryHistory } from './query-history.ts';
import type { QueryInfo } from './query-record.ts';

const DAY = 86_400_000;

function info(id: string, submittedAt: number, extra: Partial<QueryInfo> = {}): QueryInfo {
  return {
    id,
    principal: 'alice',
    workgroup: 'primary',
    statement: 'SELECT 1',
    state: 'succeeded',
    submittedAt: new Date(submittedAt).toISOString(),
    finishedAt: new Date(submittedAt + 5).toISOString(),
    queuedMs: 1,
    planningMs: 2,
    executionMs: 2,
    bytesPlanned: 100,
    bytesScanned: 100,
    rowCount: 1,
    reused: false,
    resultId: id,
    ...extra,
  };
}

describe('QueryHistory (system.query_history)', () => {
  let dir = '';
  let home: StrataHome;
  let engine: DuckDbEngine;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-history-'));
    home = await openStrataHome(dir, { threads: 1 });
    engine = DuckDbEngine.create(home.runtime, { poolSize: 2 });
  });
  after(async () => {
    await engine.close();
    await home.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('concurrent appends are batched, listed newest first, filtered, and pruned by whole days', async () => {
    const history = new QueryHistory(home.catalog, engine);
    const now = Date.UTC(2024, 5, 10, 12);
    await Promise.all([
      history.append(info('old', now - 3 * DAY)),
      history.append(info('recent', now - 1000, { state: 'failed', error: { code: 'SQL_ERROR', message: 'bad' }, principal: 'bob' })),
      history.append(info('newest', now)),
    ]);
    const table = await home.catalog.loadTable('system.query_history');
    assert.ok(table.snapshots().length <= 2, 'the three appends took at most two commits');
    assert.deepEqual((await history.list({ limit: 10 })).map((q) => q.id), ['newest', 'recent', 'old']);
    const bobs = await history.list({ principal: 'bob', limit: 10 });
    assert.deepEqual(bobs.map((q) => [q.id, q.state, q.error?.code]), [['recent', 'failed', 'SQL_ERROR']]);
    assert.equal((await history.list({ id: 'old', limit: 1 }))[0]?.bytesScanned, 100);

    assert.equal(await history.prune(DAY, now), 1);
    assert.deepEqual((await history.list({ limit: 10 })).map((q) => q.id), ['newest', 'recent']);
  });
});
