import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import type { DataFile } from '../manifest/data-file.ts';
import type { FieldSummary, ManifestFile } from '../manifest/manifest-file.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { serializeValue } from '../serde/single-value.ts';
import type { BoundPredicate, Expression, PartitionPredicate } from './expression.ts';
import { Expressions as E } from './expression.ts';
import { bind } from './bind.ts';
import { evaluatePartition, evaluateRow } from './evaluator.ts';
import { projectInclusive } from './projection.ts';
import { ManifestEvaluator } from './manifest-evaluator.ts';
import { MetricsEvaluator } from './metrics-evaluator.ts';

const s = schema(1, [
  field(1, 'id', Types.long),
  field(2, 'ts', Types.timestamp),
  field(3, 'name', Types.string),
  field(4, 'x', Types.double),
  field(5, 'n', Types.int),
  field(6, 'day', Types.date),
]);

const spec = (...fields: [number, string][]): PartitionSpec => ({
  specId: 1,
  fields: fields.map(([sourceId, transform], i) => ({ sourceId, fieldId: 1000 + i, name: `p${i}`, transform })),
});

function projected(expr: Expression, ps: PartitionSpec) {
  return projectInclusive(bind(expr, s), ps, s);
}
function onlyPredicate(expr: Expression, ps: PartitionSpec): PartitionPredicate {
  const p = projected(expr, ps);
  assert.equal(p.kind, 'predicate', `expected one predicate, got ${p.kind}`);
  return p as PartitionPredicate;
}

describe('projectInclusive', () => {
  test('truncate[10] on ints: < and > step to the neighbouring value first', () => {
    const ps = spec([5, 'truncate[10]']);
    assert.deepEqual(onlyPredicate(E.lessThan('n', 10), ps).literals, [0]); // x <= 9 → p <= 0
    assert.equal(onlyPredicate(E.lessThan('n', 10), ps).op, 'ltEq');
    assert.deepEqual(onlyPredicate(E.lessThanOrEqual('n', 10), ps).literals, [10]);
    assert.deepEqual(onlyPredicate(E.greaterThan('n', -1), ps).literals, [0]); // x >= 0 → p >= 0
    assert.deepEqual(onlyPredicate(E.greaterThan('n', -2), ps).literals, [-10]);
    assert.deepEqual(onlyPredicate(E.equal('n', -1), ps).literals, [-10]);
  });
  test('day of timestamps: the last microsecond of a day and negative values', () => {
    const ps = spec([2, 'day']);
    assert.deepEqual(onlyPredicate(E.lessThan('ts', '2024-01-02T00:00:00'), ps).literals, [19723]); // ≤ 2024-01-01
    assert.deepEqual(onlyPredicate(E.greaterThan('ts', 0n), ps).literals, [0]);
    assert.deepEqual(onlyPredicate(E.lessThan('ts', 0n), ps).literals, [-1]);
  });
  test('month/year of dates before 1970', () => {
    assert.deepEqual(onlyPredicate(E.lessThan('day', '1970-01-01'), spec([6, 'month'])).literals, [-1]);
    assert.deepEqual(onlyPredicate(E.greaterThanOrEqual('day', '1969-06-15'), spec([6, 'year'])).literals, [-1]);
  });
  test('bucket keeps only equality; notEq/range become alwaysTrue', () => {
    const ps = spec([1, 'bucket[16]']);
    assert.deepEqual(onlyPredicate(E.equal('id', 34), ps).literals, [2017239379 % 16]);
    assert.equal(projected(E.lessThan('id', 34), ps).kind, 'true');
    assert.equal(projected(E.notEqual('id', 34), ps).kind, 'true');
  });
  test('startsWith on truncated strings', () => {
    const ps = spec([3, 'truncate[2]']);
    assert.deepEqual(onlyPredicate(E.startsWith('name', 'abc'), ps).literals, ['ab']);
    assert.equal(onlyPredicate(E.startsWith('name', 'a'), ps).op, 'startsWith');
    assert.equal(projected(E.not(E.startsWith('name', 'abc')), ps).kind, 'true');
    assert.equal(onlyPredicate(E.not(E.startsWith('name', 'ab')), ps).op, 'notStartsWith');
  });
  test('NOT is pushed down before projecting (NOT(x = 5) is not NOT(p = f(5)))', () => {
    const ps = spec([5, 'truncate[10]']);
    const p = projected(E.not(E.equal('n', 5)), ps);
    assert.equal(p.kind, 'true');
    assert.equal(evaluatePartition(p, [0]), true);
  });
  test('two partition fields on one column are ANDed; other columns are ignored', () => {
    const ps = spec([2, 'day'], [2, 'hour'], [3, 'identity']);
    const p = projected(E.equal('ts', '2024-01-01T10:30:00'), ps);
    assert.equal(p.kind, 'and');
    assert.equal(evaluatePartition(p, [19723, 19723 * 24 + 10, 'zzz']), true);
    assert.equal(evaluatePartition(p, [19723, 19723 * 24 + 11, 'zzz']), false);
  });
});

