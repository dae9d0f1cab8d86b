import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import avro from 'avsc';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../storage/index.ts';
import { Types, field } from '../../table/index.ts';
import { recordDecoder } from '../format/index.ts';
import type { DirectorySourceDefinition, HttpSourceDefinition, SourceRecord, StreamSource } from '../model/index.ts';
import { openDirectorySource } from './directory-source.ts';
import { HttpIngestLog } from './http-ingest-log.ts';
import { ingestRequest, openHttpSource } from './http-source.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-source-'));
  dirs.push(dir);
  return dir;
}
async function readAll(source: StreamSource, from: Record<string, number>, to: Record<string, number>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const chunk of source.read(from, to)) out.push(...chunk);
  return out;
}
const text = (records: SourceRecord[]): string[] => records.map((r) => new TextDecoder().decode(r.payload));
const columns = [field(1, 'id', Types.long)];

test('directory: new files in discovery order, whole files per batch, the same records on a re-read and after reopening', async () => {
  const watched = await temp();
  const area = new LocalObjectStore(await temp());
  const definition: DirectorySourceDefinition = { kind: 'directory', path: watched, pattern: '*.ndjson', columns, format: { kind: 'json' }, maxRecordsPerBatch: 3 };
  await writeFile(join(watched, 'a.ndjson'), '{"id":1}\n{"id":2}\n');
  await writeFile(join(watched, 'ignored.csv'), 'id\n1\n');
  await writeFile(join(watched, '.hidden.ndjson'), '{"id":9}\n');
  const source = await openDirectorySource(definition, { stream: 's', store: area });
  const first = await source.latestOffsets(await source.initialOffsets(), 3);
  assert.deepEqual(first, { files: 1 });
  // A file written under a temporary name and renamed in appears whole.
  await writeFile(join(watched, 'b.ndjson.tmp'), '{"id":3}\n\n{"id":4}\n');
  await rename(join(watched, 'b.ndjson.tmp'), join(watched, 'b.ndjson'));
  await writeFile(join(watched, 'c.ndjson'), '{"id":5}\n');
  assert.equal(await source.backlog(first), 3);
  const second = await source.latestOffsets(first, 3);
  assert.deepEqual(second, { files: 3 }, 'b (2 records) and c (1 record) fit in 3');
  const records = await readAll(source, first, second);
  assert.deepEqual(text(records), ['{"id":3}', '{"id":4}', '{"id":5}']);
  assert.deepEqual(records.map((r) => r.position), ['b.ndjson:1', 'b.ndjson:3', 'c.ndjson:1']);
  const reopened = await openDirectorySource(definition, { stream: 's', store: area });
  assert.deepEqual(text(await readAll(reopened, first, second)), text(records));
  assert.deepEqual(text(await readAll(reopened, { files: 0 }, first)), ['{"id":1}', '{"id":2}']);
  await rm(join(watched, 'a.ndjson'));
  await assert.rejects(readAll(reopened, { files: 0 }, first), { code: 'OBJECT_NOT_FOUND' });
});

