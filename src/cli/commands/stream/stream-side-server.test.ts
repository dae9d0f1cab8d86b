import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { openStrataHome, type StrataHome } from '../../../catalog/index.ts';
import { StreamService, defineStream } from '../../../stream/index.ts';
import { startStreamSideServer, type SideServer } from './stream-side-server.ts';

let dir: string;
let home: StrataHome;
let service: StreamService;
let side: SideServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-side-'));
  home = await openStrataHome(join(dir, 'home'));
  service = await StreamService.open({ home });
  await service.register(defineStream({ name: 'pings', source: { kind: 'http', columns: { n: 'long' }, maxRequestBytes: 64 }, sink: { table: 'out.pings' }, trigger: 'available-now' }));
  const metrics = new Registry();
  side = await startStreamSideServer({ service: await StreamService.open({ home, metrics }), stream: 'pings', port: 0, metrics });
});
after(async () => {
  await side.close();
  await service.close();
  await home.close();
  await rm(dir, { recursive: true, force: true });
});

test('strata stream start --port: loopback ingest for an http source, then the stream reads it, and /metrics', async () => {
  assert.match(side.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(side.ingest, true);
  const post = (body: string, stream = 'pings') => fetch(`${side.url}/api/v1/streams/${stream}/records`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  const accepted = await post('{"n": 1}\n{"n": 2}\n');
  assert.equal(accepted.status, 200);
  assert.deepEqual(await accepted.json(), { segment: 0, records: 2 });
  assert.equal((await post('x'.repeat(100))).status, 413);
  assert.equal((await post('{"n": 3}', 'other')).status, 404);
  const summary = await service.run('pings', { availableNow: true });
  assert.equal(summary.rowsIn, 2);
  const rows = await (await home.catalog.loadTable('out.pings')).read();
  assert.deepEqual(rows.map((r) => String(r['n'])).sort(), ['1', '2']);
  assert.equal((await fetch(`${side.url}/metrics`)).status, 200);
});
