import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../storage/index.ts';
import { Types, field } from '../../table/index.ts';
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
