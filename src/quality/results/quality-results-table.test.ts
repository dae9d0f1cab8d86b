import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import type { RuleResult } from '../evaluate/evaluation.ts';
import type { TableCheckResult } from '../check/table-check-result.ts';
import { QualityResultsTable, QUALITY_RESULTS_TABLE_ID } from './quality-results-table.ts';

let dir = '';
let home: StrataHome;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-quality-results-'));
  home = await openStrataHome(dir, { threads: 2 });
});
after(async () => {
  await home.close();
  rmSync(dir, { recursive: true, force: true });
});

function rule(text: string, outcome: RuleResult['outcome'], observed: number | undefined, metricKey: string | undefined, line: number, metrics: Record<string, number> = {}): RuleResult {
  return {
    rule: text,
    ruleType: text.startsWith('(') ? 'composite' : 'RowCount',
    outcome,
    ...(observed === undefined ? {} : { observed }),
    ...(metricKey === undefined ? {} : { metricKey }),
    metrics: metricKey !== undefined && observed !== undefined ? { [metricKey]: observed, ...metrics } : metrics,
    ...(outcome === 'passed' ? {} : { message: `Value: ${observed} does not meet the constraint requirement!` }),
    position: { line, column: 3, offset: 0 },
  };
}

function check(id: string, at: string, table: string, rules: RuleResult[], extra: Partial<TableCheckResult> = {}): TableCheckResult {
  return {
    rules,
    metrics: {},
    passed: rules.every((r) => r.outcome === 'passed'),
    passes: 1,
    table,
    evaluationId: id,
    evaluatedAt: new Date(at),
    dataset: { relation: table, columns: [] },
    ...extra,
  };
}

describe('QualityResultsTable', () => {
  test('records one row per rule in one commit, and lists them newest first with filters', async () => {
    const results = await QualityResultsTable.open(home.catalog);
    assert.deepEqual(await results.list(), [], 'an empty table lists nothing');
    await results.record(
      check('e1', '2024-03-01T10:00:00Z', 'sales.orders', [rule('RowCount > 0', 'passed', 4, 'Dataset.*.RowCount', 2), rule('IsComplete "status"', 'failed', 0.75, 'Column.status.Completeness', 3)], {
        snapshotId: 9007199254740993n,
        branch: 'audit',
        ruleset: 'orders',
      }),
      { pipeline: 'daily', runId: 'run-1', stepId: 'check', partition: '2024-03-01' },
    );
    await results.record(check('e2', '2024-03-02T10:00:00Z', 'sales.customers', [rule('RowCount > 0', 'passed', 7, 'Dataset.*.RowCount', 1)]));

    const table = await home.catalog.loadTable(QUALITY_RESULTS_TABLE_ID);
    assert.equal(table.snapshots().length, 2, 'one commit per evaluation');
    assert.equal(table.spec().fields[0]?.transform, 'day');

    const all = await results.list();
    assert.deepEqual(all.map((r) => r.evaluationId), ['e2', 'e1', 'e1']);
    const failed = await results.list({ outcome: 'failed' });
    assert.equal(failed.length, 1);
    const stored = failed[0];
    assert.ok(stored);
    assert.equal(stored.rule, 'IsComplete "status"');
    assert.equal(stored.observed, 0.75);
    assert.equal(stored.snapshotId, 9007199254740993n, 'a long snapshot id survives exactly');
    assert.equal(stored.branch, 'audit');
    assert.equal(stored.ruleset, 'orders');
    assert.equal(stored.line, 3);
    assert.equal(stored.column, 3);
    assert.equal(stored.runId, 'run-1');
    assert.equal(stored.partition, '2024-03-01');
    assert.equal(stored.evaluatedAt.toISOString(), '2024-03-01T10:00:00.000Z');
    assert.match(stored.message ?? '', /does not meet/);

    assert.deepEqual((await results.list({ dataset: 'sales.customers' })).map((r) => r.evaluationId), ['e2']);
    assert.deepEqual((await results.list({ runId: 'run-1' })).length, 2);
    assert.deepEqual((await results.list({ since: new Date('2024-03-02T00:00:00Z') })).map((r) => r.evaluationId), ['e2']);
    assert.equal((await results.list({ limit: 1 })).length, 1);
  });

  test('history: the metric of the k newest evaluations of a dataset, newest first, one value per evaluation', async () => {
    const results = await QualityResultsTable.open(home.catalog);
    const key = 'Dataset.*.RowCount';
    await results.record(check('h1', '2024-04-01T00:00:00Z', 'web.events', [rule('RowCount > 0', 'passed', 100, key, 1), rule('RowCount < 1000', 'passed', 100, key, 2)], { ruleset: 'events' }));
    await results.record(check('h2', '2024-04-02T00:00:00Z', 'web.events', [rule('RowCount > 0', 'passed', 110, key, 1)], { ruleset: 'events' }));
    // A composite keeps its operands' metrics: its history counts too.
    await results.record(
      check('h3', '2024-04-03T00:00:00Z', 'web.events', [rule('(RowCount > 0) and (IsComplete "id")', 'passed', undefined, undefined, 1, { [key]: 120, 'Column.id.Completeness': 1 })], {
        ruleset: 'events',
      }),
    );
    // Same metric, other ruleset (e.g. one partition checked by a pipeline): kept apart when a ruleset is named.
    await results.record(check('h4', '2024-04-04T00:00:00Z', 'web.events', [rule('RowCount > 0', 'passed', 5, key, 1)], { ruleset: 'partition-gate' }));

    assert.deepEqual(await results.history('web.events', key, 3, { ruleset: 'events' }), [120, 110, 100]);
    assert.deepEqual(await results.history('web.events', key, 2), [5, 120]);
    assert.deepEqual(await results.history('web.events', key, 10, { ruleset: 'events' }), [120, 110, 100], 'an evaluation counts once');
    assert.deepEqual(await results.history('web.events', 'Column.id.Completeness', 5), [1]);
    assert.deepEqual(await results.history('web.other', key, 5), []);
    assert.deepEqual(await results.history('web.events', key, 0), []);
  });
});
