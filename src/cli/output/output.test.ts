import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../../core/index.ts';
import { DuckDbRuntime } from '../../table/index.ts';
import { renderCsv, renderJsonLines, renderRows, renderTable, rowStreamOf, stringSink, writeParquet, type RowStream } from './index.ts';

function batches(columns: RowStream['columns'], ...groups: unknown[][][]): RowStream {
  return {
    columns,
    rows: (async function* () {
      for (const group of groups) yield group;
    })(),
  };
}

describe('table renderer', () => {
  test('aligns columns, right-aligns numbers, shows NULL and counts rows', async () => {
    const sink = stringSink();
    const count = await renderTable(
      rowStreamOf(
        [{ name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(12,2)' }],
        [
          [1n, 'ada', '12.50'],
          [1000n, null, '3.00'],
        ],
      ),
      sink,
    );
    assert.equal(count, 2);
    assert.equal(
      sink.text(),
      ['   id | name | amount', '------+------+--------', '    1 | ada  |  12.50', ' 1000 | NULL |   3.00', '(2 rows)', ''].join('\n'),
    );
  });

  test('widths come from the first batch; later and overlong cells are truncated with …', async () => {
    const sink = stringSink();
    await renderTable(batches([{ name: 'k' }, { name: 'v' }], [['a', 'x'.repeat(50)]], [['longer-than-first', 'y']]), sink, { maxCellWidth: 10 });
    const lines = sink.text().split('\n');
    assert.equal(lines[2], ' a | xxxxxxxxx…');
    assert.equal(lines[3], ' … | y');
    assert.equal(lines[4], '(2 rows)');
  });

  test('numbers align right by value when the type is unknown; newlines are escaped', async () => {
    const sink = stringSink();
    await renderTable(rowStreamOf([{ name: 'n' }, { name: 's' }], [[5, 'a\nb'], [123, 'c']]), sink);
    assert.deepEqual(sink.text().split('\n').slice(2, 4), ['   5 | a\\nb', ' 123 | c']);
  });

  test('an empty result still prints the header', async () => {
    const sink = stringSink();
    await renderTable(rowStreamOf([{ name: 'database' }], []), sink);
    assert.equal(sink.text(), ' database\n----------\n(0 rows)\n');
  });
});

describe('CSV renderer (RFC 4180)', () => {
  test('quotes commas, quotes and line breaks; NULL is empty, "" is an empty string; CRLF lines', async () => {
    const sink = stringSink();
    await renderCsv(
      rowStreamOf([{ name: 'a' }, { name: 'b,c' }], [
        ['plain', 'has,comma'],
        ['say "hi"', 'two\nlines'],
        [null, ''],
        [12345678901234567890n, new Uint8Array([0xca, 0xfe])],
      ]),
      sink,
    );
    assert.equal(sink.text(), 'a,"b,c"\r\nplain,"has,comma"\r\n"say ""hi""","two\nlines"\r\n,""\r\n12345678901234567890,cafe\r\n');
  });
});

describe('JSON lines renderer', () => {
  test('writes one object per row; bigints are exact JSON numbers; nested values stay JSON', async () => {
    const sink = stringSink();
    await renderJsonLines(
      rowStreamOf([{ name: 'id' }, { name: 'tags' }, { name: 'id' }], [[9007199254740993n, ['a', 'b'], null], [1n, { k: 2n }, 'x']]),
      sink,
    );
    const lines = sink.text().trimEnd().split('\n');
    assert.equal(lines[0], '{"id":9007199254740993,"tags":["a","b"],"id_1":null}');
    assert.deepEqual(parseJson(lines[0] ?? ''), { id: 9007199254740993n, tags: ['a', 'b'], id_1: null });
    assert.equal(lines[1], '{"id":1,"tags":{"k":2},"id_1":"x"}');
  });
});

describe('Parquet writer', () => {
  test('writes typed columns through DuckDB, including big longs, decimals, binary and nulls', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-parquet-'));
    const runtime = await DuckDbRuntime.create({ tempDirectory: join(dir, 'tmp') });
    try {
      const output = join(dir, 'out', 'result.parquet');
      const stream = batches(
        [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'DECIMAL(12,2)' }, { name: 'raw', type: 'BLOB' }, { name: 'tags', type: 'VARCHAR[]' }],
        [[9007199254740993n, '12.50', new Uint8Array([104, 105]), ['a']]],
        [[2n, null, null, null]],
      );
      assert.equal(await writeParquet(stream, { runtime, output }), 2);
      const rows = await runtime.withConnection(async (c) =>
        (await c.runAndReadAll(`SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, raw::VARCHAR AS raw, typeof(amount) AS t, tags FROM '${output}' ORDER BY id DESC`)).getRowObjectsJson(),
      );
      assert.deepEqual(rows, [
        { id: '9007199254740993', amount: '12.50', raw: 'hi', t: 'DECIMAL(12,2)', tags: ['a'] },
        { id: '2', amount: null, raw: null, t: 'DECIMAL(12,2)', tags: null },
      ]);
    } finally {
      runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('renderRows refuses parquet without --output', async () => {
    await assert.rejects(renderRows(rowStreamOf([{ name: 'a' }], []), { format: 'parquet', sink: stringSink() }), { code: 'INVALID_ARGUMENT' });
  });
});