test('http: segments are durable and numbered without gaps across writers; 413, 400 and 429 with Retry-After', async () => {
  const area = new LocalObjectStore(await temp());
  const definition: HttpSourceDefinition = { kind: 'http', columns, format: { kind: 'json' }, maxRecordsPerBatch: 4, maxBacklogRecords: 10, maxRequestBytes: 200 };
  const one = new HttpIngestLog(area);
  const two = new HttpIngestLog(area);
  const bodies = Array.from({ length: 6 }, (_, i) => new TextEncoder().encode(`{"id":${i}}\n`));
  const replies = await Promise.all(bodies.map((b, i) => ingestRequest(i % 2 === 0 ? one : two, definition, b)));
  assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  assert.deepEqual(replies.map((r) => r.body['segment']).sort(), [0, 1, 2, 3, 4, 5], 'every body got its own segment');
  assert.equal((await ingestRequest(one, definition, new Uint8Array(201))).status, 413);
  assert.equal((await ingestRequest(one, definition, new Uint8Array())).status, 400);
  await ingestRequest(one, definition, new TextEncoder().encode('{"id":6}\n{"id":7}\nnot json\n{"id":9}\n'));
  const busy = await ingestRequest(one, definition, new TextEncoder().encode('{"id":10}\n'));
  assert.equal(busy.status, 429, 'the backlog (10 records) reached max_backlog_records');
  assert.equal(busy.retryAfterSeconds, 1);

  const source = await openHttpSource(definition, { stream: 's', store: area });
  const start = await source.initialOffsets();
  const end = await source.latestOffsets(start, 4);
  assert.deepEqual(end, { segments: 4 });
  const records = await readAll(source, start, end);
  assert.equal(records.length, 4);
  assert.deepEqual(text(await readAll(source, start, end)), text(records), 'a re-read gives the same records');
  await source.committed(end);
  assert.equal(await one.backlog(), 6, 'committed segments no longer count');
  assert.equal((await ingestRequest(two, definition, new TextEncoder().encode('{"id":10}\n'))).status, 200);
  const rest = await source.latestOffsets(end, 100);
  assert.deepEqual(text(await readAll(source, end, rest)).slice(-5), ['{"id":6}', '{"id":7}', 'not json', '{"id":9}', '{"id":10}']);
});

test('directory: Avro container files (deflate, an evolved writer schema); damaged files fail discovery without a place in the log', async () => {
  const watched = await temp();
  const area = new LocalObjectStore(await temp());
  const schema = { type: 'record', name: 'Click', fields: [{ name: 'id', type: 'long' }] };
  const writerSchema = { type: 'record', name: 'Click', fields: [{ name: 'id', type: 'long' }, { name: 'page', type: 'string' }] };
  const writeAvro = async (name: string, writer: Record<string, unknown>, values: unknown[]): Promise<void> => {
    const encoder = avro.createFileEncoder(join(watched, `${name}.tmp`), writer as avro.Schema, { codec: 'deflate' } as never);
    await new Promise<void>((resolve, reject) => {
      encoder.on('error', reject);
      (encoder as unknown as { on(e: string, f: () => void): void }).on('finish', () => setTimeout(resolve, 50));
      for (const v of values) encoder.write(v);
      encoder.end();
    });
    await rename(join(watched, `${name}.tmp`), join(watched, name));
  };
  await writeAvro('a.avro', schema, [{ id: 1 }, { id: 2 }]);
  await writeAvro('b.avro', writerSchema, [{ id: 3, page: '/x' }]);
  const definition: DirectorySourceDefinition = { kind: 'directory', path: watched, pattern: '*.avro', columns, format: { kind: 'avro', schema }, maxRecordsPerBatch: 10 };
  const source = await openDirectorySource(definition, { stream: 's', store: area });
  const end = await source.latestOffsets({ files: 0 }, 10);
  assert.deepEqual(end, { files: 2 });
  const records = await readAll(source, { files: 0 }, end);
  const decode = recordDecoder(definition.format, columns);
  assert.deepEqual(records.map((r) => decode(r)), [{ row: { id: 1n } }, { row: { id: 2n } }, { row: { id: 3n } }]);
  assert.deepEqual(records.map((r) => r.position).sort(), ['a.avro#0', 'a.avro#1', 'b.avro#0']);

  await writeFile(join(watched, 'c.avro'), 'not avro at all');
  await assert.rejects(source.latestOffsets(end, 10), (error: Error & { code?: string }) => error.code === 'CORRUPT_FILE' && /c\.avro/.test(error.message));
  await rm(join(watched, 'c.avro'));
  await writeAvro('d.avro', schema, [{ id: 4 }]);
  assert.deepEqual(await source.latestOffsets(end, 10), { files: 3 }, 'the damaged file never got a number');
});