describe('evaluatePartition / evaluateRow', () => {
  test('identity partitions evaluate exactly, nulls included', () => {
    const p = projected(E.and(E.greaterThanOrEqual('id', 10), E.lessThan('id', 20)), spec([1, 'identity']));
    assert.equal(evaluatePartition(p, [10n]), true);
    assert.equal(evaluatePartition(p, [20n]), false);
    assert.equal(evaluatePartition(p, [null]), false);
    assert.equal(evaluatePartition(projected(E.isNull('id'), spec([1, 'identity'])), [null]), true);
  });
  test('NOT of a comparison is false for null, as in SQL', () => {
    assert.equal(evaluateRow(bind(E.not(E.lessThan('n', 5)), s), new Map([[5, null]])), false);
    assert.equal(evaluateRow(bind(E.not(E.lessThan('n', 5)), s), new Map([[5, 7]])), true);
  });
  test('floats: NaN is above everything, -0.0 and 0.0 both match either zero', () => {
    const row = (v: number) => new Map<number, IcebergValue>([[4, v]]);
    assert.equal(evaluateRow(bind(E.greaterThan('x', 1e300), s), row(Number.NaN)), true);
    assert.equal(evaluateRow(bind(E.lessThan('x', 1e300), s), row(Number.NaN)), false);
    assert.equal(evaluateRow(bind(E.equal('x', 0), s), row(-0)), true);
    assert.equal(evaluateRow(bind(E.lessThan('x', 0), s), row(-0)), true); // -0.0 < 0.0 in total order
  });
});

function dataFile(type: PrimitiveType, m: { values: number; nulls?: number; nans?: number; lower?: IcebergValue; upper?: IcebergValue; id?: number }): DataFile {
  const id = m.id ?? 1;
  return {
    content: 0,
    filePath: 'f.parquet',
    fileFormat: 'PARQUET',
    specId: 0,
    partition: [],
    recordCount: m.values,
    fileSizeInBytes: 1,
    valueCounts: new Map([[id, m.values]]),
    nullValueCounts: new Map([[id, m.nulls ?? 0]]),
    ...(m.nans === undefined ? {} : { nanValueCounts: new Map([[id, m.nans]]) }),
    lowerBounds: new Map(m.lower === undefined || m.lower === null ? [] : [[id, serializeValue(type, m.lower)]]),
    upperBounds: new Map(m.upper === undefined || m.upper === null ? [] : [[id, serializeValue(type, m.upper)]]),
  };
}

