import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { StrataError } from '../../core/index.ts';
import type { ColumnInfo } from '../../engine/index.ts';
import { LocalObjectStore, type ObjectStore } from '../../storage/index.ts';
import { LakeResultStore, type LakeResultStoreOptions } from './index.ts';

const COLUMNS: readonly ColumnInfo[] = [
  { name: 'id', type: 'BIGINT' },
  { name: 'label', type: 'VARCHAR' },
];

/** `count` rows `[id, 'row <id>']` in batches of `batchRows`. */
async function* numbered(count: number, batchRows: number): AsyncGenerator<unknown[][]> {
  for (let start = 0; start < count; start += batchRows) {
    const batch: unknown[][] = [];
    for (let id = start; id < Math.min(count, start + batchRows); id++) batch.push([BigInt(id), `row ${id}`]);
    yield batch;
  }
}

async function keys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const info of store.list(prefix)) found.push(info.key);
  return found;
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StrataError, `expected a StrataError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

function jsonIds(body: Uint8Array | string): number[] {
  return (JSON.parse(String(body)) as { id: number }[]).map((row) => row.id);
}

describe('LakeResultStore', () => {
  let dir = '';
  let counter = 0;
  const open = async (options: Partial<LakeResultStoreOptions> = {}): Promise<{ results: LakeResultStore; store: ObjectStore }> => {
    const store = new LocalObjectStore(join(dir, `zone-${counter++}`));
    return { results: await LakeResultStore.open({ store, retentionMs: 60_000, ...options }), store };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-result-store-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('paging across part boundaries', () => {
    let results: LakeResultStore;
    let store: ObjectStore;
    before(async () => {
      ({ results, store } = await open({ rowsPerPart: 7, maxPageRows: 12 }));
      const stored = await results.write('q1', COLUMNS, numbered(50, 3));
      assert.equal(stored.rowCount, 50);
    });

    test('writes ceil(rows / rowsPerPart) parts and a manifest with their row counts', async () => {
      assert.deepEqual(await keys(store), [
        ...Array.from({ length: 8 }, (_, i) => `q1/part-0000${i}.arrow`),
        'q1/result.json',
      ]);
      const manifest = JSON.parse(new TextDecoder().decode(await store.get('q1/result.json'))) as { parts: { rows: number }[] };
      assert.deepEqual(manifest.parts.map((p) => p.rows), [7, 7, 7, 7, 7, 7, 7, 1]);
    });

    test('a page spanning three parts has the right rows in every format', async () => {
      const json = await results.page('q1', { offset: 5, limit: 10, format: 'json' });
      assert.deepEqual(jsonIds(json.body), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      assert.equal(json.rows, 10);
      assert.equal(json.nextOffset, 15);

      const csv = await results.page('q1', { offset: 5, limit: 10, format: 'csv' });
      const lines = String(csv.body).split('\r\n');
      assert.equal(lines[0], 'id,label');
      assert.equal(lines[1], '5,row 5');
      assert.equal(lines[10], '14,row 14');
      assert.equal(lines.length, 12); // header + 10 rows + '' after the final CRLF

      const arrow = await results.page('q1', { offset: 5, limit: 10, format: 'arrow' });
      const table = tableFromIPC(arrow.body as Uint8Array);
      assert.deepEqual([...table.getChild('id')!].map(Number), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      assert.deepEqual([...table.getChild('label')!].slice(0, 2), ['row 5', 'row 6']);
    });

    test('the last page has no nextOffset; a limit above maxPageRows is capped', async () => {
      const last = await results.page('q1', { offset: 45, limit: 10, format: 'json' });
      assert.deepEqual(jsonIds(last.body), [45, 46, 47, 48, 49]);
      assert.equal(last.nextOffset, undefined);
      const capped = await results.page('q1', { offset: 0, limit: 1000, format: 'json' });
      assert.equal(capped.rows, 12);
      assert.equal(capped.nextOffset, 12);
      const end = await results.page('q1', { offset: 50, limit: 10, format: 'json' });
      assert.equal(end.rows, 0);
      assert.equal(end.body, '[]');
    });

    test('reads only the parts that hold the page', async () => {
      const parts = await store.get('q1/part-00000.arrow');
      await store.delete('q1/part-00000.arrow');
      try {
        const page = await results.page('q1', { offset: 14, limit: 7, format: 'json' });
        assert.deepEqual(jsonIds(page.body), [14, 15, 16, 17, 18, 19, 20]);
        await rejectsWithCode(results.page('q1', { offset: 0, limit: 1, format: 'json' }), 'QUERY_NOT_FOUND');
      } finally {
        await store.put('q1/part-00000.arrow', parts);
      }
    });

    test('invalid offset, limit or format is INVALID_ARGUMENT', async () => {
      for (const options of [
        { offset: -1, limit: 10, format: 'json' },
        { offset: 1.5, limit: 10, format: 'json' },
        { offset: 0, limit: 0, format: 'json' },
        { offset: 51, limit: 10, format: 'json' },
        { offset: 0, limit: 10, format: 'xml' },
      ] as const) {
        // @ts-expect-error -- 'xml' is deliberately not a ResultFormat
        await rejectsWithCode(results.page('q1', options), 'INVALID_ARGUMENT');
      }
    });
  });

  test('a 100k-row write streams into parts while the rows are still arriving', async () => {
    const { results, store } = await open();
    let partsSeenMidway = -1;
    async function* rows(): AsyncGenerator<unknown[][]> {
      let emitted = 0;
      for await (const batch of numbered(100_000, 2048)) {
        emitted += batch.length;
        if (partsSeenMidway < 0 && emitted >= 60_000) partsSeenMidway = (await keys(store, 'big/')).length;
        yield batch;
      }
    }
    const stored = await results.write('big', COLUMNS, rows());
    assert.equal(stored.rowCount, 100_000);
    assert.ok(partsSeenMidway >= 5, `expected parts on disk mid-stream, saw ${partsSeenMidway}`);
    const files = await keys(store, 'big/');
    assert.equal(files.filter((key) => key.endsWith('.arrow')).length, 10);
    for (const key of files.filter((k) => k.endsWith('.arrow'))) {
      assert.equal(tableFromIPC(await store.get(key)).numRows, 10_000, key);
    }
    const stat = await Promise.all(files.filter((k) => k.endsWith('.arrow')).map((k) => store.head(k)));
    assert.equal(stored.bytes, stat.reduce((sum, info) => sum + (info?.size ?? 0), 0));
    const tail = await results.page('big', { offset: 99_998, limit: 5, format: 'json' });
    assert.deepEqual(jsonIds(tail.body), [99_998, 99_999]);
  });

  test('a write that fails mid-stream leaves no readable result', async () => {
    const { results, store } = await open({ rowsPerPart: 10 });
    async function* failing(): AsyncGenerator<unknown[][]> {
      yield* numbered(25, 5);
      throw new Error('engine died');
    }
    await assert.rejects(results.write('crash', COLUMNS, failing()), /engine died/);
    await rejectsWithCode(results.get('crash'), 'QUERY_NOT_FOUND');
    await rejectsWithCode(results.page('crash', { offset: 0, limit: 10, format: 'json' }), 'QUERY_NOT_FOUND');
    assert.deepEqual(await keys(store), []);
  });

  test('parts left without a manifest are unreadable, and expire sweeps them after the retention', async () => {
    const { results, store } = await open({ rowsPerPart: 10 });
    await results.write('done', COLUMNS, numbered(25, 5));
    // What a process killed before the manifest leaves behind: parts only.
    await store.put('killed/part-00000.arrow', await store.get('done/part-00000.arrow'));
    await rejectsWithCode(results.get('killed'), 'QUERY_NOT_FOUND');
    assert.equal(await results.expire(Date.now()), 0);
    assert.deepEqual(await keys(store, 'killed/'), ['killed/part-00000.arrow'], 'a write in progress is left alone');
    assert.equal(await results.expire(Date.now() + 120_000), 1, 'only the real result counts');
    assert.deepEqual(await keys(store), []);
  });

  test('rows whose width does not match the columns are refused', async () => {
    const { results, store } = await open();
    async function* ragged(): AsyncGenerator<unknown[][]> {
      yield [[1n, 'a'], [2n]];
    }
    await rejectsWithCode(results.write('ragged', COLUMNS, ragged()), 'INVALID_ARGUMENT');
    await rejectsWithCode(results.write('bad-value', COLUMNS, (async function* () {
      yield [[{ not: 'a bigint' }, 'a']];
    })()), 'INVALID_ARGUMENT');
    assert.deepEqual(await keys(store), []);
  });

  test('query ids are plain names and results are written once', async () => {
    const { results } = await open();
    for (const id of ['../escape', '_reuse', '', 'a/b']) {
      await rejectsWithCode(results.write(id, COLUMNS, numbered(1, 1)), 'INVALID_ARGUMENT');
    }
    await results.write('once', COLUMNS, numbered(1, 1));
    await rejectsWithCode(results.write('once', COLUMNS, numbered(1, 1)), 'ALREADY_EXISTS');
    assert.equal((await results.get('once')).rowCount, 1);
  });

  test('an empty result keeps its columns in every format', async () => {
    const { results, store } = await open();
    const columns: ColumnInfo[] = [
      { name: 'n', type: 'INTEGER' },
      { name: 'at', type: 'TIMESTAMP WITH TIME ZONE' },
    ];
    const stored = await results.write('nothing', columns, numbered(0, 1));
    assert.equal(stored.rowCount, 0);
    assert.deepEqual(stored.columns, columns);
    assert.deepEqual(await keys(store), ['nothing/result.json']);
    const json = await results.page('nothing', { offset: 0, limit: 10, format: 'json' });
    assert.deepEqual([json.body, json.rows, json.nextOffset], ['[]', 0, undefined]);
    const csv = await results.page('nothing', { offset: 0, limit: 10, format: 'csv' });
    assert.equal(csv.body, 'n,at\r\n');
    const arrow = tableFromIPC((await results.page('nothing', { offset: 0, limit: 10, format: 'arrow' })).body as Uint8Array);
    assert.equal(arrow.numRows, 0);
    assert.deepEqual(arrow.schema.fields.map((f) => [f.name, String(f.type)]), [
      ['n', 'Int32'],
      ['at', 'Timestamp<MICROSECOND, UTC>'],
    ]);
    await rejectsWithCode(results.page('nothing', { offset: 1, limit: 10, format: 'json' }), 'INVALID_ARGUMENT');
  });

  describe('retention and the reuse index (controllable clock)', () => {
    const T0 = 1_700_000_000_000;
    let now = T0;
    let results: LakeResultStore;
    let store: ObjectStore;
    before(async () => {
      ({ results, store } = await open({ retentionMs: 1_000, clock: () => now }));
    });

    test('lookup finds a remembered result until it expires; expire then deletes it all', async () => {
      const stored = await results.write('r1', COLUMNS, numbered(3, 3));
      assert.deepEqual([stored.createdAt, stored.expiresAt], [T0, T0 + 1_000]);
      await results.remember('select 1 @ snapshot 42', 'r1');
      assert.equal((await results.lookup('select 1 @ snapshot 42'))?.queryId, 'r1');
      assert.equal(await results.lookup('select 1 @ snapshot 43'), undefined);

      now = T0 + 999;
      assert.equal((await results.lookup('select 1 @ snapshot 42'))?.rowCount, 3);
      assert.equal(await results.expire(), 0);

      now = T0 + 1_000;
      assert.equal(await results.lookup('select 1 @ snapshot 42'), undefined);
      await rejectsWithCode(results.get('r1'), 'QUERY_NOT_FOUND');
      assert.ok((await keys(store, 'r1/')).length > 0, 'expired but not yet deleted');
      assert.equal(await results.expire(), 1);
      assert.deepEqual(await keys(store), []);
    });

    test('lookup ignores an entry whose result manifest is gone', async () => {
      now = T0 + 10_000;
      await results.write('r2', COLUMNS, numbered(1, 1));
      await results.remember('key-2', 'r2');
      assert.equal((await results.lookup('key-2'))?.queryId, 'r2');
      await store.delete('r2/result.json');
      assert.equal(await results.lookup('key-2'), undefined);
      await results.expire();
      assert.deepEqual(
        (await keys(store)).filter((key) => key.startsWith('_reuse/')),
        [],
        'expire drops index entries that point at nothing',
      );
      await store.delete('r2/part-00000.arrow');
    });

    test('remember needs a stored result; a newer result replaces the entry', async () => {
      now = T0 + 20_000;
      await rejectsWithCode(results.remember('key-3', 'never-written'), 'QUERY_NOT_FOUND');
      await results.write('r3a', COLUMNS, numbered(1, 1));
      await results.write('r3b', COLUMNS, numbered(2, 2));
      await results.remember('key-3', 'r3a');
      await results.remember('key-3', 'r3b');
      assert.equal((await results.lookup('key-3'))?.queryId, 'r3b');
      now = T0 + 20_500;
      await results.write('r3c', COLUMNS, numbered(1, 1));
      now = T0 + 21_000;
      assert.equal(await results.expire(), 2, 'r3a and r3b expire, r3c stays');
      assert.deepEqual(await keys(store), ['r3c/part-00000.arrow', 'r3c/result.json']);
    });
  });
});
