/**
 * A Strata process killed mid-run, then restarted, produces exactly the tables of an uninterrupted
 * run: no row lost, none duplicated, nothing unvalidated on main. The killed process is a real
 * child process that SIGKILLs itself at a chosen point of a chosen step (after a commit it never
 * recorded, on a write-audit-publish branch before publishing, after publishing); the restart is
 * a second process that takes the dead process's run over.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStrataHome } from '../../src/catalog/index.ts';

const WORKER = fileURLToPath(new URL('./testing/crash-worker.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const DATES = ['2024-03-01', '2024-03-02'];

function worker(args: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, WORKER, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number; signal?: NodeJS.Signals }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** Every table's main rows, sorted, as comparable text (lineage columns that name the run are left out). */
async function tablesOf(home: string): Promise<Record<string, string[]>> {
  const strata = await openStrataHome(home);
  try {
    const out: Record<string, string[]> = {};
    for (const name of ['raw.events', 'out.appended', 'out.gated', 'out.gated__dq_quarantine']) {
      if (!(await strata.catalog.tableExists(name))) continue;
      const rows = await (await strata.catalog.loadTable(name)).read();
      out[name] = rows
        .map((r) => JSON.stringify([r['id'], r['day'] ?? r['ds'], r['amount']], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
        .sort();
    }
    return out;
  } finally {
    await strata.close();
  }
}

describe('a Strata process killed mid-run and restarted', () => {
  let dir: string;
  let inputDir: string;
  let reference: Record<string, string[]>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-crash-'));
    inputDir = join(dir, 'input');
    mkdirSync(inputDir);
    for (const [d, day] of DATES.entries()) {
      const lines = [1, 2, 3, 4].map((i) => JSON.stringify({ id: d * 10 + i, day, amount: i === 3 ? -1 : i * 10 }));
      writeFileSync(join(inputDir, `events-${day}.ndjson`), `${lines.join('\n')}\n`);
    }
    const home = join(dir, 'reference');
    const clean = await worker([home, inputDir, 'run', '-', ...DATES]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(JSON.parse(clean.stdout), DATES.map((d) => [d, 'succeeded']));
    reference = await tablesOf(home);
    assert.equal(reference['out.appended']?.length, 8);
    assert.equal(reference['out.gated']?.length, 6, 'the negative amounts are quarantined');
    assert.equal(reference['out.gated__dq_quarantine']?.length, 2);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const crashAt of ['ingest:after-commit', 'append:after-write', 'gated:after-write', 'gated:before-publish', 'gated:after-publish']) {
    test(`at ${crashAt}: the restart produces the same tables as an uninterrupted run`, async () => {
      const home = join(dir, crashAt.replace(':', '-'));
      const killed = await worker([home, inputDir, 'run', crashAt, ...DATES]);
      assert.equal(killed.signal, 'SIGKILL', `the worker was meant to die at ${crashAt}: ${killed.stderr}`);
      const restarted = await worker([home, inputDir, 'resume']);
      assert.equal(restarted.code, 0, restarted.stderr);
      const resumed = JSON.parse(restarted.stdout) as [string, string][];
      assert.ok(resumed.length >= 1 && resumed.every(([, state]) => state === 'succeeded'), restarted.stdout);
      assert.deepEqual(await tablesOf(home), reference);
    });
  }
});
