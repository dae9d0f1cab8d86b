import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '../../core/index.ts';
import { parseDuration, parsePipelineYaml } from './pipeline-yaml.ts';

const FULL = `
name: daily_sales
description: Orders to curated sales
concurrency: 2
timeout: 1h
engine: duckdb
schedule:
  cron: "0 2 * * *"
  timezone: Europe/Berlin
  catchup: true
retries:
  max_attempts: 4
  initial_delay: 500ms
  max_delay: 2m
  multiplier: 3
  retry_on: [COMMIT_CONFLICT, UNKNOWN]
notifications:
  - url: https://hooks.example.com/strata
    secret_env: HOOK_SECRET
    events: [run.failed, quality.failed]
steps:
  - id: ingest
    kind: ingest
    paths: ["landing/{{ ds }}/*.json"]
    into: raw.orders
    format: ndjson
    max_bad_ratio: 0.05
  - id: conform
    kind: sql
    depends_on: ingest
    inputs: [raw.orders]
    output: processed.orders
    mode: merge
    merge_keys: [order_id]
    partition_by: ["day(ts)"]
    timeout: 90s
    retries: { max_attempts: 1 }
    sql: |
      SELECT * FROM raw.orders WHERE order_date = DATE '{{ ds }}'
    audit:
      rules: 'Rules = [ IsComplete "order_id" ]'
      action: quarantine
      ruleset: orders_gate
  - id: check
    kind: quality
    table: processed.orders
    rules: 'Rules = [ RowCount > 0 ]'
    action: warn
  - id: publish
    kind: publish
    tables: [processed.orders]
`;

function yamlError(text: string, source?: string): StrataError {
  try {
    parsePipelineYaml(text, source);
  } catch (error) {
    assert.ok(StrataError.is(error, 'PIPELINE_INVALID'), `expected PIPELINE_INVALID, got ${String(error)}`);
    return error;
  }
  assert.fail('expected parsePipelineYaml to throw');
}