test('directory: runners discovering at once agree on one order; at least one file per batch; a file that changed fails the read', async () => {
  const watched = await temp();
  const area = new LocalObjectStore(await temp());
  const definition: DirectorySourceDefinition = { kind: 'directory', path: watched, pattern: '*', columns, format: { kind: 'json' }, maxRecordsPerBatch: 2 };
  for (let i = 0; i < 8; i++) await writeFile(join(watched, `f${i}.ndjson`), Array.from({ length: i + 1 }, (_, j) => `{"id":${i * 100 + j}}`).join('\n'));
  const runners = await Promise.all([0, 1, 2].map(() => openDirectorySource(definition, { stream: 's', store: area })));
  const ends = await Promise.all(runners.map((r) => r.latestOffsets({ files: 0 }, 1_000)));
  assert.deepEqual(ends, [{ files: 8 }, { files: 8 }, { files: 8 }]);
  const reads = await Promise.all(runners.map((r) => readAll(r, { files: 0 }, { files: 8 })));
  assert.equal(reads[0]?.length, 36, 'every file exactly once');
  assert.deepEqual(text(reads[1] ?? []), text(reads[0] ?? []));
  assert.deepEqual(text(reads[2] ?? []), text(reads[0] ?? []));
  const fresh = await openDirectorySource(definition, { stream: 's', store: area });
  assert.deepEqual(await fresh.latestOffsets({ files: 3 }, 2), { files: 4 }, 'a file bigger than the cap still makes a batch');
  assert.equal(await fresh.backlog({ files: 6 }), 15);
  const name = (reads[0]?.[0]?.position ?? '').split(':')[0] ?? '';
  await appendFile(join(watched, name), '\n{"id":-1}\n');
  await assert.rejects(readAll(fresh, { files: 0 }, { files: 1 }), { code: 'CORRUPT_FILE' });
});

test('http: concurrent appends through two logs on one store lose nothing; consumed segments are kept until committed', async () => {
  const area = new LocalObjectStore(await temp());
  const definition: HttpSourceDefinition = { kind: 'http', columns, format: { kind: 'json' }, maxRecordsPerBatch: 5, maxBacklogRecords: 1_000, maxRequestBytes: 1 << 20 };
  const logs = [new HttpIngestLog(area, { consumedRetentionMs: 0 }), new HttpIngestLog(area, { consumedRetentionMs: 0 })];
  const sent = Array.from({ length: 40 }, (_, i) => `{"id":${i}}\n{"id":${i + 1000}}\n`);
  const replies = await Promise.all(sent.map((body, i) => ingestRequest(logs[i % 2] as HttpIngestLog, definition, new TextEncoder().encode(body))));
  assert.deepEqual(replies.map((r) => r.body['segment']).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 40 }, (_, i) => i));
  assert.equal((await ingestRequest(logs[0] as HttpIngestLog, definition, new TextEncoder().encode('\n  \n'))).status, 400);

  const source = await openHttpSource(definition, { stream: 's', store: area });
  const first = await source.latestOffsets({ segments: 0 }, 5);
  assert.deepEqual(first, { segments: 2 }, 'whole segments up to 5 records');
  const once = await readAll(source, { segments: 0 }, first);
  const again = await readAll(source, { segments: 0 }, first);
  assert.deepEqual(again, once, 'a re-read gives the same payloads, positions and timestamps');
  assert.deepEqual(once.map((r) => r.position), ['http/0:1', 'http/0:2', 'http/1:1', 'http/1:2']);
  const all = await readAll(source, { segments: 0 }, { segments: 40 });
  assert.deepEqual(text(all).sort(), sent.flatMap((b) => b.trim().split('\n')).sort());
  await source.committed({ segments: 39 });
  assert.equal(await logs[1]?.committed(), 39);
  await logs[0]?.markCommitted(39); // the source's own log keeps consumed segments 10 minutes
  const left = [];
  for await (const info of area.list('segments/')) left.push(info.key);
  assert.deepEqual(left, ['segments/000000000038.ndjson', 'segments/000000000039.ndjson'], 'the uncommitted segment stays; the last consumed one keeps the numbering');
  assert.equal(await logs[1]?.backlog(), 2);
  const next = await logs[0]?.append(new TextEncoder().encode('{"id":7}'));
  assert.equal(next?.segment, 40);
});
