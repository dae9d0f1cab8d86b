import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { Types, field } from '../../table/index.ts';
import { DEFAULT_STATE, type BatchProgress, type StreamDefinition } from '../model/index.ts';
import { StreamStore } from './stream-store.ts';

const definition: StreamDefinition = {
  name: 'clicks',
  source: { kind: 'http', columns: [field(1, 'id', Types.long, true)], format: { kind: 'json' }, maxRecordsPerBatch: 10, maxBacklogRecords: 100, maxRequestBytes: 1024 },
  transforms: [],
  sink: { table: 'out.clicks', mode: 'append', keys: [], partitionBy: [] },
  outputMode: 'append',
  deadLetterTable: 'out.clicks_dead_letter',
  trigger: { kind: 'interval', intervalMs: 1000 },
  state: DEFAULT_STATE,
};

function progress(batchId: number): BatchProgress {
  return {
    stream: 'clicks',
    batchId,
    startOffsets: { segments: batchId },
    endOffsets: { segments: batchId + 1 },
    rowsIn: 10,
    rowsOut: 10,
    deadLetters: 0,
    durations: { read: 1, process: 1, checkpoint: 1, commit: 1, total: 4 },
    stateRows: 0,
    stateBytes: 0,
    startedAt: 1,
    finishedAt: 2,
  };
}

describe('StreamStore', () => {
  let dir: string;
  let home: StrataHome;
  let now = 1_000;
  let store: StreamStore;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-stream-store-'));
    home = await openStrataHome(join(dir, 'home'));
    store = await StreamStore.open(StreamStore.connectionOf(home.catalog.backend), { now: () => now });
  });
  after(async () => {
    await home.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('register keeps the definition as data and replaces it on re-register', async () => {
    await store.register(definition, { version: 'v1', desired: 'stopped', source: 'clicks.yaml' });
    const changed = { ...definition, trigger: { kind: 'available-now' } as const };
    const record = await store.register(changed, { version: 'v2', desired: 'running' });
    assert.equal(record.version, 'v2');
    assert.equal(record.desired, 'running');
    assert.deepEqual(record.definition, JSON.parse(JSON.stringify(changed)));
    assert.equal((await store.list()).length, 1);
  });

  test('one lease holder at a time; an expired lease can be taken over; release clears it', async () => {
    assert.equal(await store.claim('clicks', 'a', 1_000), true);
    assert.equal(await store.claim('clicks', 'b', 1_000), false);
    assert.equal(await store.renew('clicks', 'b', 1_000), false);
    assert.equal(await store.renew('clicks', 'a', 1_000), true);
    now += 5_000;
    assert.equal(await store.claim('clicks', 'b', 1_000), true, 'expired lease taken over');
    assert.equal(await store.renew('clicks', 'a', 1_000), false, 'the old holder learns it lost the lease');
    await store.release('clicks', 'b', 'failed', 'boom');
    const record = await store.require('clicks');
    assert.equal(record.leaseOwner, undefined);
    assert.equal(record.status, 'failed');
    assert.equal(record.lastError, 'boom');
    await store.setDesired('clicks', 'running');
    assert.equal((await store.require('clicks')).status, 'registered', 'asking a failed stream to run clears its failure');
  });

  test('progress newest first; replay claims are once per letter', async () => {
    for (const id of [0, 1, 2]) await store.recordProgress(progress(id));
    assert.deepEqual((await store.progress('clicks', 2)).map((p) => p.batchId), [2, 1]);
    assert.deepEqual([...(await store.claimReplays('clicks', ['0/a', '0/b']))], ['0/a', '0/b']);
    assert.deepEqual([...(await store.claimReplays('clicks', ['0/b', '1/c']))], ['1/c']);
    await store.unclaimReplays('clicks', ['1/c']);
    assert.deepEqual([...(await store.claimReplays('clicks', ['1/c']))], ['1/c']);
  });

  test('unknown streams are STREAM_NOT_FOUND', async () => {
    await assert.rejects(store.require('nope'), { code: 'STREAM_NOT_FOUND' });
    await assert.rejects(store.setDesired('nope', 'stopped'), { code: 'STREAM_NOT_FOUND' });
  });
});
