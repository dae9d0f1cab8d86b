import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Int64, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { decodeArrowBatch, formatDecimal } from './arrow-rows.ts';
import { StrataError } from '../../../core/errors.ts';

describe('formatDecimal', () => {
  const cases: Array<[bigint, number, string]> = [
    [1230n, 2, '12.30'],
    [-5n, 3, '-0.005'],
    [0n, 2, '0.00'],
    [123n, 0, '123'],
    [-123n, -2, '-12300'],
    [99999999999999999999999999999999999999n, 10, '9999999999999999999999999999.9999999999'],
  ];
  for (const [unscaled, scale, text] of cases) {
    test(`${unscaled} scale ${scale} → ${text}`, () => assert.equal(formatDecimal(unscaled, scale), text));
  }
});

describe('decodeArrowBatch', () => {
  test('reads columns and rows of an Arrow IPC stream', () => {
    const ipc = tableToIPC(
      new Table({ id: vectorFromArray([1n, 2n], new Int64()), name: vectorFromArray(['a', 'b'], new Utf8()) }),
      'stream',
    );
    const { columns, rows } = decodeArrowBatch(ipc);
    assert.deepEqual(columns, [
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'STRING' },
    ]);
    assert.deepEqual(rows, [
      [1n, 'a'],
      [2n, 'b'],
    ]);
  });

  test('refuses bytes that are not Arrow with CORRUPT_FILE', () => {
    assert.throws(() => decodeArrowBatch(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), (e: unknown) => StrataError.is(e, 'CORRUPT_FILE'));
  });
});
