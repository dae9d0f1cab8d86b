import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../core/index.ts';
import { Types, field, typeToString } from '../table/index.ts';
import { parseSchemaFile } from './schema-file.ts';

const show = (fields: ReturnType<typeof parseSchemaFile>) => fields.map((f) => `${f.id} ${f.name}${f.required ? '!' : ''}: ${typeToString(f.type)}`);

describe('parseSchemaFile', () => {
  test('a name → type object, with nested type text and "not null"', () => {
    const fields = parseSchemaFile('{"id": "long not null", "total": "decimal(12, 2)", "tags": "list<string>", "attrs": "map<string, int>", "geo": "struct<lat: double, lon: double>"}', 's.json');
    assert.deepEqual(show(fields), [
      '1 id!: long',
      '2 total: decimal(12, 2)',
      '3 tags: list<string>',
      '4 attrs: map<string, int>',
      '5 geo: struct<lat: double, lon: double>',
    ]);
    const geo = fields[4]?.type;
    assert.ok(geo?.kind === 'struct');
    assert.deepEqual(geo.fields.map((f) => f.id), [9, 10]); // nested ids after the top-level ones
  });

  test('a column list, and Iceberg schema JSON with its ids kept', () => {
    assert.deepEqual(show(parseSchemaFile('{"columns": [{"name": "a", "type": "timestamptz", "required": true}, {"name": "b", "type": "fixed[4]"}]}', 's.json')), ['1 a!: timestamptz', '2 b: fixed[4]']);
    const iceberg = parseSchemaFile('{"type": "struct", "schema-id": 3, "fields": [{"id": 7, "name": "x", "required": false, "type": "uuid"}]}', 's.json');
    assert.deepEqual(iceberg, [field(7, 'x', Types.uuid)]);
  });

  for (const [text, why] of [
    ['{nope', 'not JSON'],
    ['{"a": "lnog"}', 'unknown type'],
    ['{"a": "list<int"}', 'unclosed'],
    ['{"a": 5}', 'type not text'],
    ['[{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]', 'duplicate column'],
    ['"x"', 'wrong shape'],
  ] as const) {
    test(`refuses ${why} with INVALID_SCHEMA naming the file`, () => {
      assert.throws(() => parseSchemaFile(text, 'bad.json'), (e) => StrataError.is(e, 'INVALID_SCHEMA') && e.message.startsWith('bad.json'));
    });
  }
});
