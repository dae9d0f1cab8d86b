 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { findFieldByName, indexSchema, schema, type Schema } from './schema.ts';
import { schemasStructurallyEqual, updateSchema } from './schema-update.ts';
import { Types, field, type IcebergType } from './types.ts';

/**
 * id 1 id: long (required, identifier), 2 data: string, 3 location: struct<4 lat: double, 5 lon: double>,
 * 6 points: list<7 struct<8 x: int, 9 y: float>>, 10 props: map<11 string, 12 struct<13 v: decimal(9,2)>>,
 * 14 count: int, 15 score: float, 16 tags: list<17 int>.
 */
function table(): Schema {
  const s = schema(3, [
    field(1, 'id', Types.long, true),
    field(2, 'data', Types.string, false, 'payload'),
    field(3, 'location', Types.struct([field(4, 'lat', Types.double), field(5, 'lon', Types.double)])),
    field(6, 'points', Types.list(7, Types.struct([field(8, 'x', Types.int, true), field(9, 'y', Types.float)]), true)),
    field(10, 'props', Types.map(11, Types.string, 12, Types.struct([field(13, 'v', Types.decimal(9, 2))]), true)),
    field(14, 'count', Types.int),
    field(15, 'score', Types.float),
    field(16, 'tags', Types.list(17, Types.int)),
  ]);
  return { ...s, identifierFieldIds: [1] };
}
const LAST = 17;

function names(s: Schema, parent?: string): string[] {
  if (parent === undefined) return s.fields.map((f) => f.name);
  const t = findFieldByName(s, parent)?.field.type;
  assert.ok(t?.kind === 'struct', `${parent} is a struct`);
  return t.fields.map((f) => f.name);
}

function rejects(fn: () => unknown, code: string, messagePart?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (messagePart) assert.match(e.message, messagePart);
    return true;
  });
}

