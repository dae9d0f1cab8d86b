import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { runEvent, type RunEvent } from './openlineage-event.ts';
import { OPENLINEAGE_RUN_EVENT_SCHEMA_URL, STRATA_PRODUCER } from './openlineage-facets.ts';

const RUN = '3f2d7c1a-9b4e-4c8f-a1d2-5e6f7a8b9c0d';
const PARENT = 'c0ffee00-1234-4abc-8def-0123456789ab';
const BIG_SNAPSHOT = 9_007_199_254_740_993n; // 2^53 + 1: a double would round it to ...992
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FACET_SCHEMA = /^https:\/\/openlineage\.io\/spec\/facets\/\d+-\d+-\d+\/(\w+)\.json#\/\$defs\/\1$/;

/** The spec's required structure, checked by hand: every facet (custom ones too) carries _producer and _schemaURL. */
function assertSpecShape(event: RunEvent): void {
  assert.ok(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'].includes(event.eventType));
  assert.equal(new Date(event.eventTime).toISOString(), event.eventTime, 'eventTime is ISO-8601');
  assert.match(event.run.runId, UUID);
  assert.equal(event.producer, STRATA_PRODUCER);
  assert.equal(event.schemaURL, OPENLINEAGE_RUN_EVENT_SCHEMA_URL);
  assert.equal(typeof event.job.namespace, 'string');
  assert.equal(typeof event.job.name, 'string');
  const bags = [event.run.facets, event.job.facets, ...event.inputs.flatMap((d) => [d.facets, d.inputFacets]), ...event.outputs.flatMap((d) => [d.facets, d.outputFacets])];
  for (const bag of bags) {
    for (const [name, facet] of Object.entries(bag)) {
      assert.equal(facet._producer, STRATA_PRODUCER, `${name}._producer`);
      if (name.startsWith('strata_')) assert.match(facet._schemaURL, /^https:\/\/github\.com\/strata\/strata\/.+#\/\$defs\/Strata\w+Facet$/, `${name}._schemaURL`);
      else assert.match(facet._schemaURL, FACET_SCHEMA, `${name}._schemaURL`);
    }
  }
  // Plain JSON: survives a round trip unchanged (no bigint, no undefined holes).
  assert.deepEqual(JSON.parse(JSON.stringify(event)), event);
}

describe('runEvent', () => {
  test('a START event with the job facets and datasets in spec shape', () => {
    const event = runEvent({
      eventType: 'START',
      eventTime: new Date('2026-03-01T02:00:00.000Z'),
      runId: RUN,
      job: {
        namespace: 'strata://pipelines',
        name: 'daily_sales.aggregate',
        sql: 'INSERT INTO sales.daily SELECT day, sum(amount) FROM sales.orders GROUP BY day',
        jobType: { processingType: 'BATCH', integration: 'STRATA', jobType: 'STEP' },
        sourceCodeLocation: { type: 'git', url: 'https://example.com/repo/pipelines/daily_sales.ts' },
      },
      parent: { runId: PARENT, namespace: 'strata://pipelines', name: 'daily_sales' },
      nominalTime: { start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-03-02T00:00:00Z') },
      inputs: [{ namespace: 'strata:///srv/strata/lake', name: 'sales.orders', snapshotId: BIG_SNAPSHOT, schema: [{ name: 'id', type: 'long' }, { name: 'amount', type: 'decimal(12,2)' }], rowCount: 1000, bytes: 4096 }],
      outputs: [{ namespace: 'strata:///srv/strata/lake', name: 'sales.daily', branch: 'audit_run_1' }],
    });
    assertSpecShape(event);
    assert.equal(event.job.facets['sql']?.['query'], 'INSERT INTO sales.daily SELECT day, sum(amount) FROM sales.orders GROUP BY day');
    assert.deepEqual(
      { p: event.job.facets['jobType']?.['processingType'], i: event.job.facets['jobType']?.['integration'], j: event.job.facets['jobType']?.['jobType'] },
      { p: 'BATCH', i: 'STRATA', j: 'STEP' },
    );
    assert.equal(event.job.facets['sourceCodeLocation']?.['type'], 'git');
    assert.deepEqual(event.run.facets['parent']?.['run'], { runId: PARENT });
    assert.deepEqual(event.run.facets['parent']?.['job'], { namespace: 'strata://pipelines', name: 'daily_sales' });
    assert.equal(event.run.facets['nominalTime']?.['nominalStartTime'], '2026-03-01T00:00:00.000Z');
    assert.equal(event.run.facets['nominalTime']?.['nominalEndTime'], '2026-03-02T00:00:00.000Z');
    assert.equal(event.run.facets['errorMessage'], undefined, 'no error facet on START');

    const input = event.inputs[0];
    assert.ok(input);
    assert.deepEqual(input.facets['schema']?.['fields'], [{ name: 'id', type: 'long' }, { name: 'amount', type: 'decimal(12,2)' }]);
    assert.equal(input.facets['dataSource']?.['uri'], 'strata:///srv/strata/lake');
    assert.deepEqual(input.inputFacets['inputStatistics'] && { r: input.inputFacets['inputStatistics']['rowCount'], s: input.inputFacets['inputStatistics']['size'] }, { r: 1000, s: 4096 });
    assert.equal(input.facets['version']?.['datasetVersion'], '9007199254740993', 'snapshot id kept exactly, as a string');
    assert.equal(input.facets['strata_iceberg']?.['snapshotId'], '9007199254740993');

    const output = event.outputs[0];
    assert.ok(output);
    assert.equal(output.facets['version'], undefined, 'no snapshot yet, no version facet');
    assert.equal(output.facets['strata_iceberg']?.['branch'], 'audit_run_1');
    assert.deepEqual(output.outputFacets, {}, 'no row count, no outputStatistics (rowCount is required by the facet)');
  });

  test('int64 snapshot ids above 2^53 survive JSON exactly, from bigint or string', () => {
    const max = 9_223_372_036_854_775_807n;
    const event = runEvent({
      eventType: 'COMPLETE',
      eventTime: new Date(),
      runId: RUN,
      job: { namespace: 'ns', name: 'job' },
      outputs: [
        { namespace: 'ns', name: 'a.b', snapshotId: max, rowCount: 3, bytes: 1234 },
        { namespace: 'ns', name: 'a.c', snapshotId: '7138412931840938134' },
      ],
    });
    const text = JSON.stringify(event);
    assert.ok(text.includes('"datasetVersion":"9223372036854775807"'), text);
    assert.ok(text.includes('"snapshotId":"7138412931840938134"'), text);
    const parsed = JSON.parse(text) as RunEvent;
    assert.equal(BigInt(parsed.outputs[0]?.facets['version']?.['datasetVersion'] as string), max);
    assert.deepEqual({ r: parsed.outputs[0]?.outputFacets['outputStatistics']?.['rowCount'], s: parsed.outputs[0]?.outputFacets['outputStatistics']?.['size'] }, { r: 3, s: 1234 });
    assertSpecShape(event);
  });

  test('FAIL carries the errorMessage facet, and the code in strata_error', () => {
    const event = runEvent({ eventType: 'FAIL', eventTime: new Date(), runId: RUN.toUpperCase(), job: { namespace: 'ns', name: 'job' }, error: { message: 'step aggregate failed', code: 'STEP_FAILED' } });
    assertSpecShape(event);
    assert.equal(event.run.runId, RUN, 'run ids are normalised to lower case');
    assert.equal(event.run.facets['errorMessage']?.['message'], 'step aggregate failed');
    assert.equal(event.run.facets['errorMessage']?.['programmingLanguage'], 'TypeScript', 'required by ErrorMessageRunFacet');
    assert.equal(event.run.facets['strata_error']?.['code'], 'STEP_FAILED');
  });

  test('refuses what would make an invalid event', () => {
    const base = { eventType: 'START' as const, eventTime: new Date(), job: { namespace: 'ns', name: 'job' } };
    const invalid = (fn: () => unknown) => assert.throws(fn, (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
    invalid(() => runEvent({ ...base, runId: 'run-42' }));
    invalid(() => runEvent({ ...base, runId: RUN, parent: { runId: 'nope', namespace: 'ns', name: 'p' } }));
    invalid(() => runEvent({ ...base, runId: RUN, eventTime: new Date('garbage') }));
    invalid(() => runEvent({ ...base, runId: RUN, eventType: 'DONE' as 'START' }));
    invalid(() => runEvent({ ...base, runId: RUN, inputs: [{ namespace: 'ns', name: 'a.b', snapshotId: '1e21' }] }));
    invalid(() => runEvent({ ...base, runId: RUN, outputs: [{ namespace: 'ns', name: 'a.b', rowCount: -1 }] }));
  });
});