describe('parsePipelineYaml', () => {
  test('reads every key into the TypeScript shape', () => {
    const d = parsePipelineYaml(FULL, 'pipelines/daily.yaml');
    assert.equal(d.name, 'daily_sales');
    assert.equal(d.timeoutMs, 3_600_000);
    assert.equal(d.concurrency, 2);
    assert.deepEqual(d.schedule, { cron: '0 2 * * *', timezone: 'Europe/Berlin', catchup: true });
    assert.deepEqual(d.retries, { maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 120_000, multiplier: 3, retryOn: ['COMMIT_CONFLICT', 'UNKNOWN'] });
    assert.deepEqual(d.notifications, [{ url: 'https://hooks.example.com/strata', secretEnv: 'HOOK_SECRET', events: ['run.failed', 'quality.failed'] }]);
    assert.deepEqual(d.steps[0], { id: 'ingest', kind: 'ingest', paths: ['landing/{{ ds }}/*.json'], into: 'raw.orders', format: 'ndjson', maxBadRatio: 0.05 });
    assert.deepEqual(d.steps[1], {
      id: 'conform',
      kind: 'sql',
      dependsOn: ['ingest'],
      inputs: ['raw.orders'],
      output: 'processed.orders',
      mode: 'merge',
      mergeKeys: ['order_id'],
      partitionBy: ['day(ts)'],
      timeoutMs: 90_000,
      retries: { maxAttempts: 1 },
      sql: "SELECT * FROM raw.orders WHERE order_date = DATE '{{ ds }}'\n",
      audit: { rules: 'Rules = [ IsComplete "order_id" ]', action: 'quarantine', ruleset: 'orders_gate' },
    });
    assert.deepEqual(d.steps[3], { id: 'publish', kind: 'publish', tables: ['processed.orders'] });
  });

  test('an unknown key names its path and line and suggests the closest key', () => {
    const text = FULL.replace('    merge_keys: [order_id]', '    mrge_keys: [order_id]');
    const error = yamlError(text, 'daily.yaml');
    assert.equal(error.details.path, 'steps[1].mrge_keys');
    assert.equal(error.details.key, 'mrge_keys');
    assert.equal(error.details.suggestion, 'merge_keys');
    assert.equal(error.details.line, 34);
    assert.equal(error.details.column, 5);
    assert.match(error.message, /^daily\.yaml:34:5: unknown key "mrge_keys" at steps\[1\]\.mrge_keys; did you mean "merge_keys"\?/);
  });

  const cases: [string, string, { path: string; line: number; message: RegExp }][] = [
    ['unknown top-level key', 'name: p\nschedul: { cron: "0 2 * * *" }\nsteps: []\n', { path: 'schedul', line: 2, message: /did you mean "schedule"/ }],
    ['unknown retries key', 'name: p\nretries:\n  max_attempt: 3\nsteps: []\n', { path: 'retries.max_attempt', line: 3, message: /did you mean "max_attempts"/ }],
    ['key of another kind', 'name: p\nsteps:\n  - id: a\n    kind: publish\n    tables: [a.b]\n    merge_keys: [x]\n', {
      path: 'steps[0].merge_keys',
      line: 6,
      message: /does not apply to a publish step/,
    }],
    ['function step', 'name: p\nsteps:\n  - id: a\n    kind: function\n', { path: 'steps[0].kind', line: 4, message: /only in TypeScript/ }],
    ['missing kind', 'name: p\nsteps:\n  - id: a\n    sql: SELECT 1\n', { path: 'steps[0]', line: 3, message: /needs kind/ }],
    ['misspelt kind', 'name: p\nsteps:\n  - id: a\n    kind: sqll\n', { path: 'steps[0].kind', line: 4, message: /did you mean sql/ }],
    ['bad duration', 'name: p\ntimeout: 5 minutes\nsteps: []\n', { path: 'timeout', line: 2, message: /duration/ }],
    ['number as text', 'name: p\nconcurrency: two\nsteps: []\n', { path: 'concurrency', line: 2, message: /must be a number, got "two"/ }],
    ['secret in YAML', 'name: p\nnotifications:\n  - url: https://x\n    secret: hunter2\nsteps: []\n', {
      path: 'notifications[0].secret',
      line: 4,
      message: /secret_env/,
    }],
    ['syntax error', 'name: p\nsteps: [\n  - id: a\n', { path: '', line: 3, message: /not valid YAML/ }],
    ['duplicate key', 'name: p\nname: q\nsteps: []\n', { path: '', line: 2, message: /not valid YAML/ }],
    ['not a mapping', '- a\n- b\n', { path: '', line: 1, message: /must be a mapping/ }],
    // Validation errors are mapped back to YAML positions.
    ['merge without keys (validation)', 'name: p\nsteps:\n  - id: a\n    kind: sql\n    inputs: []\n    output: x.y\n    mode: merge\n    sql: SELECT 1\n', {
      path: 'steps[0]',
      line: 3,
      message: /merge_keys in YAML/,
    }],
    ['unknown dependency (validation)', 'name: p\nsteps:\n  - id: a\n    kind: publish\n    tables: [x.y]\n    depends_on: [b]\n', {
      path: 'steps[0].depends_on[0]',
      line: 6,
      message: /unknown step "b"/,
    }],
    ['invalid timezone (validation)', 'name: p\nschedule:\n  cron: "0 2 * * *"\n  timezone: Mars/Olympus\nsteps:\n  - id: a\n    kind: ingest\n    paths: [x]\n    into: a.b\n', {
      path: 'schedule.timezone',
      line: 4,
      message: /unknown time zone/,
    }],
  ];
  for (const [name, text, expected] of cases) {
    test(`error: ${name}`, () => {
      const error = yamlError(text, 'p.yaml');
      assert.equal(error.details.path, expected.path);
      assert.equal(error.details.line, expected.line);
      assert.equal(error.details.source, 'p.yaml');
      assert.match(error.message, expected.message);
      assert.match(error.message, new RegExp(`^p\\.yaml:${expected.line}:\\d+: `));
    });
  }

  test('a cycle error points at the first step of the cycle', () => {
    const text = [
      'name: p',
      'steps:',
      '  - id: a',
      '    kind: ingest',
      '    paths: [x]',
      '    into: r.a',
      '  - id: b',
      '    kind: sql',
      '    inputs: [r.a, r.c]',
      '    output: r.b',
      '    mode: append',
      '    sql: SELECT 1',
      '  - id: c',
      '    kind: sql',
      '    inputs: [r.b]',
      '    output: r.c',
      '    mode: append',
      '    sql: SELECT 1',
    ].join('\n');
    const error = yamlError(text);
    assert.deepEqual(error.details.cycle, ['b', 'c', 'b']);
    assert.equal(error.details.line, 7);
  });

  test('sql_file and rules_file are read relative to the YAML file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-yaml-'));
    try {
      await mkdir(join(dir, 'sql'));
      await writeFile(join(dir, 'sql', 'conform.sql'), "SELECT * FROM raw.o WHERE d = '{{ ds }}'");
      await writeFile(join(dir, 'rules.dqdl'), 'Rules = [ RowCount > 0 ]');
      const text = [
        'name: p',
        'steps:',
        '  - id: a',
        '    kind: sql',
        '    inputs: [raw.o]',
        '    output: p.o',
        '    mode: append',
        '    sql_file: sql/conform.sql',
        '    audit: { rules_file: rules.dqdl, action: fail }',
        '  - id: q',
        '    kind: quality',
        '    table: p.o',
        '    rules_file: ./rules.dqdl',
        '    action: fail',
      ].join('\n');
      const d = parsePipelineYaml(text, join(dir, 'pipeline.yml'));
      const [a, q] = d.steps;
      assert.ok(a?.kind === 'sql' && q?.kind === 'quality');
      assert.equal(a.sql, "SELECT * FROM raw.o WHERE d = '{{ ds }}'");
      assert.equal(a.audit?.rules, 'Rules = [ RowCount > 0 ]');
      assert.equal(q.rules, 'Rules = [ RowCount > 0 ]');

      const missing = yamlError(text.replace('sql/conform.sql', 'sql/nope.sql'), join(dir, 'pipeline.yml'));
      assert.equal(missing.details.path, 'steps[0].sql_file');
      assert.equal(missing.details.line, 8);
      const both = yamlError(text.replace('    sql_file:', '    sql: SELECT 1\n    sql_file:'), join(dir, 'pipeline.yml'));
      assert.match(both.message, /second time/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseDuration', () => {
  const cases: [string | number, number | undefined][] = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['2d', 172_800_000],
    ['250', 250],
    [1200, 1200],
    ['5 minutes', undefined],
    ['-1s', undefined],
    [-5, undefined],
    ['', undefined],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${String(expected)}`, () => assert.equal(parseDuration(input), expected));
  }
});