describe('updateSchema: addColumn', () => {
  test('adds an optional top-level column at the end with the next id', () => {
    const { schema: s, lastColumnId } = updateSchema(table(), LAST).addColumn('ts', Types.timestamptz, { doc: 'when' }).apply();
    assert.equal(lastColumnId, 18);
    assert.equal(s.schemaId, 4);
    const added = s.fields.at(-1);
    assert.deepEqual(added, { id: 18, name: 'ts', required: false, type: Types.timestamptz, doc: 'when' });
    assert.deepEqual(s.identifierFieldIds, [1]);
  });

  test('adds inside a struct, by dotted path or by components', () => {
    const a = updateSchema(table(), LAST).addColumn('location.alt', Types.double).apply().schema;
    const b = updateSchema(table(), LAST).addColumn(['location', 'alt'], Types.double).apply().schema;
    assert.deepEqual(names(a, 'location'), ['lat', 'lon', 'alt']);
    assert.equal(findFieldByName(a, 'location.alt')?.field.id, 18);
    assert.ok(schemasStructurallyEqual(a, b));
  });

  test('adds inside a list element struct and a map value struct', () => {
    const s = updateSchema(table(), LAST)
      .addColumn('points.element.z', Types.int)
      .addColumn('props.value.w', Types.string)
      .apply().schema;
    assert.equal(findFieldByName(s, 'points.element.z')?.field.id, 18);
    assert.equal(findFieldByName(s, 'props.value.w')?.field.id, 19);
  });

  test('shorthand: adding under a list/map column goes into its element/value struct', () => {
    const s = updateSchema(table(), LAST).addColumn('points.z', Types.int).apply().schema;
    assert.equal(findFieldByName(s, 'points.element.z')?.field.id, 18);
  });

  test('re-assigns every id inside a nested type, struct fields first then their children', () => {
    const withUnassignedIds: IcebergType = Types.struct([
      field(0, 'a', Types.list(0, Types.struct([field(0, 'p', Types.int)]))),
      field(0, 'b', Types.map(0, Types.string, 0, Types.list(0, Types.long))),
      field(0, 'c', Types.int),
    ]);
    const { schema: s, lastColumnId } = updateSchema(table(), LAST).addColumn('nested', withUnassignedIds).apply();
    const ids = (name: string) => findFieldByName(s, name)?.field.id;
    assert.equal(ids('nested'), 18);
    assert.deepEqual([ids('nested.a'), ids('nested.b'), ids('nested.c')], [19, 20, 21]);
    assert.equal(ids('nested.a.element'), 22);
    assert.equal(ids('nested.a.element.p'), 23);
    assert.deepEqual([ids('nested.b.key'), ids('nested.b.value'), ids('nested.b.value.element')], [24, 25, 26]);
    assert.equal(lastColumnId, 26);
    assert.equal(indexSchema(s).size, 17 + 9); // all ids unique
  });

  test('ids continue from lastColumnId, not from the highest id still in the schema', () => {
    const s = updateSchema(table(), 40).addColumn('x', Types.int).apply();
    assert.equal(findFieldByName(s.schema, 'x')?.field.id, 41);
    assert.equal(s.lastColumnId, 41);
  });

  test('places the column first, after or before a sibling', () => {
    const s = updateSchema(table(), LAST)
      .addColumn('a', Types.int, { first: true })
      .addColumn('b', Types.int, { after: 'id' })
      .addColumn('c', Types.int, { before: 'tags' })
      .addColumn('location.alt', Types.double, { before: 'lon' })
      .addColumn('location.z', Types.double, { after: 'location.lat' })
      .apply().schema;
    assert.deepEqual(names(s), ['a', 'id', 'b', 'data', 'location', 'points', 'props', 'count', 'score', 'c', 'tags']);
    assert.deepEqual(names(s, 'location'), ['lat', 'z', 'alt', 'lon']);
  });

  test('refuses a required column unless incompatible changes are allowed', () => {
    rejects(() => updateSchema(table(), LAST).addColumn('r', Types.int, { required: true }), 'INVALID_SCHEMA', /existing data/);
    const s = updateSchema(table(), LAST).allowIncompatibleChanges().addColumn('r', Types.int, { required: true }).apply().schema;
    assert.equal(findFieldByName(s, 'r')?.field.required, true);
  });

  test('refuses duplicate names, at top level, in structs, inside the new type, case-insensitively when asked', () => {
    rejects(() => updateSchema(table(), LAST).addColumn('data', Types.int), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).addColumn('location.lat', Types.int), 'INVALID_SCHEMA');
    rejects(
      () => updateSchema(table(), LAST).addColumn('s', Types.struct([field(0, 'q', Types.int), field(0, 'q', Types.long)])),
      'INVALID_SCHEMA',
    );
    rejects(() => updateSchema(table(), LAST).addColumn('x', Types.int).addColumn('x', Types.long), 'INVALID_SCHEMA');
    // case-sensitive by default: DATA is a different name
    assert.ok(findFieldByName(updateSchema(table(), LAST).addColumn('DATA', Types.int).apply().schema, 'DATA'));
    rejects(() => updateSchema(table(), LAST, { caseSensitive: false }).addColumn('DATA', Types.int), 'INVALID_SCHEMA');
  });

  test('refuses an unknown or non-struct parent, a bad placement, and an empty name', () => {
    rejects(() => updateSchema(table(), LAST).addColumn('locaton.alt', Types.int), 'INVALID_ARGUMENT', /location/);
    rejects(() => updateSchema(table(), LAST).addColumn('data.x', Types.int), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).addColumn('tags.x', Types.int), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).addColumn('location.alt', Types.int, { after: 'id' }), 'INVALID_SCHEMA', /same struct/);
    rejects(() => updateSchema(table(), LAST).addColumn('x', Types.int, { after: 'nope' }), 'INVALID_ARGUMENT');
    rejects(() => updateSchema(table(), LAST).addColumn('x', Types.int, { first: true, after: 'id' }), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).addColumn('', Types.int), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).addColumn('location.', Types.int), 'INVALID_SCHEMA');
  });

  test('an array path can name a column that contains a dot', () => {
    const s = updateSchema(table(), LAST).addColumn(['a.b'], Types.int).apply().schema;
    assert.equal(s.fields.at(-1)?.name, 'a.b');
    const renamed = updateSchema(s, 18).renameColumn(['a.b'], 'ab').apply().schema;
    assert.equal(renamed.fields.at(-1)?.name, 'ab');
  });
});

describe('updateSchema: renameColumn', () => {
  test('renames top-level and nested columns, keeping ids', () => {
    const s = updateSchema(table(), LAST).renameColumn('data', 'payload').renameColumn('location.lat', 'latitude').apply().schema;
    assert.equal(findFieldByName(s, 'payload')?.field.id, 2);
    assert.equal(findFieldByName(s, 'location.latitude')?.field.id, 4);
    assert.equal(findFieldByName(s, 'data'), undefined);
  });

  test('renaming a struct changes the paths of its children', () => {
    const s = updateSchema(table(), LAST).renameColumn('location', 'loc').apply().schema;
    assert.equal(findFieldByName(s, 'loc.lat')?.field.id, 4);
  });

  test('refuses collisions, list elements, unknown columns and empty names', () => {
    rejects(() => updateSchema(table(), LAST).renameColumn('data', 'count'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).renameColumn('location.lat', 'lon'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST, { caseSensitive: false }).renameColumn('data', 'COUNT'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).renameColumn('points.element', 'item'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).renameColumn('dta', 'x'), 'INVALID_ARGUMENT', /did you mean "data"/);
    rejects(() => updateSchema(table(), LAST).renameColumn('data', ' '), 'INVALID_SCHEMA');
  });

  test('renaming to its own name (or a new case of it) is allowed', () => {
    const s = updateSchema(table(), LAST, { caseSensitive: false }).renameColumn('data', 'Data').apply().schema;
    assert.equal(s.fields[1]?.name, 'Data');
  });
});

