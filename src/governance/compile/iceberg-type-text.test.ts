import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { duckdbType, typeToString, Types } from '../../table/index.ts';
import { parseIcebergTypeText } from './iceberg-type-text.ts';

describe('parseIcebergTypeText', () => {
  test('reads back what typeToString writes', () => {
    const types = [
      Types.long,
      Types.timestamptz,
      Types.decimal(38, 10),
      Types.fixed(16),
      Types.list(3, Types.string),
      Types.map(4, Types.string, 5, Types.list(6, Types.decimal(10, 2))),
      Types.struct([
        { id: 7, name: 'a', required: false, type: Types.int },
        { id: 8, name: 'first name', required: true, type: Types.struct([{ id: 9, name: 'x', required: false, type: Types.date }]) },
      ]),
    ];
    for (const type of types) {
      const text = typeToString(type);
      assert.equal(typeToString(parseIcebergTypeText(text)), text);
      assert.equal(duckdbType(parseIcebergTypeText(text)), duckdbType(type));
    }
    assert.equal(duckdbType(parseIcebergTypeText('decimal(10,2)')), 'DECIMAL(10,2)');
  });

  test('refuses text that is not an Iceberg type', () => {
    for (const bad of ['varchar', 'decimal(10)', 'list<int', 'long extra', '']) {
      assert.throws(() => parseIcebergTypeText(bad), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'), bad);
    }
  });
});
