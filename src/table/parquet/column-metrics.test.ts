import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import { deserializeValue } from '../serde/single-value.ts';
import { columnMetrics } from './column-metrics.ts';
import { parquetLeaves } from './parquet-leaves.ts';

const s = schema(1, [
  field(1, 'd', Types.double),
  field(2, 'f', Types.float),
  field(3, 'l', Types.list(4, Types.int)),
  field(5, 'st', Types.struct([field(6, 'we"ird', Types.decimal(10, 3))])),
]);
const leaves = parquetLeaves(s);
const stats = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('columnMetrics', () => {
  test('leaves are keyed by DuckDB column path and numbered in Parquet order', () => {
    assert.deepEqual(
      leaves.map((l) => [l.fieldId, l.statsKey, l.columnIndex, l.repeated]),
      [
        [1, '"d"', 0, false],
        [2, '"f"', 1, false],
        [4, '"l"."element"', 2, true],
        [6, '"st"."we""ird"', 3, false],
      ],
    );
  });

  test('zero bounds are widened to -0.0 / +0.0, NaN counts follow has_nan', () => {
    const m = columnMetrics(
      leaves,
      new Map([
        ['"d"', stats({ min: '0.0', max: '-0.0', null_count: '1', num_values: '4', column_size_bytes: '9', has_nan: 'false' })],
        ['"f"', stats({ min: '1.5', max: '2.5', null_count: '0', num_values: '4', column_size_bytes: '9', has_nan: 'true' })],
      ]),
    );
    assert.ok(Object.is(deserializeValue(Types.double, m.lowerBounds.get(1) ?? new Uint8Array()), -0));
    assert.ok(Object.is(deserializeValue(Types.double, m.upperBounds.get(1) ?? new Uint8Array()), 0));
    assert.equal(m.nanValueCounts.get(1), 0);
    assert.equal(m.nanValueCounts.has(2), false, 'NaNs exist but were not counted: omitted');
    assert.equal(m.valueCounts.get(1), 4);
    assert.equal(m.nullValueCounts.get(1), 1);
    assert.equal(m.columnSizes.get(1), 9);
  });

  test('measured NaN counts are used; list elements keep counts but get no bounds', () => {
    const m = columnMetrics(
      leaves,
      new Map([
        ['"f"', stats({ min: '1.5', max: '2.5', null_count: '0', num_values: '4', column_size_bytes: '9', has_nan: 'true' })],
        ['"l"."element"', stats({ min: '1', max: '9', null_count: '2', num_values: '7', column_size_bytes: '9' })],
        ['"st"."we""ird"', stats({ min: '-1.5', max: '12.250', null_count: '0', num_values: '4', column_size_bytes: '9' })],
      ]),
      { nanCounts: new Map([[2, 3]]), bounds: new Map() },
    );
    assert.equal(m.nanValueCounts.get(2), 3);
    assert.equal(m.valueCounts.get(4), 7);
    assert.equal(m.lowerBounds.has(4), false);
    assert.equal(m.upperBounds.has(4), false);
    assert.equal(deserializeValue(Types.decimal(10, 3), m.lowerBounds.get(6) ?? new Uint8Array()), -1500n);
    assert.equal(deserializeValue(Types.decimal(10, 3), m.upperBounds.get(6) ?? new Uint8Array()), 12250n);
  });
});