describe('updateSchema: deleteColumn', () => {
  test('deletes a column; ids are never reused', () => {
    const { schema: s, lastColumnId } = updateSchema(table(), LAST).deleteColumn('count').addColumn('count', Types.long).apply();
    assert.equal(findFieldByName(s, 'count')?.field.id, 18);
    assert.equal(lastColumnId, 18);
    assert.equal(indexSchema(s).has(14), false);
  });

  test('deleting a struct deletes its children', () => {
    const s = updateSchema(table(), LAST).deleteColumn('location').apply().schema;
    const ids = indexSchema(s);
    assert.equal(ids.has(3) || ids.has(4) || ids.has(5), false);
  });

  test('deletes a nested column', () => {
    const s = updateSchema(table(), LAST).deleteColumn('points.element.y').apply().schema;
    assert.deepEqual(names(s, 'points.element'), ['x']);
  });

  test('refuses identifier fields, list elements and unknown columns', () => {
    rejects(() => updateSchema(table(), LAST).deleteColumn('id'), 'INVALID_SCHEMA', /identifier/);
    rejects(() => updateSchema(table(), LAST).deleteColumn('tags.element'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).deleteColumn('props.key'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).deleteColumn('nope'), 'INVALID_ARGUMENT');
  });

  test('refuses a struct that holds an identifier field', () => {
    const s: Schema = { ...schema(0, [field(1, 'k', Types.struct([field(2, 'a', Types.int, true)]), true)]), identifierFieldIds: [2] };
    rejects(() => updateSchema(s, 2).deleteColumn('k'), 'INVALID_SCHEMA', /identifier/);
  });
});

describe('updateSchema: updateColumnType', () => {
  const allowed: Array<[string, IcebergType, IcebergType]> = [
    ['count', Types.int, Types.long],
    ['score', Types.float, Types.double],
    ['props.value.v', Types.decimal(9, 2), Types.decimal(18, 2)],
    ['tags.element', Types.int, Types.long],
    ['points.element.x', Types.int, Types.long],
  ];
  for (const [column, from, to] of allowed) {
    test(`promotes ${column} ${JSON.stringify(from)} → ${JSON.stringify(to)}`, () => {
      const before = findFieldByName(table(), column);
      assert.deepEqual(before?.field.type, from);
      const s = updateSchema(table(), LAST).updateColumnType(column, to as never).apply().schema;
      const after = findFieldByName(s, column);
      assert.deepEqual(after?.field.type, to);
      assert.equal(after?.field.id, before?.field.id);
      assert.equal(after?.field.required, before?.field.required);
    });
  }

  const refused: Array<[string, IcebergType]> = [
    ['id', Types.int], // narrowing
    ['count', Types.string],
    ['count', Types.double],
    ['score', Types.long],
    ['data', Types.binary],
    ['props.value.v', Types.decimal(9, 3)], // scale change
    ['props.value.v', Types.decimal(8, 2)], // narrowing precision
    ['props.value.v', Types.decimal(39, 2)], // beyond max precision
    ['location', Types.string], // nested → primitive
    ['count', Types.struct([]) as never],
  ];
  for (const [column, to] of refused) {
    test(`refuses ${column} → ${JSON.stringify(to)}, naming the allowed promotions`, () => {
      rejects(() => updateSchema(table(), LAST).updateColumnType(column, to as never), 'INVALID_SCHEMA', /int → long/);
    });
  }

  test('the same type is a no-op', () => {
    const s = updateSchema(table(), LAST).updateColumnType('count', Types.int).apply().schema;
    assert.ok(schemasStructurallyEqual(s, table()));
  });
});

