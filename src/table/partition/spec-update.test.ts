 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import { UNPARTITIONED, type PartitionField, type PartitionSpec } from './partition-spec.ts';
import { defaultPartitionName, specsStructurallyEqual, updateSpec } from './spec-update.ts';
import { parseTransform } from './transforms.ts';

const SCHEMA = schema(0, [
  field(1, 'id', Types.long, true),
  field(2, 'data', Types.string),
  field(3, 'ts', Types.timestamptz),
  field(4, 'category', Types.string),
  field(5, 'location', Types.struct([field(6, 'lat', Types.double)])),
  field(7, 'tags', Types.list(8, Types.string)),
  field(9, 'amount', Types.decimal(10, 2)),
  field(10, 'flag', Types.boolean),
  field(11, 'day', Types.date),
]);

const pf = (sourceId: number, fieldId: number, name: string, transform: string): PartitionField => ({
  sourceId,
  fieldId,
  name,
  transform,
});

/** A table partitioned by day(ts) and bucket[16](id) as spec 1, after an unpartitioned spec 0. */
const SPEC1: PartitionSpec = { specId: 1, fields: [pf(3, 1000, 'ts_day', 'day'), pf(1, 1001, 'id_bucket_16', 'bucket[16]')] };
const SPECS = [UNPARTITIONED, SPEC1];
const evolve = () => updateSpec(SPEC1, SCHEMA, 1001, SPECS);
const fresh = () => updateSpec(UNPARTITIONED, SCHEMA, 999, [UNPARTITIONED]);

function rejects(fn: () => unknown, code: string, messagePart?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (messagePart) assert.match(e.message, messagePart);
    return true;
  });
}

