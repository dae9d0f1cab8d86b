/**
 * Stream features on a watched directory: a stream–table join that sees the table's newest
 * snapshot at each batch, an upsert sink that rewrites only the partitions a batch touches, and
 * webhook alerts when the stream falls behind and catches up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Types, field } from '../../src/table/index.ts';
import { StreamRunner, StreamService, defineStream, streamArea, type StreamDefinition } from '../../src/stream/index.ts';
import { homeFixture, type HomeFixture } from './stream-fixture.ts';
import { drain as drainStream } from './stream-fixture.ts';

describe('stream features', () => {
  let fixture: HomeFixture;
  let inbox: string;
  let files = 0;

  before(async () => {
    fixture = await homeFixture();
    inbox = join(fixture.dir, 'inbox');
    await mkdir(inbox);
    await fixture.home.catalog.createNamespace(['curated'], { zone: 'curated' });
    const users = await fixture.home.catalog.createTable('curated.users', [field(1, 'user_id', Types.long, true), field(2, 'country', Types.string)]);
    await users.append({ rows: [{ user_id: 1n, country: 'NL' }, { user_id: 2n, country: 'FR' }] });
  });
  after(async () => {
    await fixture?.close();
  });

  async function drop(lines: unknown[]): Promise<void> {
    const name = `f${String(files++).padStart(4, '0')}.ndjson`;
    await writeFile(join(inbox, `.${name}.tmp`), lines.map((l) => JSON.stringify(l)).join('\n'));
    await rename(join(inbox, `.${name}.tmp`), join(inbox, name));
  }

  const drain = (definition: StreamDefinition): Promise<void> => drainStream(fixture.home, definition);

  test('a stream–table join reads the table as it is at each batch', async () => {
    const definition = defineStream({
      name: 'enriched',
      source: { kind: 'directory', path: inbox, pattern: 'f*.ndjson', columns: { user_id: 'long not null', amount: 'long' } },
      transforms: [{ sql: 'SELECT o.user_id, o.amount, u.country FROM input AS o LEFT JOIN curated.users AS u USING (user_id)' }],
      sink: { table: 'out.enriched' },
    });
    await drop([{ user_id: 1, amount: 10 }, { user_id: 3, amount: 5 }]);
    await drain(definition);
    const users = await fixture.home.catalog.loadTable('curated.users');
    await users.append({ rows: [{ user_id: 3n, country: 'DE' }] });
    await drop([{ user_id: 3, amount: 7 }]);
    await drain(definition);
    const rows = (await fixture.rows('out.enriched', 'amount')).map((r) => `${String(r['user_id'])} ${String(r['amount'])} ${String(r['country'])}`);
    assert.deepEqual(rows, ['1 10 NL', '3 5 null', '3 7 DE'], 'user 3 had no country at the first batch and DE at the second');
  });

  test('an upsert sink replaces rows by key and rewrites only the partitions a batch touches', async () => {
    const definition = defineStream({
      name: 'balances',
      source: { kind: 'directory', path: inbox, pattern: 'f*.ndjson', columns: { account: 'string not null', day: 'date not null', balance: 'long' } },
      sink: { table: 'out.balances', mode: 'upsert', keys: ['account', 'day'], partitionBy: ['day'] },
    });
    files = 100; // the directory keeps earlier files; this stream's pattern sees them too, with nulls → dead letters
    await drop([{ account: 'a', day: '2026-01-01', balance: 1 }, { account: 'b', day: '2026-01-01', balance: 2 }, { account: 'a', day: '2026-01-02', balance: 3 }]);
    await drain(definition);
    const table = await fixture.home.catalog.loadTable('out.balances');
    const filesBefore = new Set((await table.scan().planFiles()).tasks.filter((t) => t.file.filePath.includes('2026-01-01')).map((t) => t.file.filePath));
    await drop([{ account: 'a', day: '2026-01-02', balance: 30 }, { account: 'a', day: '2026-01-02', balance: 31 }, { account: 'c', day: '2026-01-02', balance: 4 }]);
    await drain(definition);
    const rows = (await fixture.rows('out.balances', 'day,account')).map((r) => `${String(r['day'])} ${String(r['account'])} ${String(r['balance'])}`);
    assert.deepEqual(rows, ['2026-01-01 a 1', '2026-01-01 b 2', '2026-01-02 a 31', '2026-01-02 c 4'], 'the last row of a key in a batch wins');
    await table.refresh();
    const filesAfter = new Set((await table.scan().planFiles()).tasks.filter((t) => t.file.filePath.includes('2026-01-01')).map((t) => t.file.filePath));
    assert.ok(filesBefore.size > 0);
    assert.deepEqual(filesAfter, filesBefore, "the untouched day's data files were not rewritten");
  });

  test('webhook alerts: stream.behind when the backlog passes the threshold, stream.caught_up after', async () => {
    const events: { type: string; payload: Record<string, unknown> }[] = [];
    const receiver: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        events.push(JSON.parse(body) as { type: string; payload: Record<string, unknown> });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    try {
      const definition = defineStream({
        name: 'alerting',
        source: { kind: 'directory', path: inbox, pattern: 'g*.ndjson', columns: { n: 'long' }, maxRecordsPerBatch: 10 },
        sink: { table: 'out.alerting' },
        alerts: { webhook: `http://127.0.0.1:${port}/hook`, maxBacklogRecords: 15 },
      });
      for (let f = 0; f < 4; f++) {
        await writeFile(join(inbox, `.g${f}.tmp`), Array.from({ length: 10 }, (_, i) => JSON.stringify({ n: f * 10 + i })).join('\n'));
        await rename(join(inbox, `.g${f}.tmp`), join(inbox, `g${f}.ndjson`));
      }
      await drain(definition);
      assert.deepEqual(events.map((e) => e.type), ['stream.behind', 'stream.caught_up']);
      assert.equal(events[0]?.payload['stream'], 'alerting');
      assert.equal(events[0]?.payload['backlogRecords'], 30);
      assert.equal((await fixture.rows('out.alerting', 'n')).length, 40);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  test('a second runner is refused while the first holds the lease, and touches nothing of its state', async () => {
    const service = await StreamService.open({ home: fixture.home });
    const definition = defineStream({
      name: 'leased',
      source: { kind: 'directory', path: inbox, pattern: 'h*.ndjson', columns: { k: 'string not null', ts: 'timestamptz not null' }, eventTime: { column: 'ts', maxLateness: '1s' } },
      transforms: [{ dedup: { keys: ['k'] } }],
      sink: { table: 'out.leased' },
    });
    await service.register(definition);
    await writeFile(join(inbox, 'h0.ndjson'), JSON.stringify({ k: 'a', ts: '2026-01-01T00:00:00Z' }));
    const first = await StreamRunner.open({
      home: fixture.home,
      definition,
      version: 'v',
      store: service.store,
      fault: (point) => {
        if (point === 'after-checkpoint') throw new Error('paused between checkpoint and commit');
      },
    });
    await assert.rejects(first.runBatch(), /paused/);
    const checkpoints = async (): Promise<string[]> => {
      const keys: string[] = [];
      for await (const info of streamArea(fixture.home.lake, 'leased').state.list('')) keys.push(info.key);
      return keys;
    };
    const before = await checkpoints();
    assert.equal(before.length, 1, 'the first runner checkpointed its (uncommitted) batch');
    await assert.rejects(StreamRunner.open({ home: fixture.home, definition, version: 'v', store: service.store }), { code: 'STREAM_RUNNING' });
    assert.deepEqual(await checkpoints(), before, 'the refused runner did not discard the live runner\'s checkpoint');
    await first.close();
    const second = await StreamRunner.open({ home: fixture.home, definition, version: 'v', store: service.store });
    await second.run({ availableNow: true });
    await second.close();
    assert.equal((await fixture.rows('out.leased', 'k')).length, 1);
    await service.close();
  });
});
