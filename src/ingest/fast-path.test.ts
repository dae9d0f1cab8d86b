import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../catalog/index.ts';
import { Types, field, type NestedField } from '../table/index.ts';
import { tryFastPath } from './fast-path.ts';
import { ingest } from './index.ts';

const FIELDS: readonly NestedField[] = [
  field(1, 'id', Types.long, true),
  field(2, 'n', Types.int),
  field(3, 'ok', Types.boolean),
  field(4, 'x', Types.double),
  field(5, 'f', Types.float),
  field(6, 'name', Types.string),
  field(7, 'ts', Types.timestamptz),
];

let dir: string;
let home: StrataHome;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-fast-'));
  home = await openStrataHome(join(dir, 'home'), { threads: 2 });
  await home.catalog.createNamespace(['land']);
});
after(async () => {
  await home.close();
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, 'in', name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** Would the fast path take this file? Its check passed when it asks for the table (refused here, so nothing is written). */
async function fastTakes(path: string, format: 'ndjson' | 'csv'): Promise<boolean> {
  let asked = false;
  const size = (await stat(path)).size;
  const table = () => {
    asked = true;
    return Promise.reject(new Error('probe only'));
  };
  const probe = await tryFastPath({ runtime: home.runtime, path, format, size, fields: FIELDS, maxRecordBytes: 1 << 20, ingestDate: '2024-05-01' }, { table, tableExists: false });
  assert.equal(probe, undefined);
  return asked;
}

/** Run the fast path for real into `into` (an existing table: one guarded pass); undefined when it fell back. */
async function fastWrites(path: string, format: 'ndjson' | 'csv', into: string): Promise<number | undefined> {
  const size = (await stat(path)).size;
  const fast = await tryFastPath({ runtime: home.runtime, path, format, size, fields: FIELDS, maxRecordBytes: 1 << 20, ingestDate: '2024-05-01' }, { table: () => home.catalog.loadTable(into), tableExists: true });
  assert.ok(fast === undefined || fast.files.length > 0);
  return fast?.rows;
}

/** Ingest `path` twice, careful path and default (fast when possible); both results and tables. */
async function both(path: string, format: 'ndjson' | 'csv') {
  const out = [];
  for (const fastPath of [false, true]) {
    n += 1;
    const into = `land.t${n}`;
    const result = await ingest({ catalog: home.catalog, lake: home.lake, runtime: home.runtime, paths: [path], into, format, schema: FIELDS, fastPath, now: new Date('2024-05-01T12:00:00Z') });
    const data = (!(await home.catalog.tableExists(into)) ? [] : await (await home.catalog.loadTable(into)).read()).sort((a, b) => Number(a['_source_line']) - Number(b['_source_line']));
    const quarantine = (await home.catalog.tableExists(`${into}__quarantine`))
      ? (await (await home.catalog.loadTable(`${into}__quarantine`)).read())
          .map(({ ingest_run: _run, ...rest }) => rest)
          .sort((a, b) => Number(a['line_number']) - Number(b['line_number']))
      : [];
    out.push({ into, counts: [result.read, result.written, result.quarantined], data, quarantine });
  }
  const [slow, fast] = out;
  assert.ok(slow && fast);
  assert.deepEqual(fast.counts, slow.counts);
  assert.deepEqual(fast.data, slow.data);
  assert.deepEqual(fast.quarantine, slow.quarantine);
  return slow;
}

const GOOD_NDJSON = [
  '{"id": 1, "n": -2147483648, "ok": true, "x": 1.5, "f": 0.1, "name": "a", "ts": "2024-01-01T10:00:00Z"}',
  '',
  '   ',
  '{"id": 9223372036854775807, "n": null, "ok": false, "x": 1e300, "f": 3, "name": "é \\" \\n", "ts": "2024-02-29T23:59:59.123456Z"}\r',
  '{"id": -9007199254740993, "x": 0.30000000000000004, "name": "information; nano"}',
  '',
].join('\n');

describe('ingest fast path: same results as the careful path', () => {
  test('clean ndjson (blank lines, CRLF, nulls, extremes) takes the fast path and matches exactly', async () => {
    const path = await file('good.ndjson', GOOD_NDJSON);
    assert.equal(await fastTakes(path, 'ndjson'), true);
    const slow = await both(path, 'ndjson');
    assert.deepEqual(slow.counts, [3, 3, 0]);
    assert.deepEqual(slow.data.map((r) => Number(r['_source_line'])), [1, 4, 5]);
    assert.equal(await fastWrites(path, 'ndjson', slow.into), 3);
  });

  for (const [label, line] of [
    ['a string "12" for a long', '{"id": "12"}'],
    ['1.0 for an int', '{"id": 1, "n": 1.0}'],
    ['a fraction for an int', '{"id": 1, "n": 1.5}'],
    ['NaN', '{"id": 1, "x": NaN}'],
    ['a trailing comma', '{"id": 1,}'],
    ['an unknown field', '{"id": 1, "extra": 2}'],
    ['a duplicate key', '{"id": 1, "id": 2}'],
    ['a number for a string', '{"id": 1, "name": 5}'],
    ['an int out of range', '{"id": 1, "n": 2147483648}'],
    ['a long out of range', '{"id": 9223372036854775808}'],
    ['a missing required column', '{"n": 1}'],
    ['an invalid calendar day', '{"id": 1, "ts": "2023-02-29T00:00:00Z"}'],
    ['a timestamp with an offset', '{"id": 1, "ts": "2024-01-01T10:00:00+02:00"}'],
    ['a float out of range', '{"id": 1, "f": 1e39}'],
    ['an array line', '[1]'],
    ['broken JSON', '{"id": 1'],
  ] as const) {
    test(`ndjson with ${label} falls back to the careful path and matches it`, async () => {
      const path = await file(`bad-${label.replaceAll(/\W+/g, '-')}.ndjson`, `${GOOD_NDJSON}${line}\n`);
      assert.equal(await fastTakes(path, 'ndjson'), false);
      const slow = await both(path, 'ndjson');
      if (slow.data.length > 0) assert.equal(await fastWrites(path, 'ndjson', slow.into), undefined);
    });
  }

  test('clean csv (blank lines, empty cells as null, header order differs) takes the fast path and matches', async () => {
    const path = await file('good.csv', 'name, id ,n,ok,x,f,ts\n\na,1,-5,TRUE,1.5,.5,2024-01-01T10:00:00Z\n,2,,0,-1e3,,\n  b ,+3,007,false,1.,2,2024-12-31T23:59:59.5Z\n');
    assert.equal(await fastTakes(path, 'csv'), true);
    const slow = await both(path, 'csv');
    assert.deepEqual(slow.counts, [3, 3, 0]);
    assert.deepEqual(slow.data.map((r) => Number(r['_source_line'])), [3, 4, 5]);
    assert.equal(await fastWrites(path, 'csv', slow.into), 3);
  });

  for (const [label, content] of [
    ['a quoted newline', 'id,name\n1,"a\nb"\n2,c\n'],
    ['a short row', 'id,name\n1,a\n2\n'],
    ['text in a long column', 'id,name\n1,a\nx,b\n'],
    ['an unknown header column', 'id,other\n1,a\n'],
    ['a float with spaces', 'id,x\n1, 2\n'],
  ] as const) {
    test(`csv with ${label} falls back to the careful path and matches it`, async () => {
      const path = await file(`bad-${label.replaceAll(/\W+/g, '-')}.csv`, content);
      assert.equal(await fastTakes(path, 'csv'), false);
      const slow = await both(path, 'csv');
      if (slow.data.length > 0) assert.equal(await fastWrites(path, 'csv', slow.into), undefined);
    });
  }
});
