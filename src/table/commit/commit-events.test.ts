import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome } from '../../catalog/index.ts';
import { Types, field } from '../index.ts';
import { TEST_LAKE, testLakeOptions } from '../testing/test-lake.ts';
import { onCommitEvent, type CommitEvent } from './commit-events.ts';

describe('commit events', () => {
  test('report every commit and every lost race, and a throwing listener never breaks a commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-commit-events-'));
    const home = await openStrataHome(dir, { threads: 1 }, { lake: testLakeOptions('commit-events') });
    const events: CommitEvent[] = [];
    const stop = onCommitEvent((e) => events.push(e));
    const stopThrowing = onCommitEvent(() => {
      throw new Error('listener bug');
    });
    try {
      await home.catalog.createNamespace(['db']);
      const a = await home.catalog.createTable('db.t', [field(1, 'id', Types.long, true)]);
      assert.match(a.metadata().location, TEST_LAKE === 's3' ? /^s3:\/\// : /^file:\/\//, `the table is on the ${TEST_LAKE} lake`);
      const b = await home.catalog.loadTable('db.t');
      await a.append({ rows: [{ id: 1n }] });
      await b.append({ rows: [{ id: 2n }] }); // b's view is stale: it loses one race, then lands
      const mine = events.filter((e) => e.table.endsWith('t'));
      assert.equal(mine.filter((e) => e.kind === 'committed').length, 2);
      assert.equal(mine.filter((e) => e.kind === 'conflict').length, 1);
      assert.equal((await b.read()).length, 2);
    } finally {
      stop();
      stopThrowing();
      await home.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