describe('updateSpec: addField', () => {
  test('first partition field of an unpartitioned table gets id 1000 and spec id 1', () => {
    const { spec, lastPartitionId } = fresh().addField('category', 'identity').apply();
    assert.deepEqual(spec, { specId: 1, fields: [pf(4, 1000, 'category', 'identity')] });
    assert.equal(lastPartitionId, 1000);
  });

  test('new fields go after the existing ones with ids from lastPartitionId + 1', () => {
    const { spec, lastPartitionId } = evolve().addField('category', 'identity').addField('data', 'truncate[4]').apply();
    assert.equal(spec.specId, 2);
    assert.deepEqual(spec.fields, [...SPEC1.fields, pf(4, 1002, 'category', 'identity'), pf(2, 1003, 'data_trunc_4', 'truncate[4]')]);
    assert.equal(lastPartitionId, 1003);
  });

  test('ids continue from lastPartitionId even when it is above every field id in the specs', () => {
    const { spec, lastPartitionId } = updateSpec(SPEC1, SCHEMA, 1010, SPECS).addField('category', 'identity').apply();
    assert.equal(spec.fields.at(-1)?.fieldId, 1011);
    assert.equal(lastPartitionId, 1011);
  });

  test('default names follow the reference evolution API', () => {
    const cases: Array<[string, string, string]> = [
      ['category', 'identity', 'category'],
      ['id', 'bucket[8]', 'id_bucket_8'],
      ['data', 'truncate[10]', 'data_trunc_10'],
      ['ts', 'year', 'ts_year'],
      ['ts', 'month', 'ts_month'],
      ['ts', 'day', 'ts_day'],
      ['ts', 'hour', 'ts_hour'],
      ['category', 'void', 'category_null'],
    ];
    for (const [source, transform, expected] of cases) {
      assert.equal(defaultPartitionName(source, parseTransform(transform)), expected);
      assert.equal(fresh().addField(source, transform).apply().spec.fields[0]?.name, expected);
    }
  });

  test('accepts a Transform object, a custom name, transform text in any case, nested sources', () => {
    const { spec } = fresh()
      .addField('id', parseTransform('bucket[4]'), 'shard')
      .addField('ts', 'HOUR')
      .addField('location.lat', 'identity')
      .apply();
    assert.deepEqual(spec.fields, [
      pf(1, 1000, 'shard', 'bucket[4]'),
      pf(3, 1001, 'ts_hour', 'hour'),
      pf(6, 1002, 'location.lat', 'identity'),
    ]);
  });

  test('refuses an unknown source column with a suggestion', () => {
    rejects(() => evolve().addField('categroy', 'identity'), 'INVALID_ARGUMENT', /did you mean "category"/);
    assert.throws(
      () => evolve().addField('categroy', 'identity'),
      (e: unknown) => StrataError.is(e) && e.details['suggestion'] === 'category',
    );
  });

  test('refuses sources inside lists and maps, and non-primitive sources', () => {
    rejects(() => fresh().addField('tags.element', 'identity'), 'INVALID_PARTITION_SPEC', /list or a map/);
    rejects(() => fresh().addField('location', 'identity'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('tags', 'identity'), 'INVALID_PARTITION_SPEC');
  });

  test('refuses transforms that do not apply to the source type, and unknown transforms', () => {
    rejects(() => fresh().addField('data', 'day'), 'INVALID_PARTITION_SPEC', /string/);
    rejects(() => fresh().addField('flag', 'bucket[4]'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('location.lat', 'truncate[2]'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('day', 'hour'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('data', 'bucket[0]'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('data', 'zorder'), 'INVALID_PARTITION_SPEC');
  });

  test('refuses a field identical to an existing or already-added one, whatever its name', () => {
    rejects(() => evolve().addField('ts', 'day'), 'INVALID_PARTITION_SPEC', /already partitions/);
    rejects(() => evolve().addField('id', 'bucket[16]', 'other_name'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('data', 'identity').addField('data', 'identity', 'd2'), 'INVALID_PARTITION_SPEC');
  });

  test('a different parameter is a different field', () => {
    const { spec } = evolve().addField('id', 'bucket[8]').apply();
    assert.deepEqual(spec.fields.at(-1), pf(1, 1002, 'id_bucket_8', 'bucket[8]'));
  });

  test('refuses duplicate partition field names', () => {
    rejects(() => evolve().addField('category', 'identity', 'ts_day'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('data', 'truncate[2]', 'p').addField('category', 'truncate[2]', 'p'), 'INVALID_PARTITION_SPEC');
    rejects(() => updateSpec(UNPARTITIONED, SCHEMA, 999, [UNPARTITIONED], { caseSensitive: false })
      .addField('data', 'truncate[2]', 'p')
      .addField('category', 'truncate[2]', 'P'), 'INVALID_PARTITION_SPEC');
  });

  test('refuses a name that is a schema column unless it is the identity partition of that column', () => {
    rejects(() => fresh().addField('ts', 'day', 'data'), 'INVALID_PARTITION_SPEC', /column/);
    rejects(() => fresh().addField('category', 'identity', 'data'), 'INVALID_PARTITION_SPEC');
    rejects(() => fresh().addField('ts', 'day', 'location.lat'), 'INVALID_PARTITION_SPEC');
    // the date column named "day" does not block a field named after it by identity
    assert.equal(fresh().addField('day', 'identity', 'day').apply().spec.fields[0]?.name, 'day');
    assert.equal(fresh().addField('data', 'identity', 'data').apply().spec.fields[0]?.name, 'data');
  });

  test('refuses two time granularities on one column, but allows switching in one update', () => {
    rejects(() => evolve().addField('ts', 'hour'), 'INVALID_PARTITION_SPEC', /redundant/);
    rejects(() => fresh().addField('ts', 'year').addField('ts', 'month'), 'INVALID_PARTITION_SPEC');
    const { spec } = evolve().removeField('ts_day').addField('ts', 'hour').apply();
    assert.deepEqual(spec.fields, [pf(1, 1001, 'id_bucket_16', 'bucket[16]'), pf(3, 1002, 'ts_hour', 'hour')]);
  });
});

describe('updateSpec: removeField', () => {
  test('v2 drops the removed field instead of replacing it with void', () => {
    const { spec, lastPartitionId } = evolve().removeField('ts_day').apply();
    assert.deepEqual(spec, { specId: 2, fields: [pf(1, 1001, 'id_bucket_16', 'bucket[16]')] });
    assert.equal(lastPartitionId, 1001);
    assert.ok(spec.fields.every((f) => f.transform !== 'void'));
  });

  test('removing every field gives back the existing unpartitioned spec', () => {
    const { spec } = evolve().removeField('ts_day').removeField('id_bucket_16').apply();
    assert.equal(spec, UNPARTITIONED);
  });

  test('refuses unknown names with a suggestion', () => {
    rejects(() => evolve().removeField('ts_dya'), 'INVALID_ARGUMENT', /did you mean "ts_day"/);
    rejects(() => evolve().removeField('ts'), 'INVALID_ARGUMENT');
  });

  test('refuses removing twice, removing a field added or renamed in the same update', () => {
    rejects(() => evolve().removeField('ts_day').removeField('ts_day'), 'INVALID_PARTITION_SPEC', /removed/);
    rejects(() => evolve().addField('category', 'identity').removeField('category'), 'INVALID_PARTITION_SPEC');
    rejects(() => evolve().renameField('ts_day', 'd').removeField('d'), 'INVALID_PARTITION_SPEC');
  });

  test('removing then re-adding the same term restores the field (id and position), optionally renamed', () => {
    const same = evolve().removeField('ts_day').addField('ts', 'day').apply();
    assert.equal(same.spec, SPEC1);
    const renamed = evolve().removeField('ts_day').addField('ts', 'day', 'event_day').apply();
    assert.deepEqual(renamed.spec.fields, [pf(3, 1000, 'event_day', 'day'), SPEC1.fields[1]]);
    assert.equal(renamed.lastPartitionId, 1001);
  });
});

describe('updateSpec: renameField', () => {
  test('renames keep the field id', () => {
    const { spec } = evolve().renameField('id_bucket_16', 'shard').apply();
    assert.deepEqual(spec.fields[1], pf(1, 1001, 'shard', 'bucket[16]'));
    assert.equal(spec.specId, 2);
  });

  test('renames a field added in the same update', () => {
    const { spec } = evolve().addField('category', 'identity', 'cat').renameField('cat', 'kind').apply();
    assert.deepEqual(spec.fields.at(-1), pf(4, 1002, 'kind', 'identity'));
  });

  test('renaming to the same name is a no-op', () => {
    assert.equal(evolve().renameField('ts_day', 'ts_day').apply().spec, SPEC1);
  });

  test('refuses collisions, schema column names, removed and unknown fields', () => {
    rejects(() => evolve().renameField('ts_day', 'id_bucket_16'), 'INVALID_PARTITION_SPEC');
    rejects(() => evolve().renameField('ts_day', 'data'), 'INVALID_PARTITION_SPEC', /column/);
    rejects(() => evolve().renameField('ts_day', ''), 'INVALID_PARTITION_SPEC');
    rejects(() => evolve().removeField('ts_day').renameField('ts_day', 'x'), 'INVALID_PARTITION_SPEC', /removed/);
    rejects(() => evolve().renameField('nope', 'x'), 'INVALID_ARGUMENT');
  });
});

describe('updateSpec: ids and spec reuse across history', () => {
  // spec 2: the day(ts) field was dropped; last-partition-id stays 1001.
  const SPEC2: PartitionSpec = { specId: 2, fields: [pf(1, 1001, 'id_bucket_16', 'bucket[16]')] };
  const HISTORY = [UNPARTITIONED, SPEC1, SPEC2];

  test('re-adding a term from an earlier spec reuses its field id, and its spec when identical', () => {
    const back = updateSpec(SPEC2, SCHEMA, 1001, HISTORY).addField('ts', 'day').apply();
    assert.deepEqual(back.spec.fields, [SPEC2.fields[0], pf(3, 1000, 'ts_day', 'day')]);
    assert.equal(back.spec.specId, 3); // field order differs from spec 1, so it is a new spec
    assert.equal(back.lastPartitionId, 1001);
  });

  test('the reused id does not depend on the name', () => {
    const { spec, lastPartitionId } = updateSpec(SPEC2, SCHEMA, 1001, HISTORY).addField('ts', 'day', 'd').apply();
    assert.deepEqual(spec.fields.at(-1), pf(3, 1000, 'd', 'day'));
    assert.equal(lastPartitionId, 1001);
  });

  test('going back to an earlier spec exactly returns that spec', () => {
    const current: PartitionSpec = { specId: 2, fields: [] };
    const { spec } = updateSpec(current, SCHEMA, 1001, [UNPARTITIONED, SPEC1, current])
      .addField('ts', 'day')
      .addField('id', 'bucket[16]')
      .apply();
    assert.equal(spec, SPEC1);
  });

  test('a term never seen before gets a new id above lastPartitionId', () => {
    const { spec, lastPartitionId } = updateSpec(SPEC2, SCHEMA, 1001, HISTORY).addField('ts', 'hour').apply();
    assert.deepEqual(spec.fields.at(-1), pf(3, 1002, 'ts_hour', 'hour'));
    assert.equal(lastPartitionId, 1002);
  });

  test('stored transform text is compared in canonical form', () => {
    const odd: PartitionSpec = { specId: 1, fields: [pf(1, 1000, 'b', ' Bucket[16] ')] };
    const empty: PartitionSpec = { specId: 2, fields: [] };
    const { spec } = updateSpec(empty, SCHEMA, 1000, [odd, empty]).addField('id', 'bucket[16]', 'b').apply();
    assert.equal(spec, odd);
  });

  test('new spec id is one above the highest existing spec id', () => {
    const gap: PartitionSpec = { specId: 7, fields: [pf(4, 1005, 'category', 'identity')] };
    const { spec } = updateSpec(SPEC1, SCHEMA, 1005, [UNPARTITIONED, SPEC1, gap]).addField('data', 'identity').apply();
    assert.equal(spec.specId, 8);
    assert.deepEqual(spec.fields.at(-1), pf(2, 1006, 'data', 'identity'));
  });

  test('an update with no changes returns the current spec', () => {
    const { spec, lastPartitionId } = evolve().apply();
    assert.equal(spec, SPEC1);
    assert.equal(lastPartitionId, 1001);
  });

  test('refuses a lastPartitionId below an existing field id', () => {
    rejects(() => updateSpec(SPEC1, SCHEMA, 1000, SPECS), 'INVALID_PARTITION_SPEC');
  });

  test('the builder is immutable and never mutates its inputs', () => {
    const snapshot = JSON.stringify(SPECS);
    const base = evolve();
    const a = base.addField('category', 'identity');
    const b = base.removeField('ts_day');
    assert.equal(base.apply().spec, SPEC1);
    assert.equal(a.apply().spec.fields.length, 3);
    assert.equal(b.apply().spec.fields.length, 1);
    assert.equal(JSON.stringify(SPECS), snapshot);
  });
});

describe('specsStructurallyEqual', () => {
  test('ignores spec ids, notices ids, sources, transforms, names and order', () => {
    assert.ok(specsStructurallyEqual(SPEC1, { ...SPEC1, specId: 9 }));
    const change = (i: number, patch: Partial<PartitionField>) => ({
      specId: 1,
      fields: SPEC1.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)),
    });
    assert.ok(!specsStructurallyEqual(SPEC1, change(0, { fieldId: 1005 })));
    assert.ok(!specsStructurallyEqual(SPEC1, change(0, { sourceId: 11 })));
    assert.ok(!specsStructurallyEqual(SPEC1, change(0, { transform: 'hour' })));
    assert.ok(!specsStructurallyEqual(SPEC1, change(0, { name: 'x' })));
    assert.ok(!specsStructurallyEqual(SPEC1, { specId: 1, fields: [...SPEC1.fields].reverse() }));
  });
});
