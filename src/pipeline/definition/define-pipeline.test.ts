import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { definePipeline } from './define-pipeline.ts';

describe('definePipeline', () => {
  test('returns the definition deeply frozen, with literal step types', () => {
    const pipeline = definePipeline({
      name: 'sales',
      steps: [
        { id: 'conform', kind: 'sql', inputs: ['raw.orders'], output: 'p.orders', mode: 'merge', mergeKeys: ['id'], sql: 'SELECT 1' },
        { id: 'notify', kind: 'function', dependsOn: ['conform'], run: () => undefined },
      ],
    });
    // The const type parameter keeps literals: this line only compiles if `kind` is exactly 'sql'.
    const kind: 'sql' = pipeline.steps[0].kind;
    assert.equal(kind, 'sql');
    assert.ok(Object.isFrozen(pipeline));
    assert.ok(Object.isFrozen(pipeline.steps[0].mergeKeys));
    assert.throws(() => {
      (pipeline.steps[0] as { sql: string }).sql = 'DROP TABLE x';
    }, TypeError);
    assert.equal(typeof pipeline.steps[1].run, 'function');
  });

  test('validates', () => {
    assert.throws(
      () => definePipeline({ name: 'x', steps: [{ id: 'a', kind: 'sql', inputs: [], output: 'a.b', mode: 'merge', sql: 'SELECT 1' }] }),
      (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID') && e.details.path === 'steps[0].mergeKeys',
    );
  });
});
