/**
 * `strata stream …` end to end through the real CLI: a directory stream started with
 * --available-now, list and status, check of a changed file, replay of dead letters after a fix,
 * a SIGKILLed runner resumed without loss or duplicates, and stop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../core/index.ts';
import { runCli } from './cli-test-kit.ts';

let root: string;
let home: string;
let inbox: string;
const strata = (...args: string[]) => runCli(['--home', home, ...args]);
const jsonLines = (text: string) => text.trimEnd().split('\n').filter(Boolean).map((line) => parseJson(line) as Record<string, unknown>);

function streamYaml(amount: string, window = '1m'): string {
  return `stream: visits
source:
  kind: directory
  path: ${inbox}
  pattern: "*.ndjson"
  columns: { page: string not null, amount: ${amount}, ts: timestamptz not null }
  event_time: { column: ts, max_lateness: 10s }
  max_records_per_batch: 50
transforms:
  - sql: SELECT page, coalesce(amount, 0) AS amount, ts FROM input
  - window: { tumbling: ${window}, group_by: [page], aggregates: { visits: count(*), total: sum(amount) } }
sink: { table: web.visits }
`;
}

async function drop(name: string, lines: string[]): Promise<void> {
  await writeFile(join(inbox, `.${name}.tmp`), `${lines.join('\n')}\n`);
  await rename(join(inbox, `.${name}.tmp`), join(inbox, name));
}

const at = (minute: number, second = 0): string => new Date(Date.UTC(2026, 0, 1, 12, minute, second)).toISOString();

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-stream-cli-'));
  home = join(root, 'home');
  inbox = join(root, 'inbox');
  await mkdir(inbox);
  assert.equal((await strata('init')).code, 0);
  await writeFile(join(root, 'visits.stream.yaml'), streamYaml('long not null'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('strata stream', () => {
  test('start --available-now processes what is there; list and status show it; a bad record is a dead letter', async () => {
    await drop('a.ndjson', [
      JSON.stringify({ page: 'home', amount: 3, ts: at(0, 5) }),
      JSON.stringify({ page: 'home', amount: 4, ts: at(0, 30) }),
      JSON.stringify({ page: 'docs', ts: at(5, 0) }),
      JSON.stringify({ page: 'home', amount: 1, ts: at(2, 0) }),
    ]);
    const run = await strata('stream', 'start', join(root, 'visits.stream.yaml'), '--available-now');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /visits: available-now-drained; 1 batch\(es\), 4 record\(s\) in/);
    const rows = jsonLines((await strata('sql', 'SELECT page, visits, total FROM web.visits ORDER BY window_start', '--format', 'json')).stdout);
    assert.deepEqual(rows, [{ page: 'home', visits: 2, total: 7 }], 'the watermark (12:01:50; the invalid record does not move it) closed only 12:00');
    const letters = jsonLines((await strata('sql', 'SELECT reason, position FROM web.visits_dead_letter', '--format', 'json')).stdout);
    assert.deepEqual(letters, [{ reason: 'schema_violation', position: 'a.ndjson:3' }]);
    const list = jsonLines((await strata('stream', 'list', '--format', 'json')).stdout);
    assert.equal(list[0]?.['stream'], 'visits');
    assert.equal(list[0]?.['status'], 'finished');
    const status = jsonLines((await strata('stream', 'status', 'visits', '--format', 'json')).stdout);
    assert.equal(status[0]?.['batch'], 0);
    assert.equal(status[0]?.['rows_in'], 4);
    assert.equal(status[0]?.['dead_letters'], 1);
  });

  test('check says which changes keep the state, and refuses incompatible ones with exit 2', async () => {
    await writeFile(join(root, 'changed.stream.yaml'), streamYaml('long not null', '5m'));
    const incompatible = await strata('stream', 'check', join(root, 'changed.stream.yaml'));
    assert.equal(incompatible.code, 2, incompatible.stderr);
    assert.match(incompatible.stdout, /state-incompatible/);
    assert.match(incompatible.stdout, /CANNOT be reused/);
    await writeFile(join(root, 'optional.stream.yaml'), streamYaml('long'));
    const compatible = await strata('stream', 'check', join(root, 'optional.stream.yaml'));
    assert.equal(compatible.code, 0, compatible.stderr);
    assert.match(compatible.stdout, /State can be reused/);
  });

  test('replay-dlq after the fix: the record goes through the stream once', async () => {
    const fixed = await strata('stream', 'start', join(root, 'optional.stream.yaml'), '--available-now');
    assert.equal(fixed.code, 0, fixed.stderr);
    const replay = await strata('stream', 'replay-dlq', 'visits');
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, /Replayed 1 dead letter/);
    assert.match((await strata('stream', 'replay-dlq', 'visits')).stdout, /Replayed 0 dead letter/);
    await drop('b.ndjson', [JSON.stringify({ page: 'home', amount: 1, ts: at(10) })]);
    assert.equal((await strata('stream', 'start', 'visits', '--available-now')).code, 0);
    const rows = jsonLines((await strata('sql', 'SELECT page, visits, total FROM web.visits ORDER BY window_start, page', '--format', 'json')).stdout);
    assert.deepEqual(rows, [
      { page: 'home', visits: 2, total: 7 },
      { page: 'home', visits: 1, total: 1 },
      { page: 'docs', visits: 1, total: 0 },
    ]);
  });

  test('a runner killed with SIGKILL mid-stream resumes exactly where its last commit ended', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ page: `p${i % 4}`, amount: 1, ts: at(20 + Math.floor(i / 100), i % 60) }));
    for (let f = 0; f < 8; f++) await drop(`k${f}.ndjson`, lines.slice(f * 50, f * 50 + 50));
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./main.ts', import.meta.url)), '--home', home, 'stream', 'start', 'visits'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STRATA_') && key !== 'NODE_TEST_CONTEXT' && key !== 'NODE_OPTIONS')),
    });
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    // Kill it once it has committed something, mid-run.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const status = jsonLines((await strata('stream', 'status', 'visits', '--format', 'json')).stdout);
      if (Number(status[0]?.['batch'] ?? 0) >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await drop('final.ndjson', [JSON.stringify({ page: 'end', amount: 0, ts: at(59) })]);
    // The dead runner's lease blocks a restart until it expires: start refuses with exit 4 meanwhile.
    const blocked = await strata('stream', 'start', 'visits', '--available-now');
    assert.equal(blocked.code, 4, `${blocked.stderr}\n${log}`);
    assert.match(blocked.stderr, /already running/);
    // Once the dead runner's lease expires (15 s without a heartbeat), the stream starts again.
    await new Promise((resolve) => setTimeout(resolve, 16_000));
    const resumed = await strata('stream', 'start', 'visits', '--available-now');
    assert.equal(resumed.code, 0, resumed.stderr);
    const totals = jsonLines((await strata('sql', "SELECT sum(visits) AS n, count(*) AS windows FROM web.visits WHERE page LIKE 'p%'", '--format', 'json')).stdout);
    assert.deepEqual(totals, [{ n: 400, windows: 16 }], 'every record counted once');
  });

  test('stop marks the stream stopped', async () => {
    const stop = await strata('stream', 'stop', 'visits');
    assert.equal(stop.code, 0);
    assert.match(stop.stdout, /not running; it stays stopped/);
    assert.equal(jsonLines((await strata('stream', 'list', '--format', 'json')).stdout)[0]?.['desired'], 'stopped');
  });
});
