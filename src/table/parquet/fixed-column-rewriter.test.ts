import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import { UNPARTITIONED } from '../partition/partition-spec.ts';
import { writeDataFiles } from './data-file-writer.ts';
import { rewriteFixedColumns } from './fixed-column-rewriter.ts';
import type { FixedLeaf } from './fixed-column-rewriter.ts';
import { ThriftStruct, decodeStruct, encodeStruct } from './thrift-compact.ts';
import { duckDbFixture } from '../testing/duckdb-fixture.ts';

const db = duckDbFixture('strata-fixed-rewrite-');

async function objects(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** Every row of a file as JSON text, in file order: a byte-exact picture of what DuckDB reads back. */
async function contents(path: string): Promise<string[]> {
  const rows = await objects(`SELECT to_json(t) AS j FROM read_parquet('${path}') AS t`);
  return rows.map((r) => String(r['j']));
}

async function columnTypes(path: string): Promise<Map<string, { type: unknown; length: unknown; fieldId: unknown }>> {
  const rows = await objects(`SELECT name, type, type_length, field_id FROM parquet_schema('${path}')`);
  return new Map(rows.map((r) => [String(r['name']), { type: r['type'], length: r['type_length'], fieldId: r['field_id'] }]));
}

/** Writes `select` with DuckDB, rewrites the fixed leaves in a copy and checks the copy reads back the same. */
async function roundTrip(name: string, select: string, options: string, fixed: readonly FixedLeaf[]): Promise<string> {
  const before = join(db.dir, `${name}-before.parquet`);
  const after = join(db.dir, `${name}.parquet`);
  await db.connection.run(`COPY (${select}) TO '${before}' (FORMAT parquet, COMPRESSION zstd, FIELD_IDS 'auto'${options})`);
  copyFileSync(before, after);
  const result = await rewriteFixedColumns(after, fixed);
  assert.equal(result.fileSizeInBytes, statSync(after).size);
  assert.deepEqual(await contents(after), await contents(before));
  const sizes = await objects(
    `SELECT path_in_schema AS p, sum(total_compressed_size)::BIGINT AS n FROM parquet_metadata('${after}') GROUP BY ALL`,
  );
  fixed.forEach((leaf, i) => {
    const row = sizes.find((r) => r['p'] === leaf.path.join(', '));
    assert.equal(String(result.columnSizes[i]), String(row?.['n']), `column size of ${leaf.path.join('.')}`);
  });
  return after;
}

function footer(path: string): ThriftStruct {
  const bytes = new Uint8Array(readFileSync(path));
  const length = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
  return decodeStruct(bytes.subarray(bytes.length - 8 - length, bytes.length - 8)).struct;
}

describe('rewriteFixedColumns', () => {
  test('top-level fixed[16] and fixed[3] with nulls become FIXED_LEN_BYTE_ARRAY with their field ids', async () => {
    const path = await roundTrip(
      'top',
      `SELECT i AS id,
              CASE WHEN i % 5 = 0 THEN NULL ELSE from_hex(md5(i::VARCHAR)) END AS h,
              CASE WHEN i % 7 = 0 THEN NULL ELSE from_hex(lpad(to_hex(i % 4096), 6, '0')) END AS f3,
              i::VARCHAR::BLOB AS other
       FROM range(1000) t(i)`,
      '',
      [{ path: ['h'], length: 16 }, { path: ['f3'], length: 3 }],
    );
    const types = await columnTypes(path);
    assert.deepEqual(types.get('h'), { type: 'FIXED_LEN_BYTE_ARRAY', length: '16', fieldId: '1' });
    assert.deepEqual(types.get('f3'), { type: 'FIXED_LEN_BYTE_ARRAY', length: '3', fieldId: '2' });
    assert.equal(types.get('other')?.type, 'BYTE_ARRAY');
    assert.equal(types.get('id')?.type, 'INT64');
    const meta = await objects(`SELECT path_in_schema AS p, compression AS c, stats_min_value AS lo FROM parquet_metadata('${path}')`);
    assert.equal(meta.find((r) => r['p'] === 'h')?.['c'], 'UNCOMPRESSED');
    assert.equal(meta.find((r) => r['p'] === 'id')?.['c'], 'ZSTD', 'untouched chunks keep their codec');
    assert.ok(meta.find((r) => r['p'] === 'f3')?.['lo'] !== null, 'statistics are kept');
    // Untouched footer structs keep their exact bytes: the chunk before the rewritten ones, and the
    // statistics of the one after them (only its offsets moved).
    const original = footer(join(db.dir, 'top-before.parquet'));
    const rewritten = footer(path);
    const chunk = (m: ThriftStruct, i: number): ThriftStruct => {
      const rg = m.list(4)?.items[0];
      assert.ok(rg instanceof ThriftStruct);
      const c = rg.list(1)?.items[i];
      assert.ok(c instanceof ThriftStruct);
      return c;
    };
    assert.deepEqual(encodeStruct(chunk(rewritten, 0)), encodeStruct(chunk(original, 0)), 'the first chunk is untouched');
    const stats = (m: ThriftStruct) => chunk(m, 3).struct(3)?.struct(12);
    assert.deepEqual(encodeStruct(stats(rewritten) ?? assert.fail()), encodeStruct(stats(original) ?? assert.fail()));
  });

  test('fixed leaves inside a struct and a list', async () => {
    const path = await roundTrip(
      'nested',
      `SELECT i AS id,
              CASE WHEN i % 11 = 0 THEN NULL ELSE {'k': CASE WHEN i % 3 = 0 THEN NULL ELSE from_hex(lpad(to_hex(i), 8, '0')) END, 'n': i} END AS st,
              CASE WHEN i % 13 = 0 THEN NULL WHEN i % 4 = 0 THEN [] ELSE [from_hex(lpad(to_hex(i), 4, '0')), NULL, from_hex('ffff')] END AS l
       FROM range(3000) t(i)`,
      '',
      [{ path: ['st', 'k'], length: 4 }, { path: ['l', 'list', 'element'], length: 2 }],
    );
    const types = await columnTypes(path);
    assert.equal(types.get('k')?.type, 'FIXED_LEN_BYTE_ARRAY');
    assert.equal(types.get('element')?.length, '2');
  });

  for (const version of ['V1', 'V2']) {
    test(`map keys and values, Parquet ${version} data pages`, async () => {
      // DuckDB's V2 writer picks DELTA_LENGTH_BYTE_ARRAY for many distinct blobs (refused); few distinct ones stay dictionary-encoded.
      const path = await roundTrip(
        `map-${version}`,
        `SELECT i AS id, CASE WHEN i % 9 = 0 THEN NULL ELSE MAP {from_hex(lpad(to_hex(i % 50), 4, '0')): CASE WHEN i % 2 = 0 THEN NULL ELSE from_hex('abcdef') END} END AS m
         FROM range(20000) t(i)`,
        `, PARQUET_VERSION ${version}`,
        [{ path: ['m', 'key_value', 'key'], length: 2 }, { path: ['m', 'key_value', 'value'], length: 3 }],
      );
      const types = await columnTypes(path);
      assert.deepEqual([types.get('key')?.type, types.get('value')?.length], ['FIXED_LEN_BYTE_ARRAY', '3']);
    });
  }

  test('many rows, dictionary and plain pages, several row groups', async () => {
    const select = `SELECT i AS id, from_hex(md5(i::VARCHAR)) AS uniq, from_hex(md5((i % 10)::VARCHAR)) AS few,
                           CASE WHEN i % 3 = 0 THEN NULL ELSE from_hex(md5((i % 3)::VARCHAR)) END AS few_nulls
                    FROM range(250000) t(i)`;
    const path = await roundTrip('many', select, ', ROW_GROUP_SIZE 100000', [
      { path: ['uniq'], length: 16 },
      { path: ['few'], length: 16 },
      { path: ['few_nulls'], length: 16 },
    ]);
    const meta = await objects(
      `SELECT row_group_id AS rg, path_in_schema AS p, encodings AS e FROM parquet_metadata('${path}') ORDER BY ALL`,
    );
    assert.equal(new Set(meta.map((r) => r['rg'])).size, 3, 'three row groups');
    assert.ok(meta.some((r) => r['p'] === 'uniq' && String(r['e']).includes('PLAIN') && !String(r['e']).includes('DICTIONARY')), 'plain pages');
    assert.ok(meta.some((r) => r['p'] === 'few' && String(r['e']).includes('DICTIONARY')), 'dictionary pages');
    const pages = await objects(`SELECT count(*) AS n FROM '${path}' WHERE lower(hex(few)) = md5('3')`);
    assert.equal(String(pages[0]?.['n']), '25000');
    const original = footer(join(db.dir, 'many-before.parquet'));
    const rewritten = footer(path);
    assert.equal(rewritten.long(3), original.long(3), 'num_rows unchanged');
  });

  test('refuses values of another length and leaves the file as it was', async () => {
    const path = join(db.dir, 'bad.parquet');
    await db.connection.run(`COPY (SELECT 'abc'::BLOB AS f UNION ALL SELECT 'abcd'::BLOB) TO '${path}' (FORMAT parquet, COMPRESSION zstd)`);
    const before = readFileSync(path);
    await assert.rejects(rewriteFixedColumns(path, [{ path: ['f'], length: 3 }]), (e: Error & { code?: string }) => e.code === 'WRITE_FAILED' && e.message.includes('f'));
    assert.deepEqual(readFileSync(path), before);
    await assert.rejects(rewriteFixedColumns(path, [{ path: ['nope'], length: 3 }]), { code: 'WRITE_FAILED' });
  });

  test('writeDataFiles writes fixed columns as FIXED_LEN_BYTE_ARRAY with sizes of the final file', async () => {
    const s = schema(0, [field(1, 'id', Types.long, true), field(2, 'h', Types.fixed(16)), field(3, 'l', Types.list(4, Types.fixed(2)))]);
    await db.connection.run(`CREATE OR REPLACE TABLE src_fixed AS
      SELECT i AS id, from_hex(md5(i::VARCHAR)) AS h, [from_hex('abcd')] AS l FROM range(2000) t(i)`);
    const [file, ...rest] = await writeDataFiles({ connection: db.connection, source: 'src_fixed', schema: s, spec: UNPARTITIONED, stagingDir: db.dir });
    assert.ok(file !== undefined && rest.length === 0);
    assert.equal(file.fileSizeInBytes, statSync(file.localPath).size);
    const types = await columnTypes(file.localPath);
    assert.deepEqual(types.get('h'), { type: 'FIXED_LEN_BYTE_ARRAY', length: '16', fieldId: '2' });
    assert.equal(types.get('element')?.type, 'FIXED_LEN_BYTE_ARRAY');
    const sizes = await objects(`SELECT path_in_schema AS p, total_compressed_size AS n FROM parquet_metadata('${file.localPath}')`);
    assert.equal(String(file.columnSizes.get(2)), String(sizes.find((r) => r['p'] === 'h')?.['n']));
    const back = await objects(`SELECT count(*) AS n FROM '${file.localPath}' AS f JOIN src_fixed USING (id) WHERE f.h = src_fixed.h AND f.l = src_fixed.l`);
    assert.equal(String(back[0]?.['n']), '2000');
  });
});
