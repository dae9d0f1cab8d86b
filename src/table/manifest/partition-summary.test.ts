import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { serializeValue } from '../serde/single-value.ts';
import { Types, field } from '../schema/types.ts';
import { dataFile } from './manifest-fixtures.ts';
import { summarizePartitions } from './partition-summary.ts';

describe('summarizePartitions', () => {
  const type = Types.struct([
    field(1000, 'day', Types.date),
    field(1001, 'score', Types.double),
    field(1002, 'name', Types.string),
    field(1003, 'amount', Types.decimal(10, 2)),
  ]);

  test('bounds are the min/max non-null, non-NaN values; NaN only reported for floating types', () => {
    const files = [
      dataFile('a', [19000, Number.NaN, 'b', -5n]),
      dataFile('b', [18000, 0, 'é', null]),
      dataFile('c', [null, -0, 'a', 700n]),
    ];
    assert.deepStrictEqual(summarizePartitions(type, files), [
      { containsNull: true, lowerBound: serializeValue(Types.date, 18000), upperBound: serializeValue(Types.date, 19000) },
      { containsNull: false, containsNan: true, lowerBound: serializeValue(Types.double, -0), upperBound: serializeValue(Types.double, 0) },
      { containsNull: false, lowerBound: serializeValue(Types.string, 'a'), upperBound: serializeValue(Types.string, 'é') },
      {
        containsNull: true,
        lowerBound: serializeValue(Types.decimal(10, 2), -5n),
        upperBound: serializeValue(Types.decimal(10, 2), 700n),
      },
    ]);
  });

  test('a field whose values are all null or NaN has no bounds', () => {
    const files = [dataFile('a', [null, Number.NaN, null, null])];
    assert.deepStrictEqual(summarizePartitions(type, files), [
      { containsNull: true },
      { containsNull: false, containsNan: true },
      { containsNull: true },
      { containsNull: true },
    ]);
  });

  test('no files: nothing null, no bounds', () => {
    assert.deepStrictEqual(summarizePartitions(Types.struct([field(1000, 'x', Types.float)]), []), [{ containsNull: false, containsNan: false }]);
  });
});
