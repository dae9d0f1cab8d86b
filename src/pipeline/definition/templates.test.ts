import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { addDays, isIsoDate, renderTemplate, templateVariables } from './templates.ts';

const vars = { ds: '2024-03-01', runId: 'run-7', partition: 'region=eu/2024-03-01', pipeline: 'sales' };

describe('renderTemplate', () => {
  const cases: [string, string][] = [
    ["WHERE d = DATE '{{ ds }}'", "WHERE d = DATE '2024-03-01'"],
    ['{{ds}}|{{  ds  }}|{{ds }}', '2024-03-01|2024-03-01|2024-03-01'],
    ['s3://b/{{ ds_nodash }}/x', 's3://b/20240301/x'],
    ['{{ prev_ds }}..{{ next_ds }}', '2024-02-29..2024-03-02'],
    ['{{ partition }} {{ run_id }} {{ pipeline }}', 'region=eu/2024-03-01 run-7 sales'],
    ['no templates { here }', 'no templates { here }'],
    ['{{\nds\n}}', '2024-03-01'],
  ];
  for (const [text, expected] of cases) {
    test(`renders ${JSON.stringify(text)}`, () => assert.equal(renderTemplate(text, vars), expected));
  }

  test('next_ds / prev_ds given by the caller win; partition defaults to ds', () => {
    assert.equal(
      renderTemplate('{{ prev_ds }} {{ next_ds }} {{ partition }}', { ds: '2024-03-04', runId: 'r', nextDs: '2024-03-11', prevDs: '2024-02-26' }),
      '2024-02-26 2024-03-11 2024-03-04',
    );
  });

  test('an unknown variable is an error naming it, with a suggestion', () => {
    assert.throws(
      () => renderTemplate("SELECT '{{ ds_nodsh }}'", vars),
      (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID') && e.details.variable === 'ds_nodsh' && /did you mean \{\{ ds_nodash \}\}/.test(e.message),
    );
  });

  test('an expression is not a variable', () => {
    assert.throws(() => renderTemplate('{{ ds | upper }}', vars), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID'));
  });

  test('pipeline without a value is an error, not an empty string', () => {
    assert.throws(
      () => renderTemplate('{{ pipeline }}', { ds: '2024-03-01', runId: 'r' }),
      (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID') && e.details.variable === 'pipeline',
    );
  });

  test('a malformed ds is INVALID_ARGUMENT', () => {
    assert.throws(() => renderTemplate('{{ ds }}', { ds: '2024-02-30', runId: 'r' }), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });
});

describe('template helpers', () => {
  test('templateVariables lists names once, in order', () => {
    assert.deepEqual(templateVariables('{{ds}} {{ run_id }} {{ ds }}'), ['ds', 'run_id']);
  });
  test('addDays crosses months, leap days and years', () => {
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2023-12-31', 1), '2024-01-01');
    assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  });
  test('isIsoDate rejects impossible dates', () => {
    assert.equal(isIsoDate('2024-02-29'), true);
    assert.equal(isIsoDate('2023-02-29'), false);
    assert.equal(isIsoDate('2024-3-1'), false);
  });
});
