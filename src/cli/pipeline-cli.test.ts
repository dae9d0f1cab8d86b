import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../core/index.ts';
import { runCli } from './cli-test-kit.ts';

let root: string;
let home: string;
const strata = (...args: string[]) => runCli(['--home', home, ...args]);
const jsonLines = (text: string) => text.trimEnd().split('\n').filter(Boolean).map((line) => parseJson(line) as Record<string, unknown>);

/** A two-step YAML pipeline: ingest a day's file, copy it to processed behind a gate with `action`. */
function pipelineYaml(name: string, action: string, schedule = ''): string {
  return `name: ${name}
${schedule}
retries: { max_attempts: 1 }
steps:
  - id: land
    kind: ingest
    paths: ["${root}/input/events-{{ ds }}.ndjson"]
    into: raw.${name}
  - id: conform
    kind: sql
    inputs: [raw.${name}]
    output: processed.${name}
    mode: overwrite-partitions
    partition_by: [day]
    sql: "SELECT id, day, amount FROM raw.${name} WHERE day = '{{ ds }}'"
    audit:
      action: ${action}
      rules: 'Rules = [ ColumnValues "amount" >= 0 ]'
`;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-pipeline-cli-'));
  home = join(root, 'home');
  assert.equal((await strata('init')).code, 0);
  await rm(join(root, 'input'), { recursive: true, force: true });
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(root, 'input'));
  for (const [day, amounts] of [['2024-03-01', [1, 2]], ['2024-03-02', [3, -4]], ['2024-03-03', [5, 6]]] as const) {
    await writeFile(join(root, 'input', `events-${day}.ndjson`), amounts.map((amount, i) => JSON.stringify({ id: i + 1, day, amount })).join('\n') + '\n');
  }
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('strata pipeline', () => {
  test('run a YAML file for a date; runs and show report it; a failure exits 1 and a redrive with the fixed file succeeds', async () => {
    const file = join(root, 'events.yaml');
    await writeFile(file, pipelineYaml('events', 'fail'));
    const ok = await strata('pipeline', 'run', file, '--date', '2024-03-01');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /events 2024-03-01 run [0-9a-f-]+: succeeded {2}land=succeeded conform=succeeded/);

    const bad = await strata('pipeline', 'run', 'events', '--date', '2024-03-02');
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /conform: QUALITY_CHECK_FAILED/);
    assert.match(bad.stderr, /STEP_FAILED/);
    const runs = jsonLines((await strata('--format', 'json', 'pipeline', 'runs', 'events')).stdout);
    assert.deepEqual(runs.map((r) => [r['partition'], r['state']]), [['2024-03-02', 'failed'], ['2024-03-01', 'succeeded']]);
    const failedRun = String(runs[0]?.['run_id']);
    const shown = await strata('--format', 'json', 'pipeline', 'show', failedRun);
    assert.deepEqual(jsonLines(shown.stdout).map((s) => [s['step'], s['state']]), [['land', 'succeeded'], ['conform', 'failed']]);

    await writeFile(file, pipelineYaml('events', 'quarantine'));
    const redriven = await strata('pipeline', 'redrive', failedRun, '--file', file);
    assert.equal(redriven.code, 0, redriven.stderr);
    const steps = jsonLines((await strata('--format', 'json', 'pipeline', 'show', failedRun)).stdout);
    assert.deepEqual(steps.map((s) => [s['step'], s['state'], Number(s['attempts'])]), [['land', 'succeeded', 1], ['conform', 'succeeded', 2]], 'land was not rerun');
    const published = jsonLines((await strata('--format', 'json', 'sql', 'SELECT id, amount FROM processed.events ORDER BY day, id')).stdout);
    assert.deepEqual(published.map((r) => Number(r['amount'])), [1, 2, 3]);
    const lineage = await strata('pipeline', 'lineage', failedRun);
    assert.ok(jsonLines(lineage.stdout).some((e) => e['eventType'] === 'COMPLETE'));
  });

  test('an invalid pipeline file exits 2 with the file, line and column', async () => {
    const file = join(root, 'invalid.yaml');
    await writeFile(file, 'name: invalid\nsteps:\n  - id: a\n    kind: sql\n    inputs: [x.y]\n    output: x.z\n    mode: append\n    sql: SELECT 1\n    depends_on: [nope]\n');
    const run = await strata('pipeline', 'run', file, '--date', '2024-03-01');
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /invalid\.yaml:\d+:\d+: .*nope.*PIPELINE_INVALID/s);
  });

  test('backfill runs a range; --only-failed reruns only the failed dates', async () => {
    const file = join(root, 'ranged.yaml');
    await writeFile(file, pipelineYaml('ranged', 'fail'));
    const first = await strata('pipeline', 'backfill', file, '--from', '2024-03-01', '--to', '2024-03-03', '--concurrency', '2');
    assert.equal(first.code, 1, 'one of three dates fails');
    assert.match(first.stderr, /1 of 3 run\(s\) failed/);
    await writeFile(file, pipelineYaml('ranged', 'warn'));
    const retry = await strata('pipeline', 'backfill', file, '--from', '2024-03-01', '--to', '2024-03-03', '--only-failed');
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /1 run\(s\) queued/);
    const runs = jsonLines((await strata('--format', 'json', 'pipeline', 'runs', 'ranged')).stdout);
    assert.equal(runs.length, 4);
    assert.equal(runs.filter((r) => r['trigger'] === 'backfill' && r['state'] === 'succeeded').length, 3);
  });

  test('strata serve --pipelines runs scheduled pipelines', async () => {
    const file = join(root, 'scheduled.yaml');
    await writeFile(file, pipelineYaml('scheduled', 'warn', 'schedule: { cron: "0 0 * * *", timezone: UTC }'));
    assert.equal((await strata('pipeline', 'register', file)).code, 0);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await writeFile(join(root, 'input', `events-${yesterday}.ndjson`), `${JSON.stringify({ id: 1, day: yesterday, amount: 1 })}\n`);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('STRATA_') && key !== 'NODE_OPTIONS' && key !== 'NODE_TEST_CONTEXT') env[key] = value;
    env['STRATA_PIPELINES_POLL_INTERVAL_MS'] = '200';
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const server = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main, '--home', home, 'serve', '--port', '0', '--pipelines'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      let runs: Record<string, unknown>[] = [];
      for (let i = 0; i < 120 && !runs.some((r) => r['state'] === 'succeeded'); i++) {
        await new Promise((r) => setTimeout(r, 500));
        const listed = await strata('--format', 'json', 'pipeline', 'runs', 'scheduled');
        runs = listed.code === 0 ? jsonLines(listed.stdout) : [];
      }
      assert.deepEqual(runs.map((r) => [r['trigger'], r['partition'], r['state']]), [['schedule', yesterday, 'succeeded']], stderr);
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
  });
});
