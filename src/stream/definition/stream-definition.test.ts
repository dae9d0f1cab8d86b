import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCompatibility } from './stream-compatibility.ts';
import { defineStream } from './define-stream.ts';
import { loadStreamFile } from './load-stream-file.ts';
import { parseStreamYaml } from './stream-yaml.ts';
import { streamVersion } from './stream-version.ts';

const YAML = `
stream: clicks_per_minute
source:
  kind: kafka
  brokers: [127.0.0.1:9092]
  topic: clicks
  group: strata-clicks
  starting_offsets: { specific: { "0": 42 } }
  columns:
    event_id: string not null
    page: string not null
    user_id: long
    ts: timestamptz not null
  event_time: { column: ts, max_lateness: 30s }
  max_records_per_batch: 5000
transforms:
  - sql: SELECT c.*, u.country FROM input AS c LEFT JOIN curated.users AS u USING (user_id)
  - dedup: { keys: [event_id] }
  - window:
      tumbling: 1m
      group_by: [page, country]
      aggregates: { clicks: count(*), top_user: max(user_id) }
sink:
  table: processed.clicks_per_minute
  partition_by: [day(window_start)]
trigger: 5s
state: { memory: 64MiB, snapshot_every: 5 }
alerts: { webhook: "http://127.0.0.1:9/hook", max_backlog_records: 100000 }
`;

test('YAML: a realistic stream with defaults filled in', () => {
  const d = parseStreamYaml(YAML, 'clicks.stream.yaml');
  assert.equal(d.name, 'clicks_per_minute');
  assert.equal(d.source.kind, 'kafka');
  assert.deepEqual(d.source.kind === 'kafka' ? d.source.startingOffsets : undefined, { specific: { '0': 42 } });
  assert.deepEqual(d.source.columns.map((c) => `${c.name}:${c.type.kind}:${c.required}`), ['event_id:string:true', 'page:string:true', 'user_id:long:false', 'ts:timestamptz:true']);
  assert.deepEqual(d.source.eventTime, { column: 'ts', maxLatenessMs: 30_000 });
  assert.equal(d.transforms.length, 3);
  const window = d.transforms[2];
  assert.ok(window?.kind === 'window');
  assert.deepEqual(window.window, { type: 'tumbling', sizeMs: 60_000 });
  assert.equal(window.timeColumn, 'ts');
  assert.deepEqual(window.aggregates, [{ name: 'clicks', fn: 'count' }, { name: 'top_user', fn: 'max', column: 'user_id' }]);
  assert.deepEqual(d.sink, { table: 'processed.clicks_per_minute', mode: 'append', keys: ['window_start', 'window_end', 'page', 'country'], partitionBy: ['day(window_start)'] });
  assert.equal(d.deadLetterTable, 'processed.clicks_per_minute_dead_letter');
  assert.deepEqual(d.trigger, { kind: 'interval', intervalMs: 5_000 });
  assert.equal(d.state.memoryBytes, 64 * 1024 * 1024);
  assert.equal(d.alerts?.maxBacklogRecords, 100_000);
  assert.equal(streamVersion(d), streamVersion(parseStreamYaml(YAML)), 'the version is stable');
});