describe('updateSchema: optional, doc', () => {
  test('makes required columns optional, including list elements and map values', () => {
    const s = updateSchema(table(), LAST)
      .makeColumnOptional('points.element.x')
      .makeColumnOptional('points.element')
      .makeColumnOptional('props.value')
      .apply().schema;
    assert.equal(findFieldByName(s, 'points.element.x')?.field.required, false);
    const points = findFieldByName(s, 'points')?.field.type;
    assert.ok(points?.kind === 'list' && !points.elementRequired);
    const props = findFieldByName(s, 'props')?.field.type;
    assert.ok(props?.kind === 'map' && !props.valueRequired);
  });

  test('refuses identifier fields and map keys', () => {
    rejects(() => updateSchema(table(), LAST).makeColumnOptional('id'), 'INVALID_SCHEMA', /identifier/);
    rejects(() => updateSchema(table(), LAST).makeColumnOptional('props.key'), 'INVALID_SCHEMA');
  });

  test('updates docs, refusing list elements', () => {
    const s = updateSchema(table(), LAST).updateColumnDoc('data', 'raw bytes').updateColumnDoc('location.lat', 'degrees').apply().schema;
    assert.equal(findFieldByName(s, 'data')?.field.doc, 'raw bytes');
    assert.equal(findFieldByName(s, 'location.lat')?.field.doc, 'degrees');
    rejects(() => updateSchema(table(), LAST).updateColumnDoc('tags.element', 'x'), 'INVALID_SCHEMA');
  });
});

describe('updateSchema: reorder', () => {
  test('moveFirst, moveBefore, moveAfter at top level', () => {
    const s = updateSchema(table(), LAST).moveFirst('tags').moveAfter('id', 'score').moveBefore('data', 'location').apply().schema;
    assert.deepEqual(names(s), ['tags', 'data', 'location', 'points', 'props', 'count', 'score', 'id']);
  });

  test('moves within a nested struct', () => {
    const s = updateSchema(table(), LAST).moveFirst('location.lon').apply().schema;
    assert.deepEqual(names(s, 'location'), ['lon', 'lat']);
    const t = updateSchema(table(), LAST).moveAfter('points.element.x', 'points.element.y').apply().schema;
    assert.deepEqual(names(t, 'points.element'), ['y', 'x']);
  });

  test('refuses moves across structs, relative to itself, and of list elements', () => {
    rejects(() => updateSchema(table(), LAST).moveBefore('location.lat', 'id'), 'INVALID_SCHEMA', /same struct/);
    rejects(() => updateSchema(table(), LAST).moveAfter('id', 'location.lat'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).moveAfter('id', 'id'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).moveFirst('tags.element'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).moveFirst('nope'), 'INVALID_ARGUMENT');
  });
});

