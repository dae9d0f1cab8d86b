import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLakeTour } from './lake-tour.ts';

test('the lake tour runs end to end and can run again in the same home', async () => {
  const home = await mkdtemp(join(tmpdir(), 'strata-tour-'));
  try {
    const lines: string[] = [];
    const first = await runLakeTour({ home, log: (l) => lines.push(l) });
    // 6000 generated + 2 single rows, -1 +1 by the overwrite, -206 by the day delete, +1 on the branch.
    assert.equal(first.rows, 5797);
    assert.ok(existsSync(fileURLToPath(first.metadataLocation)));
    assert.ok(lines.some((l) => l.includes('skipped')), 'the demo reports pruning');
    const second = await runLakeTour({ home, log: () => undefined });
    assert.equal(second.rows, first.rows);
    assert.notEqual(second.metadataLocation, first.metadataLocation);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
