import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import type { PipelineDefinition, StepDefinition } from './pipeline-definition.ts';
import { checkInputs, validatePipeline } from './validate-pipeline.ts';

const sql = (id: string, inputs: string[], output: string, extra: Partial<Record<string, unknown>> = {}): StepDefinition =>
  ({ id, kind: 'sql', inputs, output, mode: 'append', sql: `SELECT * FROM ${inputs[0] ?? 'x.y'}`, ...extra }) as StepDefinition;

const base = (steps: unknown[], extra: Record<string, unknown> = {}): PipelineDefinition =>
  ({ name: 'daily', steps, ...extra }) as unknown as PipelineDefinition;

function invalid(definition: PipelineDefinition): StrataError {
  try {
    validatePipeline(definition);
  } catch (error) {
    assert.ok(StrataError.is(error, 'PIPELINE_INVALID'), `expected PIPELINE_INVALID, got ${String(error)}`);
    return error;
  }
  assert.fail('expected validatePipeline to throw');
}

describe('validatePipeline', () => {
  test('accepts a well-formed pipeline of every step kind', () => {
    validatePipeline(
      base(
        [
          { id: 'load', kind: 'ingest', paths: ['data/{{ ds }}/*.json'], into: 'raw.orders', format: 'ndjson', maxBadRatio: 0.1 },
          sql('conform', ['raw.orders'], 'processed.orders', {
            mode: 'merge',
            mergeKeys: ['order_id'],
            audit: { rules: 'Rules = [ IsComplete "order_id" ]', action: 'quarantine' },
          }),
          { id: 'check', kind: 'quality', table: 'processed.orders', rules: 'Rules = [ RowCount > 0 ]', action: 'warn' },
          { id: 'publish', kind: 'publish', tables: ['processed.orders'] },
          { id: 'notify', kind: 'function', dependsOn: ['publish'], run: () => undefined },
        ],
        {
          schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin', catchup: true },
          retries: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 3, retryOn: ['COMMIT_CONFLICT', 'UNKNOWN'] },
          notifications: [{ url: 'https://hooks.example.com/x', secretEnv: 'HOOK_SECRET', events: ['run.failed'] }],
        },
      ),
    );
  });

  const cases: [string, PipelineDefinition, { path?: string; step?: string; message: RegExp }][] = [
    ['bad pipeline name', base([sql('a', [], 'x.y')], { name: 'daily sales' }), { path: 'name', message: /name "daily sales"/ }],
    ['no steps', base([]), { path: 'steps', message: /at least one step/ }],
    ['bad step id', base([sql('a b', [], 'x.y')]), { path: 'steps[0].id', message: /id "a b"/ }],
    ['duplicate step id', base([sql('a', [], 'x.y'), sql('a', [], 'x.z')]), { path: 'steps[1].id', step: 'a', message: /used twice/ }],
    ['unknown kind', base([{ id: 'a', kind: 'shell' }]), { path: 'steps[0].kind', message: /kind "shell"/ }],
    ['unknown dependsOn', base([sql('load', [], 'x.y'), sql('b', [], 'x.z', { dependsOn: ['lod'] })]), {
      path: 'steps[1].dependsOn[0]',
      step: 'b',
      message: /unknown step "lod"; did you mean "load"/,
    }],
    ['self dependency', base([sql('a', [], 'x.y', { dependsOn: ['a'] })]), { path: 'steps[0].dependsOn[0]', message: /itself/ }],
    ['sql without output', base([{ id: 'a', kind: 'sql', inputs: [], sql: 'SELECT 1', mode: 'append' }]), { path: 'steps[0].output', message: /needs output/ }],
    ['sql without sql', base([{ id: 'a', kind: 'sql', inputs: [], output: 'x.y', mode: 'append' }]), { path: 'steps[0].sql', message: /needs sql/ }],
    ['sql without mode', base([{ id: 'a', kind: 'sql', inputs: [], output: 'x.y', sql: 'SELECT 1' }]), { path: 'steps[0].mode', message: /needs mode/ }],
    ['bad mode', base([sql('a', [], 'x.y', { mode: 'apend' })]), { path: 'steps[0].mode', message: /did you mean append/ }],
    ['merge without keys', base([sql('a', [], 'x.y', { mode: 'merge' })]), { path: 'steps[0].mergeKeys', message: /mergeKeys/ }],
    ['merge with empty keys', base([sql('a', [], 'x.y', { mode: 'merge', mergeKeys: [] })]), { path: 'steps[0].mergeKeys', message: /mergeKeys/ }],
    ['mergeKeys without merge', base([sql('a', [], 'x.y', { mergeKeys: ['id'] })]), { path: 'steps[0].mergeKeys', message: /only apply/ }],
    ['bad table name', base([sql('a', [], 'orders')]), { path: 'steps[0].output', message: /not a table name/ }],
    ['unknown template variable', base([sql('a', [], 'x.y', { sql: "SELECT '{{ dss }}'" })]), { path: 'steps[0].sql', message: /did you mean \{\{ ds \}\}/ }],
    ['invalid cron', base([sql('a', [], 'x.y')], { schedule: { cron: '61 * * * *' } }), { path: 'schedule.cron', message: /invalid cron/ }],
    ['cron with too few fields', base([sql('a', [], 'x.y')], { schedule: { cron: '* * *' } }), { path: 'schedule.cron', message: /invalid cron/ }],
    ['invalid timezone', base([sql('a', [], 'x.y')], { schedule: { cron: '0 2 * * *', timezone: 'Europe/Berln' } }), {
      path: 'schedule.timezone',
      message: /unknown time zone "Europe\/Berln"/,
    }],
    ['maxAttempts 0', base([sql('a', [], 'x.y', { retries: { maxAttempts: 0 } })]), { path: 'steps[0].retries.maxAttempts', message: /1 to 100/ }],
    ['fractional maxAttempts', base([sql('a', [], 'x.y')], { retries: { maxAttempts: 2.5 } }), { path: 'retries.maxAttempts', message: /whole number/ }],
    ['negative delay', base([sql('a', [], 'x.y')], { retries: { initialDelayMs: -1 } }), { path: 'retries.initialDelayMs', message: /≥ 0/ }],
    ['max below initial', base([sql('a', [], 'x.y')], { retries: { initialDelayMs: 5000, maxDelayMs: 100 } }), { path: 'retries.maxDelayMs', message: /below/ }],
    ['multiplier below 1', base([sql('a', [], 'x.y')], { retries: { multiplier: 0.5 } }), { path: 'retries.multiplier', message: /≥ 1/ }],
    ['lowercase retry code', base([sql('a', [], 'x.y')], { retries: { retryOn: ['sql_error'] } }), { path: 'retries.retryOn[0]', message: /error code/ }],
    ['two writers', base([sql('a', [], 'x.y'), sql('b', [], 'X.Y')]), { path: 'steps[1]', step: 'b', message: /both write X\.Y/ }],
    ['publish of an unwritten table', base([sql('a', [], 'x.y'), { id: 'p', kind: 'publish', tables: ['x.z'] }]), {
      path: 'steps[1].tables[0]',
      message: /no step of the pipeline writes/,
    }],
    ['function without run', base([{ id: 'f', kind: 'function' }]), { path: 'steps[0].run', message: /needs run/ }],
    ['quality action quarantine', base([{ id: 'q', kind: 'quality', table: 'x.y', rules: 'Rules = []', action: 'quarantine' }]), {
      path: 'steps[0].action',
      message: /not one of fail, warn/,
    }],
    ['maxBadRatio above 1', base([{ id: 'i', kind: 'ingest', paths: ['a'], into: 'x.y', maxBadRatio: 2 }]), { path: 'steps[0].maxBadRatio', message: /0 to 1/ }],
    ['notification url', base([sql('a', [], 'x.y')], { notifications: [{ url: 'ftp://x' }] }), { path: 'notifications[0].url', message: /http/ }],
    ['notification event', base([sql('a', [], 'x.y')], { notifications: [{ url: 'https://x', events: ['run.done'] }] }), {
      path: 'notifications[0].events[0]',
      message: /not one of/,
    }],
    ['zero timeout', base([sql('a', [], 'x.y', { timeoutMs: 0 })]), { path: 'steps[0].timeoutMs', message: /> 0/ }],
    ['concurrency 0', base([sql('a', [], 'x.y')], { concurrency: 0 }), { path: 'concurrency', message: /≥ 1/ }],
  ];

  for (const [name, definition, expected] of cases) {
    test(`rejects: ${name}`, () => {
      const error = invalid(definition);
      assert.match(error.message, expected.message);
      assert.equal(error.details.pipeline, (definition as { name: string }).name);
      if (expected.path !== undefined) assert.equal(error.details.path, expected.path);
      if (expected.step !== undefined) assert.equal(error.details.step, expected.step);
    });
  }

  test('reports a cycle through dependsOn with its path', () => {
    const error = invalid(
      base([
        sql('a', [], 'x.a', { dependsOn: ['c'] }),
        sql('b', [], 'x.b', { dependsOn: ['a'] }),
        sql('c', [], 'x.c', { dependsOn: ['b'] }),
      ]),
    );
    assert.deepEqual(error.details.cycle, ['a', 'b', 'c', 'a']);
    assert.match(error.message, /a → b → c → a/);
  });

  test('reports a cycle implied by tables read and written', () => {
    const error = invalid(base([sql('ingest', [], 'raw.x'), sql('left', ['x.r', 'raw.x'], 'x.l'), sql('right', ['x.l'], 'x.r')]));
    assert.deepEqual(error.details.cycle, ['left', 'right', 'left']);
    assert.match(error.message, /right reads x\.l written by left/);
  });

  test('a step reading its own output (incremental merge) is not a cycle', () => {
    validatePipeline(base([sql('m', ['x.t', 'raw.s'], 'x.t', { mode: 'merge', mergeKeys: ['id'] })]));
  });
});

describe('checkInputs', () => {
  const definition = base([
    sql('a', ['raw.orders', 'ref.fx'], 'x.a'),
    sql('b', ['x.a', 'raw.orders'], 'x.b'),
    { id: 'q', kind: 'quality', table: 'ref.missing', rules: 'Rules = [ RowCount > 0 ]', action: 'fail' },
  ]);

  test('passes when every input is produced or exists, asking once per table', async () => {
    const asked: string[] = [];
    await checkInputs(definition, async (id) => {
      asked.push(id);
      return true;
    });
    assert.deepEqual(asked, ['raw.orders', 'ref.fx', 'ref.missing']);
  });

  test('names every missing input and the step reading it', async () => {
    await assert.rejects(
      checkInputs(definition, async (id) => id === 'raw.orders'),
      (error: unknown) => {
        assert.ok(StrataError.is(error, 'PIPELINE_INVALID'));
        assert.match(error.message, /missing input ref\.fx \(read by a\), ref\.missing \(read by q\)/);
        assert.equal(error.details.step, 'a');
        assert.equal(error.details.table, 'ref.fx');
        return true;
      },
    );
  });
});
