import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import type { FunctionStepContext, PipelineDefinition } from './pipeline-definition.ts';
import { canonicalDefinition, definitionFromCanonical, versionOf } from './pipeline-version.ts';

const definition = (body: () => void = () => undefined): PipelineDefinition => ({
  name: 'sales',
  schedule: { cron: '0 2 * * *', timezone: 'UTC' },
  steps: [
    { id: 'a', kind: 'sql', inputs: ['raw.x'], output: 'p.x', mode: 'append', sql: "SELECT * FROM raw.x WHERE d = '{{ ds }}'" },
    { id: 'f', kind: 'function', dependsOn: ['a'], run: body },
  ],
});

describe('pipeline versions', () => {
  test('canonical JSON sorts keys and drops undefined', () => {
    const text = canonicalDefinition({ steps: [{ kind: 'publish', id: 'p', tables: ['a.b'], description: undefined }], name: 'n' } as unknown as PipelineDefinition);
    assert.equal(text, '{"name":"n","steps":[{"id":"p","kind":"publish","tables":["a.b"]}]}');
  });

  test('key order does not change the version; content does', () => {
    const one = definition();
    const reordered = { steps: one.steps, schedule: { timezone: 'UTC', cron: '0 2 * * *' }, name: 'sales' } as PipelineDefinition;
    assert.equal(versionOf(one), versionOf(reordered));
    assert.match(versionOf(one), /^[0-9a-f]{16}$/);
    const changed = { ...one, schedule: { cron: '0 3 * * *' } };
    assert.notEqual(versionOf(one), versionOf(changed));
  });

  test("a function step's source is part of the version", () => {
    const first = definition(() => {
      console.log('one');
    });
    const second = definition(() => {
      console.log('two');
    });
    assert.notEqual(versionOf(first), versionOf(second));
    // The source as the running module sees it (tsx transpiles, so quotes/spacing may differ).
    const run = (JSON.parse(canonicalDefinition(first)) as { steps: { run?: string }[] }).steps[1]?.run ?? '';
    assert.match(run, /console\.log\(["']one["']\)/);
  });

  test('round trip keeps data steps and the version; function steps refuse to run', async () => {
    const original = definition(() => {
      console.log('side effect');
    });
    const loaded = definitionFromCanonical(canonicalDefinition(original));
    assert.equal(versionOf(loaded), versionOf(original));
    assert.deepEqual(loaded.steps[0], original.steps[0]);
    assert.ok(Object.isFrozen(loaded.steps[0]));
    const fn = loaded.steps[1];
    assert.ok(fn !== undefined && fn.kind === 'function');
    await assert.rejects(
      async () => fn.run({} as FunctionStepContext),
      (e: unknown) =>
        StrataError.is(e, 'PIPELINE_INVALID') &&
        e.details.step === 'f' &&
        e.message.includes(`version ${versionOf(original)} of function step f is not loadable; redrive with the latest version`),
    );
  });

  test('garbage is PIPELINE_INVALID', () => {
    assert.throws(() => definitionFromCanonical('{nope'), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID'));
    assert.throws(() => definitionFromCanonical('{"steps":[]}'), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID'));
  });
});