test('invalid definitions are refused with STREAM_INVALID naming the problem', () => {
  const base = { name: 's', source: { kind: 'http' as const, columns: { id: 'long', ts: 'timestamptz' }, eventTime: { column: 'ts', maxLateness: '1s' } }, sink: { table: 'out.s' } };
  const cases: [Parameters<typeof defineStream>[0], RegExp][] = [
    [{ ...base, name: 'Bad-Name' }, /name must match/],
    [{ ...base, sink: { table: 'nodb' } }, /db\.table/],
    [{ ...base, transforms: [{ window: { tumbling: '1m', aggregates: { n: 'count(*)' } } }], outputMode: 'update' }, /upsert/],
    [{ ...base, transforms: [{ window: { session: { gap: '1m' } }, aggregates: { n: 'count(*)' } } as never], outputMode: 'append' }, /aggregates/],
    [{ ...base, transforms: [{ window: { tumbling: '1m', aggregates: { n: 'sum(*)' } } }] }, /only count/],
    [{ ...base, transforms: [{ window: { tumbling: 'soon', aggregates: { n: 'count(*)' } } }] }, /not a duration/],
    [{ ...base, source: { ...base.source, eventTime: { column: 'id' } } }, /timestamp/],
    [{ ...base, source: { kind: 'kafka', columns: { id: 'long' }, topic: 't', group: 'g' } }, /brokers/],
    [{ ...base, source: { kind: 'directory', columns: { id: 'long' }, path: 'relative/dir' } }, /absolute/],
    [{ ...base, transforms: [{ window: { session: { gap: '10s' }, aggregates: { n: 'count(*)' } } }], outputMode: 'update', sink: { table: 'out.s', mode: 'upsert' } }, /session windows need output_mode: append/],
  ];
  for (const [input, message] of cases) assert.throws(() => defineStream(input), { code: 'STREAM_INVALID', message }, String(message));
});

test('YAML syntax errors point at the line', () => {
  assert.throws(() => parseStreamYaml('stream: s\nsource: [unclosed\n', 'x.yaml'), { code: 'STREAM_INVALID', message: /^x\.yaml:\d+:\d+/ });
});

test('compatibility: stateless changes keep state; stateful ones do not; a new topic or sink starts over', () => {
  const running = parseStreamYaml(YAML);
  const edit = (from: string, to: string) => parseStreamYaml(YAML.replace(from, to));
  const sqlChange = checkCompatibility(running, edit('LEFT JOIN', 'JOIN'));
  assert.equal(sqlChange.stateReusable, true);
  assert.deepEqual(sqlChange.changes.map((c) => c.path), ['transforms[0].sql']);
  const windowChange = checkCompatibility(running, edit('tumbling: 1m', 'tumbling: 5m'));
  assert.equal(windowChange.stateReusable, false);
  assert.equal(windowChange.offsetsReusable, true);
  const groupChange = checkCompatibility(running, edit('group_by: [page, country]', 'group_by: [page]'));
  assert.equal(groupChange.stateReusable, false);
  const topicChange = checkCompatibility(running, edit('topic: clicks', 'topic: clicks_v2'));
  assert.equal(topicChange.offsetsReusable, false);
  assert.equal(checkCompatibility(running, edit('trigger: 5s', 'trigger: 1s')).stateReusable, true);
  assert.equal(checkCompatibility(running, edit('max_lateness: 30s', 'max_lateness: 1m')).stateReusable, true);
  assert.deepEqual(checkCompatibility(running, running).changes, []);
});

test('stream files: YAML with sql_file, and a module exporting defineStream()', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-stream-file-'));
  try {
    await writeFile(join(dir, 'clean.sql'), 'SELECT * FROM input WHERE id > 0');
    await writeFile(join(dir, 's.stream.yaml'), 'stream: s\nsource: { kind: http, columns: { id: long } }\ntransforms: [{ sql_file: clean.sql }]\nsink: { table: out.s }\n');
    const yaml = await loadStreamFile(join(dir, 's.stream.yaml'));
    assert.deepEqual(yaml.transforms, [{ kind: 'sql', sql: 'SELECT * FROM input WHERE id > 0' }]);
    const moduleUrl = new URL('./define-stream.ts', import.meta.url).href;
    await writeFile(join(dir, 's.stream.mjs'), `import { defineStream } from ${JSON.stringify(moduleUrl)};\nexport default defineStream({ name: 'm', source: { kind: 'http', columns: { id: 'long' } }, sink: { table: 'out.m' } });\n`);
    assert.equal((await loadStreamFile(join(dir, 's.stream.mjs'))).name, 'm');
    await assert.rejects(loadStreamFile(join(dir, 'missing.yaml')), { code: 'STREAM_NOT_FOUND' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
