import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { PipelineDag } from './pipeline-dag.ts';
import type { PipelineDefinition } from './pipeline-definition.ts';

// Defined deliberately out of run order: report before its inputs.
const definition: PipelineDefinition = {
  name: 'sales',
  steps: [
    { id: 'report', kind: 'sql', inputs: ['curated.daily'], output: 'curated.report', mode: 'append', sql: 'SELECT 1' },
    { id: 'ingest', kind: 'ingest', paths: ['in/*.json'], into: 'raw.orders' },
    { id: 'fx', kind: 'ingest', paths: ['fx/*.csv'], into: 'raw.fx' },
    { id: 'conform', kind: 'sql', inputs: ['RAW.orders', 'raw.fx'], output: 'curated.daily', mode: 'append', sql: 'SELECT 1' },
    { id: 'check', kind: 'quality', table: 'curated.daily', rules: 'Rules = [ RowCount > 0 ]', action: 'fail' },
    { id: 'publish', kind: 'publish', tables: ['curated.daily', 'curated.report'] },
    { id: 'notify', kind: 'function', dependsOn: ['check'], inputs: ['curated.report'], run: () => undefined },
  ],
};

describe('PipelineDag', () => {
  const dag = new PipelineDag(definition);

  test('derives dependencies from dependsOn, inputs, quality tables and published tables', () => {
    assert.deepEqual(dag.dependenciesOf('report'), ['conform']);
    assert.deepEqual(dag.dependenciesOf('conform'), ['ingest', 'fx']);
    assert.deepEqual(dag.dependenciesOf('check'), ['conform']);
    assert.deepEqual(dag.dependenciesOf('publish'), ['report', 'conform']);
    assert.deepEqual(dag.dependenciesOf('notify'), ['report', 'check']);
    assert.deepEqual(dag.dependantsOf('conform'), ['report', 'check', 'publish']);
  });

  test('orders topologically, earliest-defined first among free steps', () => {
    assert.deepEqual(dag.order(), ['ingest', 'fx', 'conform', 'report', 'check', 'publish', 'notify']);
  });

  test('upstream and downstream are transitive and in run order', () => {
    assert.deepEqual(dag.upstream('notify'), ['ingest', 'fx', 'conform', 'report', 'check']);
    assert.deepEqual(dag.downstream('fx'), ['conform', 'report', 'check', 'publish', 'notify']);
    assert.deepEqual(dag.downstream('notify'), []);
  });

  test('ready lists steps whose dependencies are done, minus excluded ones', () => {
    assert.deepEqual(dag.ready(new Set()), ['ingest', 'fx']);
    assert.deepEqual(dag.ready(new Set(['ingest'])), ['fx']);
    assert.deepEqual(dag.ready(new Set(['ingest', 'fx', 'conform'])), ['report', 'check']);
    assert.deepEqual(dag.ready(new Set(['ingest', 'fx', 'conform']), new Set(['report'])), ['check']);
  });

  test('lineage: tables read and written per step', () => {
    assert.deepEqual(dag.inputsOf('conform'), ['RAW.orders', 'raw.fx']);
    assert.deepEqual(dag.outputsOf('conform'), ['curated.daily']);
    assert.deepEqual(dag.inputsOf('ingest'), []);
    assert.deepEqual(dag.outputsOf('ingest'), ['raw.orders']);
    assert.deepEqual(dag.inputsOf('publish'), ['curated.daily', 'curated.report']);
    assert.deepEqual(dag.outputsOf('publish'), []);
    assert.deepEqual(dag.outputsOf('check'), []);
    assert.equal(dag.writerOf('Curated.Daily'), 'conform');
    assert.equal(dag.writerOf('raw.unknown'), undefined);
  });

  test('an unknown step id is PIPELINE_INVALID', () => {
    assert.throws(() => dag.upstream('nope'), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID'));
  });

  test('a cycle is reported from its earliest-defined step, with the reasons', () => {
    assert.throws(
      () =>
        new PipelineDag({
          name: 'loop',
          steps: [
            { id: 'tail', kind: 'function', dependsOn: ['z'], run: () => undefined },
            { id: 'x', kind: 'sql', inputs: ['a.z'], output: 'a.x', mode: 'append', sql: 'SELECT 1' },
            { id: 'y', kind: 'sql', inputs: ['a.x'], output: 'a.y', mode: 'append', sql: 'SELECT 1' },
            { id: 'z', kind: 'function', dependsOn: ['y'], outputs: ['a.z'], run: () => undefined },
          ],
        }),
      (error: unknown) => {
        assert.ok(StrataError.is(error, 'PIPELINE_INVALID'));
        assert.deepEqual(error.details.cycle, ['x', 'y', 'z', 'x']);
        assert.match(error.message, /x → y → z → x/);
        assert.match(error.message, /z depends on y/);
        return true;
      },
    );
  });
});
