import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openStrataHome } from '../catalog/index.ts';
import { ingest } from './index.ts';

const LINES = 300_000;

/** A `gc()` without --expose-gc on the command line, so retained (not merely allocated) heap can be measured. */
function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('a large ndjson file streams: heap growth stays far below the file size, counts add up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-ingest-large-'));
  const home = await openStrataHome(join(dir, 'home'), { threads: 2 });
  try {
    await home.catalog.createNamespace(['big']);
    const path = join(dir, 'events.ndjson');
    const out = createWriteStream(path);
    const pad = 'p'.repeat(120);
    for (let i = 1; i <= LINES; i += 1) {
      const line = i % 10_000 === 0 ? `{"id": "bad-${i}"}\n` : `{"id": ${i}, "user": "u${i % 977}", "ts": "2024-01-01T00:00:00Z", "pad": "${pad}"}\n`;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const size = (await stat(path)).size;
    assert.ok(size > 40 * 1024 * 1024, `generated ${size} bytes`);

    const gc = forceGc();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let samples = 0;
    const sample = () => {
      gc();
      samples += 1;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    };
    const result = await ingest({
      catalog: home.catalog,
      lake: home.lake,
      runtime: home.runtime,
      paths: [path],
      into: 'big.events',
      batchRows: 50_000,
      onProgress: sample,
    });
    sample();

    assert.equal(result.read, LINES);
    assert.equal(result.quarantined, LINES / 10_000);
    assert.equal(result.written + result.quarantined, result.read);
    assert.ok(samples > 3, `sampled the heap ${samples} times`);
    const growth = peak - baseline;
    assert.ok(growth < size / 4, `heap grew by ${growth} bytes while ingesting ${size} bytes`);
    const counted = await home.runtime.withConnection(async (c) => {
      const table = await home.catalog.loadTable('big.events');
      return (await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (${await table.scan().toSql()})`)).getRowObjectsJson();
    });
    assert.equal(counted[0]?.['n'], LINES - LINES / 10_000);
  } finally {
    await home.close();
    await rm(dir, { recursive: true, force: true });
  }
});