describe('MetricsEvaluator', () => {
  const might = (expr: Expression, file: DataFile) => new MetricsEvaluator(bind(expr, s)).mightMatch(file);
  const longs = dataFile(Types.long, { values: 10, nulls: 2, lower: 10n, upper: 20n });

  test('prunes ranges outside the bounds and keeps the edges', () => {
    assert.equal(might(E.lessThan('id', 10), longs), false);
    assert.equal(might(E.lessThanOrEqual('id', 10), longs), true);
    assert.equal(might(E.greaterThan('id', 20), longs), false);
    assert.equal(might(E.greaterThanOrEqual('id', 20), longs), true);
    assert.equal(might(E.equal('id', 21), longs), false);
    assert.equal(might(E.in('id', [1, 25]), longs), false);
    assert.equal(might(E.in('id', [1, 15]), longs), true);
    assert.equal(might(E.notEqual('id', 15), longs), true);
    assert.equal(might(E.not(E.greaterThanOrEqual('id', 10)), longs), false);
  });
  test('null counts drive isNull / notNull; missing metrics never prune', () => {
    assert.equal(might(E.isNull('id'), dataFile(Types.long, { values: 3, nulls: 0, lower: 1n, upper: 2n })), false);
    assert.equal(might(E.notNull('id'), dataFile(Types.long, { values: 3, nulls: 3 })), false);
    assert.equal(might(E.equal('id', 1), dataFile(Types.long, { values: 3, nulls: 3 })), false);
    const bare: DataFile = { content: 0, filePath: 'f', fileFormat: 'PARQUET', specId: 0, partition: [], recordCount: 5, fileSizeInBytes: 1 };
    for (const e of [E.isNull('id'), E.notNull('id'), E.equal('id', 1), E.lessThan('id', -100), E.isNaN('x'), E.startsWith('name', 'q')]) {
      assert.equal(might(e, bare), true);
    }
    assert.equal(might(E.alwaysTrue(), { ...bare, recordCount: 0 }), false);
  });
  test('truncated string bounds: the upper bound bounds the prefix only', () => {
    // values in ["abc", "abz"], bounds truncated to 2 code points: lower "ab", upper "ac" (incremented)
    const f = dataFile(Types.string, { id: 3, values: 4, lower: 'ab', upper: 'ac' });
    assert.equal(might(E.equal('name', 'abz'), f), true);
    assert.equal(might(E.equal('name', 'ad'), f), false);
    assert.equal(might(E.startsWith('name', 'abq'), f), true);
    assert.equal(might(E.startsWith('name', 'ad'), f), false);
    assert.equal(might(E.startsWith('name', 'aa'), f), false);
    assert.equal(might(E.greaterThan('name', 'ac'), f), false);
    assert.equal(might(E.greaterThan('name', 'abzzz'), f), true);
  });
  test('notStartsWith prunes only when every value has the prefix and there are no nulls', () => {
    const allAb = dataFile(Types.string, { id: 3, values: 4, lower: 'aba', upper: 'abz' });
    assert.equal(might(E.notStartsWith('name', 'ab'), allAb), false);
    assert.equal(might(E.not(E.startsWith('name', 'ab')), allAb), false);
    assert.equal(might(E.notStartsWith('name', 'ab'), dataFile(Types.string, { id: 3, values: 4, nulls: 1, lower: 'aba', upper: 'abz' })), true);
    assert.equal(might(E.notStartsWith('name', 'ab'), dataFile(Types.string, { id: 3, values: 4, lower: 'aba', upper: 'ac' })), true);
  });
  test('floats: NaN counts, NaN bounds and signed zeros', () => {
    const noNan = dataFile(Types.double, { id: 4, values: 5, nans: 0, lower: 1, upper: 2 });
    const someNan = dataFile(Types.double, { id: 4, values: 5, nans: 1, lower: 1, upper: 2 });
    const allNan = dataFile(Types.double, { id: 4, values: 5, nans: 5 });
    assert.equal(might(E.greaterThan('x', 2), noNan), false);
    assert.equal(might(E.greaterThan('x', 2), someNan), true, 'NaN > 2 for NaN-last engines');
    assert.equal(might(E.greaterThan('x', 2), allNan), true);
    assert.equal(might(E.lessThan('x', 1), someNan), false);
    assert.equal(might(E.lessThan('x', 1), allNan), false);
    assert.equal(might(E.isNaN('x'), noNan), false);
    assert.equal(might(E.isNaN('x'), someNan), true);
    assert.equal(might(E.notNaN('x'), allNan), false);
    // A writer that let NaN into the bounds: the bound is ignored, not trusted.
    const nanBounds = dataFile(Types.double, { id: 4, values: 5, nans: 0, lower: Number.NaN, upper: Number.NaN });
    assert.equal(might(E.lessThan('x', 0), nanBounds), true);
    assert.equal(might(E.equal('x', 5), nanBounds), true);
    // Bounds written as 0.0 may hide -0.0 rows and vice versa.
    assert.equal(might(E.lessThan('x', 0), dataFile(Types.double, { id: 4, values: 1, nans: 0, lower: 0, upper: 0 })), true);
    assert.equal(might(E.greaterThan('x', -0), dataFile(Types.double, { id: 4, values: 1, nans: 0, lower: -0, upper: -0 })), true);
    assert.equal(might(E.greaterThan('x', 0), dataFile(Types.double, { id: 4, values: 1, nans: 0, lower: -0, upper: 0 })), false);
  });
  test('reads 4-byte bounds of a column promoted from int to long', () => {
    const f: DataFile = { ...longs, lowerBounds: new Map([[1, serializeValue(Types.int, 10)]]), upperBounds: new Map([[1, serializeValue(Types.int, 20)]]) };
    assert.equal(might(E.equal('id', 30), f), false);
    assert.equal(might(E.equal('id', 15), f), true);
  });
});

