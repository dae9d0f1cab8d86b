import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../catalog/index.ts';
import { StrataError } from '../core/index.ts';
import { Types, field } from '../table/index.ts';
import { ingest, type IngestOptions } from './index.ts';

let dir: string;
let home: StrataHome;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-ingest-'));
  home = await openStrataHome(join(dir, 'home'), { threads: 2 });
  await home.catalog.createNamespace(['land']);
});
after(async () => {
  await home.close();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh table name per test, so tests never see each other's ledgers. */
function table(): string {
  n += 1;
  return `land.t${n}`;
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, 'in', name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

function run(paths: string[], into: string, extra: Partial<IngestOptions> = {}) {
  return ingest({ catalog: home.catalog, lake: home.lake, runtime: home.runtime, paths, into, now: new Date('2024-05-01T12:00:00Z'), ...extra });
}

async function rows(name: string, orderBy = '_source_line'): Promise<Record<string, unknown>[]> {
  const t = await home.catalog.loadTable(name);
  const all = await t.read();
  return all.sort((a, b) => Number(a[orderBy]) - Number(b[orderBy]));
}

describe('ingest: good input in every format', () => {
  test('ndjson with an inferred schema lands in the raw zone, partitioned by ingest date, with lineage', async () => {
    const into = table();
    const path = await file(`${into}.ndjson`, [
      '{"id": 1, "name": "a", "price": 1.5, "ts": "2024-01-01T10:00:00Z", "day": "2024-01-01", "tags": ["x"], "addr": {"city": "Oslo"}}',
      '',
      '{"id": 9007199254740993, "name": "b", "price": 2, "ts": "2024-01-02T10:00:00+02:00", "day": "2024-01-02", "tags": [], "addr": {"city": null}}',
    ].join('\n'));
    const result = await run([path], into);
    assert.deepEqual([result.read, result.written, result.quarantined, result.failed], [2, 2, 0, false]);
    assert.equal(result.files[0]?.status, 'ingested');
    assert.ok(result.snapshotId !== undefined);
    const t = await home.catalog.loadTable(into);
    assert.match(t.metadata().location, /\/raw\//);
    assert.deepEqual(t.spec().fields.map((f) => f.name), ['_ingest_date']);
    const types = Object.fromEntries(t.schema().fields.map((f) => [f.name, f.type.kind]));
    assert.deepEqual(types, {
      id: 'long', name: 'string', price: 'double', ts: 'timestamptz', day: 'date', tags: 'list', addr: 'struct',
      _ingest_date: 'date', _source_file: 'string', _source_line: 'long',
    });
    const got = await rows(into);
    assert.equal(String(got[1]?.['id']), '9007199254740993'); // exact beyond 2^53
    assert.equal(got[0]?.['_source_file'], path);
    assert.deepEqual(got.map((r) => Number(r['_source_line'])), [1, 3]);
    assert.equal(got[0]?.['_ingest_date'], '2024-05-01');
    assert.deepEqual(got[0]?.['addr'], { city: 'Oslo' });
  });

  test('json: a top-level array, streamed element by element', async () => {
    const into = table();
    const path = await file(`${into}.json`, '[\n  {"a": 1, "b": "x"},\n  {"a": 2, "b": "y, [z]"}\n]\n');
    const result = await run([path], into);
    assert.deepEqual([result.read, result.written, result.quarantined], [2, 2, 0]);
    const got = await rows(into);
    assert.deepEqual(got.map((r) => [Number(r['a']), r['b'], Number(r['_source_line'])]), [[1, 'x', 2], [2, 'y, [z]', 3]]);
  });

  test('csv: header, RFC 4180 quoting (delimiters, quotes and line breaks in fields), typed inference', async () => {
    const into = table();
    const path = await file(`${into}.csv`, 'id,name,amount,when,zip\r\n1,"Smith, J",1.25,2024-01-01,007\r\n2,"say ""hi""\nthere",,2024-01-02,010\r\n');
    const result = await run([path], into);
    assert.deepEqual([result.read, result.written, result.quarantined], [2, 2, 0]);
    const t = await home.catalog.loadTable(into);
    assert.deepEqual(t.schema().fields.slice(0, 5).map((f) => `${f.name}:${f.type.kind}`), ['id:long', 'name:string', 'amount:double', 'when:date', 'zip:string']);
    const got = await rows(into);
    assert.equal(got[0]?.['name'], 'Smith, J');
    assert.equal(got[1]?.['name'], 'say "hi"\nthere');
    assert.equal(got[1]?.['amount'], null);
    assert.equal(got[0]?.['zip'], '007');
  });

  test('parquet: rows streamed from DuckDB', async () => {
    const into = table();
    const path = join(dir, 'in', `${into}.parquet`);
    await home.runtime.withConnection(async (c) => {
      await c.run(`COPY (SELECT i AS id, 'n' || i AS name, DATE '2024-01-01' + i::INTEGER AS d FROM range(1, 6) t(i)) TO '${path}' (FORMAT parquet)`);
    });
    const result = await run([path], into);
    assert.deepEqual([result.read, result.written, result.quarantined], [5, 5, 0]);
    const got = await rows(into);
    assert.deepEqual(got.map((r) => r['name']), ['n1', 'n2', 'n3', 'n4', 'n5']);
    assert.equal(got[0]?.['d'], '2024-01-02');
  });
});

describe('ingest: bad input is quarantined, never lost', () => {
  test('every kind of malformed record lands in quarantine with its reason, line, offset and raw text', async () => {
    const into = table();
    const schema = [
      field(1, 'id', Types.long, true),
      field(2, 'n', Types.int),
      field(3, 'd', Types.date),
      field(4, 'amt', Types.decimal(5, 2)),
    ];
    const lines = [
      '{"id": 1, "n": 5, "d": "2024-02-29", "amt": "12.5"}', // good
      '{"id": 2, "n": ', // unparseable
      '{"id": "abc"}', // type mismatch
      '{"id": 3, "n": 2147483648}', // out of int range
      '{"id": 4, "d": "2023-02-29"}', // invalid date
      '{"n": 1}', // missing required
      `{"id": 5, "pad": "${'x'.repeat(300)}"}`, // oversize (limit below)
      '[1, 2]', // not an object
      '{"id": 6, "extra": true}', // unknown field
      '{"id": 7, "amt": 1234.5}', // decimal overflow
    ];
    const bad = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0xff, 0x7d, 0x0a])]); // invalid UTF-8
    const path = await file(`${into}.ndjson`, bad);
    const result = await run([path], into, { schema, maxRecordBytes: 200 });
    assert.equal(result.read, 11);
    assert.equal(result.written, 1);
    assert.equal(result.quarantined, 10);
    assert.equal(result.read, result.written + result.quarantined);
    assert.equal(result.failed, false);
    assert.equal(result.quarantineTable, `${into}__quarantine`);
    const q = await rows(result.quarantineTable, 'line_number');
    assert.deepEqual(q.map((r) => [Number(r['line_number']), r['error_code']]), [
      [2, 'PARSE_ERROR'],
      [3, 'TYPE_MISMATCH'],
      [4, 'OUT_OF_RANGE'],
      [5, 'INVALID_DATE'],
      [6, 'MISSING_REQUIRED'],
      [7, 'OVERSIZE_RECORD'],
      [8, 'NOT_AN_OBJECT'],
      [9, 'UNKNOWN_FIELD'],
      [10, 'OUT_OF_RANGE'],
      [11, 'INVALID_UTF8'],
    ]);
    const byLine = new Map(q.map((r) => [Number(r['line_number']), r]));
    assert.equal(byLine.get(3)?.['raw_text'], '{"id": "abc"}');
    assert.match(String(byLine.get(3)?.['error_message']), /column id/);
    assert.equal(Number(byLine.get(2)?.['byte_offset']), Buffer.byteLength(lines[0] + '\n'));
    assert.equal(Number(byLine.get(7)?.['raw_length']), Buffer.byteLength(lines[6] ?? ''));
    assert.equal(byLine.get(7)?.['raw_truncated'], false); // kept whole: below the raw text cap
    assert.equal(Buffer.from(String(byLine.get(11)?.['raw_base64']), 'base64').at(-2), 0xff);
    for (const r of q) {
      assert.equal(r['source_file'], path);
      assert.equal(r['_ingest_date'], '2024-05-01');
    }
  });

  test('csv: wrong field counts, bad quotes and an unterminated quote are quarantined; good rows still land', async () => {
    const into = table();
    const path = await file(`${into}.csv`, 'a,b\n1,x\n2\n3,y,z\n4,ab"c\n5,"ok"\n6,"never closed\n');
    const result = await run([path], into);
    assert.deepEqual([result.read, result.written, result.quarantined], [6, 2, 4]);
    const q = await rows(result.quarantineTable, 'line_number');
    assert.deepEqual(q.map((r) => [Number(r['line_number']), r['error_code'], r['raw_text']]), [
      [3, 'CSV_FIELD_COUNT', '2'],
      [4, 'CSV_FIELD_COUNT', '3,y,z'],
      [5, 'CSV_BAD_QUOTE', '4,ab"c'],
      [7, 'CSV_UNTERMINATED_QUOTE', '6,"never closed\n'],
    ]);
  });

  test('oversize raw text above the cap is truncated with its length recorded', async () => {
    const into = table();
    const big = `{"s": "${'y'.repeat(5000)}"}`;
    const path = await file(`${into}.ndjson`, `{"s": "ok"}\n${big}\n`);
    const result = await run([path], into, { maxRecordBytes: 1000, rawTextCap: 100 });
    assert.deepEqual([result.written, result.quarantined], [1, 1]);
    const [q] = await rows(result.quarantineTable, 'line_number');
    assert.equal(String(q?.['raw_text']).length, 100);
    assert.equal(Number(q?.['raw_length']), big.length);
    assert.equal(q?.['raw_truncated'], true);
  });

  test('an all-bad file fails the run and still quarantines everything', async () => {
    const into = table();
    const path = await file(`${into}.ndjson`, 'nope\nstill nope\n');
    const result = await run([path], into);
    assert.deepEqual([result.read, result.written, result.quarantined, result.failed], [2, 0, 2, true]);
    assert.equal(await home.catalog.tableExists(into), false); // no schema could be inferred
    assert.equal((await rows(result.quarantineTable, 'line_number')).length, 2);
    const again = await run([path], into);
    assert.equal(again.files[0]?.status, 'skipped'); // the ledger lives in the quarantine table here
  });

  test('maxBadRatio fails the run when too many records are bad', async () => {
    const path = await file('ratio.ndjson', '{"a": 1}\n{"a": 2}\n{"a": "x"}\n');
    const schema = [field(1, 'a', Types.long)];
    const strict = await run([path], table(), { schema, maxBadRatio: 0.2 });
    assert.deepEqual([strict.written, strict.quarantined, strict.failed], [2, 1, true]);
    const lenient = await run([path], table(), { schema, maxBadRatio: 0.5 });
    assert.equal(lenient.failed, false);
    await assert.rejects(run([path], table(), { maxBadRatio: 2 }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });

  test('a corrupt parquet file is one FILE_UNREADABLE quarantine row; the other files still land', async () => {
    const into = table();
    const good = await file(`${into}/good.ndjson`, '{"a": 1}\n');
    const corrupt = await file(`${into}/bad.parquet`, 'PAR1 this is not parquet');
    const result = await run([join(dir, 'in', into)], into);
    const byPath = new Map(result.files.map((f) => [f.path, f]));
    assert.equal(byPath.get(corrupt)?.status, 'failed');
    assert.equal(byPath.get(good)?.status, 'ingested');
    assert.equal(result.written, 1);
    const [q] = await rows(result.quarantineTable, 'line_number');
    assert.equal(q?.['error_code'], 'FILE_UNREADABLE');
  });
});

describe('ingest: schema and dedupe', () => {
  test('an explicit schema is used (and enforced) for a new table; an existing table keeps its schema', async () => {
    const into = table();
    const path = await file(`${into}.ndjson`, '{"id": "7", "amount": "10.25", "at": "2024-03-01 08:00:00"}\n');
    const schema = [field(1, 'id', Types.int, true), field(2, 'amount', Types.decimal(10, 2)), field(3, 'at', Types.timestamp)];
    const result = await run([path], into, { schema });
    assert.deepEqual([result.written, result.quarantined], [1, 0]);
    const t = await home.catalog.loadTable(into);
    assert.deepEqual(t.schema().fields.slice(0, 3).map((f) => `${f.name}:${f.type.kind}:${f.required}`), ['id:int:true', 'amount:decimal:false', 'at:timestamp:false']);
    const [row] = await rows(into);
    assert.equal(row?.['id'], 7);
    assert.equal(String(row?.['amount']), '10.25');
    const second = await file(`${into}-2.ndjson`, '{"id": 8, "amount": 1}\n{"id": "x"}\n');
    const next = await run([second], into); // no schema: the table's own
    assert.deepEqual([next.written, next.quarantined], [1, 1]);
    await assert.rejects(run([second], into, { schema: [field(1, 'id', Types.string)], force: true }), (e) => StrataError.is(e, 'INVALID_SCHEMA'));
  });

  test('re-ingesting the same content is skipped (even under another name); force appends again', async () => {
    const into = table();
    const a = await file(`${into}-a.ndjson`, '{"k": 1}\n{"k": 2}\n');
    const b = await file(`${into}-b.ndjson`, '{"k": 1}\n{"k": 2}\n');
    const first = await run([a], into);
    assert.equal(first.written, 2);
    const renamed = await run([b], into);
    assert.equal(renamed.files[0]?.status, 'skipped');
    assert.match(renamed.files[0]?.reason ?? '', /already ingested/);
    assert.equal(renamed.written, 0);
    assert.equal(renamed.failed, false);
    assert.equal((await rows(into)).length, 2);
    const forced = await run([a], into, { force: true });
    assert.equal(forced.written, 2);
    assert.equal((await rows(into)).length, 4);
    const t = await home.catalog.loadTable(into);
    assert.deepEqual(t.snapshots().map((s) => s.summary.operation), ['append', 'append']);
  });

  test('a directory (recursive) and a glob select the files; duplicates in one run are skipped', async () => {
    const into = table();
    await file(`${into}/2024-01/a.ndjson`, '{"v": 1}\n');
    await file(`${into}/2024-01/deep/b.csv`, 'v\n2\n');
    await file(`${into}/2024-02/c.ndjson`, '{"v": 3}\n');
    await file(`${into}/2024-02/copy-of-c.ndjson`, '{"v": 3}\n');
    await file(`${into}/notes.txt`, 'not data');
    await file(`${into}/.hidden.ndjson`, '{"v": 99}\n');
    const viaGlob = await run([join(dir, 'in', into, '2024-0*', '**', '*.ndjson')], table());
    assert.deepEqual(viaGlob.files.map((f) => [f.path.split('/').slice(-2).join('/'), f.status]), [
      ['2024-01/a.ndjson', 'ingested'],
      ['2024-02/c.ndjson', 'ingested'],
      ['2024-02/copy-of-c.ndjson', 'skipped'],
    ].sort((x, y) => (x[0] ?? '').localeCompare(y[0] ?? '')));
    const viaDir = await run([join(dir, 'in', into)], into);
    assert.deepEqual(viaDir.files.map((f) => f.path.split('/').pop()).sort(), ['a.ndjson', 'b.csv', 'c.ndjson', 'copy-of-c.ndjson']);
    assert.equal(viaDir.written, 3);
    await assert.rejects(run([join(dir, 'in', 'missing.ndjson')], table()), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });

  test('progress is reported per file', async () => {
    const into = table();
    const path = await file(`${into}.ndjson`, '{"a": 1}\n{"a": 2}\n');
    const seen: { bytesRead: number; bytesTotal: number; rows: number }[] = [];
    await run([path], into, { onProgress: (p) => seen.push(p) });
    assert.ok(seen.length >= 1);
    const last = seen.at(-1);
    assert.equal(last?.rows, 2);
    assert.equal(last?.bytesRead, last?.bytesTotal);
  });
});

describe('ingest: numbers keep every digit', () => {
  test('19-digit CSV integers are inferred as long and stored exactly', async () => {
    const into = table();
    const path = await file(`${into}.csv`, 'id,v\n1700000000000000001,1\n1700000000000000003,2\n99999999999999999999,3\n');
    const result = await run([path], into);
    assert.equal(result.written, 3);
    const t = await home.catalog.loadTable(into);
    assert.equal(t.schema().fields.find((f) => f.name === 'id')?.type.kind, 'string', 'a value beyond 64 bits keeps the column as text');
    const exact = table();
    const exactPath = await file(`${exact}.csv`, 'id\n1700000000000000001\n1700000000000000003\n');
    await run([exactPath], exact);
    const t2 = await home.catalog.loadTable(exact);
    assert.equal(t2.schema().fields.find((f) => f.name === 'id')?.type.kind, 'long');
    assert.deepEqual((await rows(exact)).map((r) => r['id']), ['1700000000000000001', '1700000000000000003']);
  });

  test('an NDJSON number bound for a wide decimal column is not rounded through a double', async () => {
    const into = table();
    const path = await file(`${into}.ndjson`, '{"amt": 123456789012345.6789}\n{"amt": 0.1}\n');
    await run([path], into, { schema: [field(1, 'amt', Types.decimal(38, 4))] });
    assert.deepEqual((await rows(into)).map((r) => r['amt']), ['123456789012345.6789', '0.1000']);
  });
});