describe('updateSchema: composition and conflicts', () => {
  test('add a struct, fill it, move it', () => {
    const s = updateSchema(table(), LAST)
      .addColumn('extra', Types.struct([]))
      .addColumn('extra.a', Types.int)
      .addColumn('extra.b', Types.int, { first: true })
      .moveFirst('extra')
      .apply().schema;
    assert.equal(s.fields[0]?.name, 'extra');
    assert.deepEqual(names(s, 'extra'), ['b', 'a']);
    assert.deepEqual([18, 19, 20], ['extra', 'extra.a', 'extra.b'].map((n) => findFieldByName(s, n)?.field.id));
  });

  test('rename then move, by new name or by original name', () => {
    const byNew = updateSchema(table(), LAST).renameColumn('count', 'n').moveFirst('n').apply().schema;
    const byOld = updateSchema(table(), LAST).renameColumn('count', 'n').moveFirst('count').apply().schema;
    assert.equal(byNew.fields[0]?.id, 14);
    assert.equal(byNew.fields[0]?.name, 'n');
    assert.ok(schemasStructurallyEqual(byNew, byOld));
  });

  test('rename, retype, document and make optional one column', () => {
    const s = updateSchema(table(), LAST)
      .renameColumn('count', 'total')
      .updateColumnType('total', Types.long)
      .updateColumnDoc('total', 'sum')
      .apply().schema;
    assert.deepEqual(findFieldByName(s, 'total')?.field, { id: 14, name: 'total', required: false, type: Types.long, doc: 'sum' });
  });

  test('swapping two names through a temporary name works', () => {
    const s = updateSchema(table(), LAST).renameColumn('count', 'tmp').renameColumn('score', 'count').renameColumn('tmp', 'score').apply().schema;
    assert.equal(findFieldByName(s, 'count')?.field.id, 15);
    assert.equal(findFieldByName(s, 'score')?.field.id, 14);
  });

  test('refuses any change to a column deleted in the same update', () => {
    const deleted = updateSchema(table(), LAST).deleteColumn('data');
    rejects(() => deleted.renameColumn('data', 'x'), 'INVALID_SCHEMA', /deleted/);
    rejects(() => deleted.updateColumnDoc('data', 'x'), 'INVALID_SCHEMA');
    rejects(() => deleted.moveFirst('data'), 'INVALID_SCHEMA');
    rejects(() => deleted.deleteColumn('data'), 'INVALID_SCHEMA');
    const struct = updateSchema(table(), LAST).deleteColumn('location');
    rejects(() => struct.renameColumn('location.lat', 'x'), 'INVALID_SCHEMA', /deleted/);
    rejects(() => struct.addColumn('location.alt', Types.int), 'INVALID_SCHEMA', /deleted/);
  });

  test('refuses deleting a column that was changed earlier in the update', () => {
    rejects(() => updateSchema(table(), LAST).renameColumn('data', 'd').deleteColumn('d'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).renameColumn('data', 'd').deleteColumn('data'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).addColumn('x', Types.int).deleteColumn('x'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).addColumn('location.alt', Types.int).deleteColumn('location'), 'INVALID_SCHEMA');
    rejects(() => updateSchema(table(), LAST).updateColumnType('count', Types.long).deleteColumn('count'), 'INVALID_SCHEMA');
  });

  test('a deleted name can be re-added as a new column with a new id', () => {
    const s = updateSchema(table(), LAST).deleteColumn('data').addColumn('data', Types.binary).moveAfter('data', 'id').apply().schema;
    assert.deepEqual(s.fields[1], { id: 18, name: 'data', required: false, type: Types.binary });
  });

  test('the builder is immutable: branches do not see each other, failures change nothing', () => {
    const base = updateSchema(table(), LAST);
    const a = base.addColumn('a', Types.int);
    const b = base.addColumn('b', Types.int);
    assert.equal(findFieldByName(a.apply().schema, 'b'), undefined);
    assert.equal(findFieldByName(b.apply().schema, 'b')?.field.id, 18);
    assert.throws(() => a.addColumn('data', Types.int));
    assert.equal(a.apply().schema.fields.length, 9);
    assert.ok(schemasStructurallyEqual(base.apply().schema, table()));
  });

  test('never mutates the input schema', () => {
    const input = table();
    const snapshot = JSON.stringify(input);
    updateSchema(input, LAST).addColumn('location.alt', Types.int).renameColumn('points.element.x', 'xx').deleteColumn('tags').apply();
    assert.equal(JSON.stringify(input), snapshot);
  });
});

describe('updateSchema: apply and setup', () => {
  test('schema id is current + 1 unless overridden', () => {
    assert.equal(updateSchema(table(), LAST).apply().schema.schemaId, 4);
    assert.equal(updateSchema(table(), LAST).apply({ schemaId: 1 }).schema.schemaId, 1);
  });

  test('refuses a lastColumnId below the schema\'s highest id', () => {
    rejects(() => updateSchema(table(), 10), 'INVALID_SCHEMA');
  });

  test('case-insensitive lookups', () => {
    const s = updateSchema(table(), LAST, { caseSensitive: false }).renameColumn('LOCATION.LAT', 'latitude').apply().schema;
    assert.equal(findFieldByName(s, 'location.latitude')?.field.id, 4);
    rejects(() => updateSchema(table(), LAST).renameColumn('LOCATION.LAT', 'x'), 'INVALID_ARGUMENT', /location\.lat/);
  });
});

describe('schemasStructurallyEqual', () => {
  test('ignores schemaId; notices names, ids, types, required flags, docs, order, identifiers', () => {
    const t = table();
    assert.ok(schemasStructurallyEqual(t, { ...t, schemaId: 99 }));
    const u = (f: (x: ReturnType<typeof updateSchema>) => ReturnType<typeof updateSchema>) => f(updateSchema(t, LAST)).apply().schema;
    assert.ok(!schemasStructurallyEqual(t, u((x) => x.renameColumn('location.lat', 'la'))));
    assert.ok(!schemasStructurallyEqual(t, u((x) => x.updateColumnType('tags.element', Types.long))));
    assert.ok(!schemasStructurallyEqual(t, u((x) => x.makeColumnOptional('points.element'))));
    assert.ok(!schemasStructurallyEqual(t, u((x) => x.updateColumnDoc('data', 'other'))));
    assert.ok(!schemasStructurallyEqual(t, u((x) => x.moveFirst('location.lon'))));
    assert.ok(!schemasStructurallyEqual(t, { ...t, identifierFieldIds: [1, 14] }));
    const reId = schema(3, t.fields.map((f) => (f.id === 14 ? { ...f, id: 18 } : f)));
    assert.ok(!schemasStructurallyEqual(t, { ...reId, identifierFieldIds: [1] }));
  });
});

