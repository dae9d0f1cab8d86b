import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UNPARTITIONED } from '../partition/partition-spec.ts';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import { readRelationSql } from './data-file-reader.ts';
import { writeDataFiles } from './data-file-writer.ts';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let dir: string;
let oldFile: string;
let newFile: string;

// Written under v1, read under v2: `name` renamed to `full_name`, `score` float → double,
// `qty` int → long, `price` decimal(5,2) → decimal(12,2), `added` new, `dropped` gone.
const v1 = schema(1, [
  field(1, 'id', Types.int, true),
  field(2, 'name', Types.string),
  field(3, 'score', Types.float),
  field(4, 'qty', Types.int),
  field(5, 'price', Types.decimal(5, 2)),
  field(6, 'dropped', Types.string),
  field(7, 'st', Types.struct([field(8, 'x', Types.int)])),
]);
const v2 = schema(2, [
  field(5, 'price', Types.decimal(12, 2)),
  field(1, 'id', Types.long, true),
  field(2, 'full_name', Types.string),
  field(3, 'score', Types.double),
  field(4, 'qty', Types.long),
  field(9, 'added', Types.string),
  field(7, 'st', Types.struct([field(8, 'x', Types.long), field(10, 'y', Types.string)])),
]);

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  dir = mkdtempSync(join(tmpdir(), 'strata-parquet-reader-'));
  // A hive-looking directory must not add a column.
  const staging = join(dir, 'region=eu');
  mkdirSync(staging);
  const [a] = await writeDataFiles({
    connection,
    source: `SELECT 1 AS id, 'ann' AS name, 1.5::FLOAT AS score, 7 AS qty, 12.34 AS price, 'gone' AS dropped, {'x': 3} AS st`,
    schema: v1,
    spec: UNPARTITIONED,
    stagingDir: staging,
  });
  const [b] = await writeDataFiles({
    connection,
    source: `SELECT 5000000000 AS price, 2 AS id, 'bob' AS full_name, 0.1::DOUBLE AS score, 9000000000 AS qty, 'new' AS added, {'x': 4, 'y': 'q'} AS st`,
    schema: v2,
    spec: UNPARTITIONED,
    stagingDir: dir,
  });
  oldFile = a?.localPath ?? '';
  newFile = b?.localPath ?? '';
});
after(() => {
  connection.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function read(sql: string) {
  const reader = await connection.runAndReadAll(sql);
  return { rows: reader.getRowObjects(), names: reader.columnNames(), types: reader.columnTypes().map((t) => t.toString()) };
}

describe('readRelationSql', () => {
  test('reads old files by field id after rename, type promotion, add and drop', async () => {
    const relation = readRelationSql({ files: [{ path: oldFile }, { path: newFile }], schema: v2 });
    const { rows, names, types } = await read(`SELECT * FROM (${relation}) ORDER BY id`);
    assert.deepEqual(names, ['price', 'id', 'full_name', 'score', 'qty', 'added', 'st']);
    assert.deepEqual(types, ['DECIMAL(12,2)', 'BIGINT', 'VARCHAR', 'DOUBLE', 'BIGINT', 'VARCHAR', 'STRUCT("x" BIGINT, "y" VARCHAR)']);
    assert.equal(rows.length, 2);
    const [old, fresh] = rows;
    assert.equal(old?.['id'], 1n);
    assert.equal(old?.['full_name'], 'ann');
    assert.equal(old?.['score'], 1.5);
    assert.equal(old?.['qty'], 7n);
    assert.equal(String(old?.['price']), '12.34');
    assert.equal(old?.['added'], null);
    assert.equal(String(old?.['st']), "{'x': 3, 'y': NULL}"); // nested field added later reads as NULL
    assert.equal(fresh?.['full_name'], 'bob');
    assert.equal(fresh?.['qty'], 9000000000n);
    assert.equal(String(fresh?.['price']), '5000000000.00');
  });

  test('filters on renamed columns see the renamed values', async () => {
    const relation = readRelationSql({ files: [{ path: oldFile }, { path: newFile }], schema: v2 });
    const { rows } = await read(`SELECT id FROM (${relation}) WHERE full_name = 'ann'`);
    assert.deepEqual(rows, [{ id: 1n }]);
  });

  test('adds _file and _pos metadata columns on request', async () => {
    const relation = readRelationSql({ files: [{ path: oldFile }, { path: newFile }], schema: v2, withFilePath: true, withRowPosition: true });
    const { rows, names } = await read(`SELECT id, _file, _pos FROM (${relation}) ORDER BY id`);
    assert.deepEqual(names, ['id', '_file', '_pos']);
    assert.deepEqual(rows, [
      { id: 1n, _file: oldFile, _pos: 0n },
      { id: 2n, _file: newFile, _pos: 0n },
    ]);
  });

  test('no files: zero rows with the schema columns and types', async () => {
    const relation = readRelationSql({ files: [], schema: v2, withFilePath: true });
    const { rows, names, types } = await read(`SELECT * FROM (${relation})`);
    assert.deepEqual(rows, []);
    assert.deepEqual(names, ['price', 'id', 'full_name', 'score', 'qty', 'added', 'st', '_file']);
    assert.deepEqual(types, ['DECIMAL(12,2)', 'BIGINT', 'VARCHAR', 'DOUBLE', 'BIGINT', 'VARCHAR', 'STRUCT("x" BIGINT, "y" VARCHAR)', 'VARCHAR']);
  });
});
