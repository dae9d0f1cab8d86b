import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ThriftStruct, ThriftType, decodeStruct, encodeStruct } from './thrift-compact.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-thrift-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function footerOf(bytes: Uint8Array): Uint8Array {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
  return bytes.subarray(bytes.length - 8 - length, bytes.length - 8);
}

describe('thrift compact codec', () => {
  test('DuckDB footers and page headers re-encode to identical bytes', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const path = join(dir, 'all.parquet');
      await connection.run(`COPY (
          SELECT i AS id, i::VARCHAR AS s, (i % 3 = 0) AS flag, i / 7 AS d, [i, NULL] AS l, MAP {'k': i} AS m,
                 {'a': i::DECIMAL(30, 2), 'b': uuid()} AS st, '\\x01\\x02'::BLOB AS b
          FROM range(5000) t(i)
        ) TO '${path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048, FIELD_IDS 'auto')`);
      const bytes = new Uint8Array(readFileSync(path));
      const footer = footerOf(bytes);
      const { struct, end } = decodeStruct(footer);
      assert.equal(end, footer.length);
      assert.deepEqual(encodeStruct(struct), footer);
      assert.equal(struct.list(4)?.items.length, 3, 'three row groups');
      const page = decodeStruct(bytes, 4);
      assert.deepEqual(encodeStruct(page.struct), bytes.subarray(4, page.end));
      assert.equal(page.struct.int(1), 0, 'first page is a v1 data page');
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  test('every wire type, long field ids, long lists and edits round-trip', () => {
    const inner = new ThriftStruct([{ id: 1, type: ThriftType.BINARY, value: new TextEncoder().encode('x') }]);
    const s = new ThriftStruct([
      { id: 1, type: ThriftType.BOOL, value: true },
      { id: 2, type: ThriftType.BOOL, value: false },
      { id: 3, type: ThriftType.I8, value: 200 },
      { id: 4, type: ThriftType.I16, value: -300 },
      { id: 5, type: ThriftType.I32, value: -(2 ** 31) },
      { id: 6, type: ThriftType.I64, value: -(2n ** 63n) },
      { id: 7, type: ThriftType.DOUBLE, value: 1.5 },
      { id: 40, type: ThriftType.LIST, value: { kind: 'list', elementType: ThriftType.I64, items: Array.from({ length: 20 }, (_, i) => BigInt(i) * 1000000000000n) } },
      { id: 41, type: ThriftType.LIST, value: { kind: 'list', elementType: 1, items: [1, 2, 1] } },
      { id: 42, type: ThriftType.MAP, value: { kind: 'map', keyType: ThriftType.I32, valueType: ThriftType.STRUCT, entries: [[7, inner]] } },
      { id: 43, type: ThriftType.MAP, value: { kind: 'map', keyType: 0, valueType: 0, entries: [] } },
      { id: 44, type: ThriftType.STRUCT, value: inner },
    ]);
    const bytes = encodeStruct(s);
    const back = decodeStruct(bytes).struct;
    assert.deepEqual(back, s);
    assert.deepEqual(encodeStruct(back), bytes);
    back.set(6, ThriftType.I64, 5n);
    back.set(8, ThriftType.I32, 9);
    back.delete(1);
    const edited = decodeStruct(encodeStruct(back)).struct;
    assert.equal(edited.long(6), 5n);
    assert.equal(edited.int(8), 9);
    assert.equal(edited.has(1), false);
    assert.deepEqual(edited.fields.map((f) => f.id), [2, 3, 4, 5, 6, 7, 8, 40, 41, 42, 43, 44]);
  });

  test('truncated input is refused as a corrupt file', () => {
    const bytes = encodeStruct(new ThriftStruct([{ id: 1, type: ThriftType.BINARY, value: new Uint8Array(10) }]));
    assert.throws(() => decodeStruct(bytes.subarray(0, 5)), { code: 'CORRUPT_FILE' });
  });
});