function manifest(partitions: FieldSummary[] | undefined): ManifestFile {
  return {
    manifestPath: 'm.avro',
    manifestLength: 1,
    partitionSpecId: 1,
    content: 0,
    sequenceNumber: 1n,
    minSequenceNumber: 1n,
    addedSnapshotId: 1n,
    addedFilesCount: 1,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 1,
    existingRowsCount: 0,
    deletedRowsCount: 0,
    ...(partitions === undefined ? {} : { partitions }),
  };
}

describe('ManifestEvaluator', () => {
  const ps = spec([2, 'day'], [3, 'identity']);
  const dayRange: FieldSummary = { containsNull: false, lowerBound: serializeValue(Types.date, 19723), upperBound: serializeValue(Types.date, 19725) };
  const names: FieldSummary = { containsNull: true, lowerBound: serializeValue(Types.string, 'abc'), upperBound: serializeValue(Types.string, 'abd') };
  const m = manifest([dayRange, names]);
  const might = (e: Expression, mf = m) => ManifestEvaluator.forRowFilter(bind(e, s), ps, s).mightMatch(mf);

  test('prunes by partition bounds after projection', () => {
    assert.equal(might(E.greaterThanOrEqual('ts', '2024-01-04T00:00:00')), false);
    assert.equal(might(E.greaterThan('ts', '2024-01-03T23:59:59.999999')), false);
    assert.equal(might(E.greaterThan('ts', '2024-01-03T23:59:59.999998')), true);
    assert.equal(might(E.lessThan('ts', '2024-01-01T00:00:00')), false);
    assert.equal(might(E.lessThan('ts', '2024-01-01T00:00:00.000001')), true);
    assert.equal(might(E.equal('name', 'abz')), false);
    assert.equal(might(E.startsWith('name', 'ab')), true);
    assert.equal(might(E.startsWith('name', 'b')), false);
    assert.equal(might(E.or(E.equal('name', 'zz'), E.equal('ts', '2024-01-02T05:00:00'))), true);
  });
  test('null flags: isNull prunes only when containsNull is false; notNull never prunes', () => {
    assert.equal(might(E.isNull('ts')), false);
    assert.equal(might(E.isNull('name')), true);
    assert.equal(might(E.notNull('name'), manifest([dayRange, { containsNull: true }])), true);
  });
  test('missing summaries or bounds mean might match', () => {
    assert.equal(might(E.equal('name', 'zzz'), manifest(undefined)), true);
    assert.equal(might(E.equal('name', 'zzz'), manifest([dayRange])), true);
    assert.equal(might(E.equal('name', 'zzz'), manifest([dayRange, { containsNull: false }])), true);
  });
  test('float partitions: NaN flags', () => {
    const fs = spec([4, 'identity']);
    const sum = (containsNan: boolean | undefined): FieldSummary => ({
      containsNull: false,
      ...(containsNan === undefined ? {} : { containsNan }),
      lowerBound: serializeValue(Types.double, 1),
      upperBound: serializeValue(Types.double, 2),
    });
    const ev = (e: Expression) => ManifestEvaluator.forRowFilter(bind(e, s), fs, s);
    assert.equal(ev(E.greaterThan('x', 5)).mightMatch(manifest([sum(false)])), false);
    assert.equal(ev(E.greaterThan('x', 5)).mightMatch(manifest([sum(true)])), true);
    assert.equal(ev(E.greaterThan('x', 5)).mightMatch(manifest([sum(undefined)])), true);
    assert.equal(ev(E.isNaN('x')).mightMatch(manifest([sum(false)])), false);
    assert.equal(ev(E.isNaN('x')).mightMatch(manifest([sum(undefined)])), true);
  });
  test('notStartsWith on an identity string partition', () => {
    const ss = spec([3, 'identity']);
    const ev = new ManifestEvaluator(projectInclusive(bind(E.notStartsWith('name', 'ab'), s), ss, s));
    assert.equal(ev.mightMatch(manifest([{ containsNull: false, lowerBound: serializeValue(Types.string, 'abc'), upperBound: serializeValue(Types.string, 'abd') }])), false);
    assert.equal(ev.mightMatch(manifest([names])), true);
  });
});

test('BoundPredicate literals are frozen data', () => {
  const p = bind(E.equal('id', 1), s) as BoundPredicate;
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.literals));
});
