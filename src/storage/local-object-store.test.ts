import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StrataError } from '../core/index.ts';
import { LocalObjectStore } from './local-object-store.ts';
import { describeObjectStoreContract } from './object-store-contract.ts';
import { CHUNK_BYTES, writerChunk } from './testing/slow-put-writer.ts';

const encoder = new TextEncoder();
const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const testingDir = fileURLToPath(new URL('./testing/', import.meta.url));

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'strata-local-store-'));
}

describeObjectStoreContract('LocalObjectStore', async () => {
  const root = await tempRoot();
  return { store: new LocalObjectStore(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});

/** Spawns a storage test child (`node --import tsx testing/<script>`), with stdout as lines. */
function spawnChild(script: string, args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(testingDir, script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines };
}

async function nextLine(lines: AsyncIterator<string>): Promise<string> {
  const { value, done } = await lines.next();
  assert.ok(!done, 'child process ended without writing the expected line');
  return value;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

void describe('LocalObjectStore', () => {
  let root: string;
  let store: LocalObjectStore;
  before(async () => {
    root = await tempRoot();
    store = new LocalObjectStore(root);
  });
  after(() => rm(root, { recursive: true, force: true }));

  void test('objects are plain files under the root: localPath and file:// uri point at them', async () => {
    await store.put('tables/t/data/f.parquet', encoder.encode('PAR1'));
    const path = store.localPath('tables/t/data/f.parquet');
    assert.equal(path, join(root, 'tables', 't', 'data', 'f.parquet'));
    assert.ok(existsSync(path));
    assert.equal(store.uri('tables/t/data/f.parquet'), pathToFileURL(path).href);
    assert.equal(store.keyFromUri(pathToFileURL(path).href), 'tables/t/data/f.parquet');
    assert.equal(store.keyFromUri(pathToFileURL(join(root, '..', 'sibling', 'x')).href), undefined);
    assert.equal(store.keyFromUri(pathToFileURL(root).href), undefined);
  });

  void test('writes leave no temp files behind, and stray temp files are never listed', async () => {
    await store.put('tmpcheck/a.json', encoder.encode('{}'));
    await store.putIfAbsent('tmpcheck/b.json', encoder.encode('{}'));
    await store.putIfAbsent('tmpcheck/b.json', encoder.encode('{"lost":true}'));
    assert.deepEqual((await readdir(join(root, 'tmpcheck'))).sort(), ['a.json', 'b.json']);
    // What a crashed writer leaves behind:
    await writeFile(join(root, 'tmpcheck', '.c.json.0123456789abcdef.tmp'), 'partial');
    const listed = [];
    for await (const info of store.list('tmpcheck/')) listed.push(info.key);
    assert.deepEqual(listed, ['tmpcheck/a.json', 'tmpcheck/b.json']);
    await assert.rejects(
      store.put('tmpcheck/.c.json.0123456789abcdef.tmp', encoder.encode('x')),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'),
    );
  });

  void test('escaping keys never touch files outside the root', async () => {
    const outside = join(root, '..', `strata-escape-${process.pid}`);
    await assert.rejects(
      store.put(`../strata-escape-${process.pid}`, encoder.encode('x')),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'),
    );
    assert.equal(existsSync(outside), false);
  });

  void test('an object key cannot also be a "directory": STORAGE_ERROR, not corruption', async () => {
    await store.put('clash/file', encoder.encode('x'));
    await assert.rejects(store.put('clash/file/child', encoder.encode('y')), (e: unknown) =>
      StrataError.is(e, 'STORAGE_ERROR'),
    );
    assert.equal(text(await store.get('clash/file')), 'x');
    await assert.rejects(store.get('clash'), (e: unknown) => StrataError.is(e, 'OBJECT_NOT_FOUND'));
  });

  void test('a failing stream body leaves the previous object intact and no temp file', async () => {
    await store.put('failing/obj', encoder.encode('previous'));
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('partial data');
      throw new Error('source went away');
    }
    await assert.rejects(store.put('failing/obj', Readable.from(broken())), (e: unknown) =>
      StrataError.is(e, 'STORAGE_ERROR'),
    );
    assert.equal(text(await store.get('failing/obj')), 'previous');
    assert.deepEqual(await readdir(join(root, 'failing')), ['obj']);
  });

  void test('readers racing a writer see the old or the new object, never a mix', async () => {
    const a = new Uint8Array(2 * CHUNK_BYTES).fill(1);
    const b = new Uint8Array(2 * CHUNK_BYTES).fill(2);
    await store.put('swap/obj', a);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await store.put('swap/obj', i % 2 === 0 ? b : a);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const data = await store.get('swap/obj');
      assert.equal(data.byteLength, a.byteLength);
      const first = data[0];
      assert.ok(data.every((x) => x === first), 'read a torn object');
      reads++;
    }
    await writer;
    assert.ok(reads > 0);
  });

  void test('cross-process race: 4 processes putIfAbsent one key, exactly one wins with its content', async () => {
    const racers = Array.from({ length: 4 }, (_, i) =>
      spawnChild('put-if-absent-racer.ts', [root, 'xproc/commit.json', `process-${i}`]),
    );
    try {
      for (const racer of racers) assert.equal(await nextLine(racer.lines), 'ready');
      for (const racer of racers) racer.child.stdin!.write('go\n');
      const results = await Promise.all(
        racers.map(async (racer) => (JSON.parse(await nextLine(racer.lines)) as { won: boolean }).won),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(',')}`);
      assert.equal(text(await store.get('xproc/commit.json')), `process-${winners[0]}`);
      assert.deepEqual(await Promise.all(racers.map((r) => exited(r.child))), [0, 0, 0, 0]);
    } finally {
      for (const racer of racers) racer.child.kill('SIGKILL');
    }
  });

  // Kill after a few chunks, after most of them, and before any: the key must then hold exactly
  // the previous content (or nothing), never a prefix of the new one.
  for (const { killAfterChunk, previous } of [
    { killAfterChunk: 2, previous: 'previous complete content' },
    { killAfterChunk: 30, previous: 'previous complete content' },
    { killAfterChunk: 5, previous: undefined },
  ]) {
    void test(`a writer SIGKILLed after chunk ${killAfterChunk} of 40 leaves ${previous === undefined ? 'no object' : 'the previous object'}`, async () => {
      const key = `crash/after-${killAfterChunk}-${previous === undefined ? 'new' : 'replace'}.bin`;
      if (previous !== undefined) await store.put(key, encoder.encode(previous));
      const { child, lines } = spawnChild('slow-put-writer.ts', [root, key, '40']);
      try {
        while ((await nextLine(lines)) !== `chunk ${killAfterChunk}`) {
          // wait for the writer to get there
        }
        child.kill('SIGKILL');
        await exited(child);
      } finally {
        child.kill('SIGKILL');
      }
      assert.equal(child.signalCode, 'SIGKILL');
      if (previous === undefined) {
        assert.equal(await store.head(key), undefined);
      } else {
        assert.equal(text(await store.get(key)), previous);
      }
      const listed = [];
      for await (const info of store.list('crash/')) listed.push(info.key);
      assert.ok(listed.every((k) => !k.endsWith('.tmp')), `temp file listed: ${listed.join(',')}`);
      // The interrupted temp file is really there (so the test exercised a partial write).
      const dirEntries = await readdir(join(root, 'crash'));
      assert.ok(dirEntries.some((name) => name.startsWith(`.after-${killAfterChunk}`) && name.endsWith('.tmp')));
    });
  }

  void test('the slow writer, when not killed, stores its full object', async () => {
    const { child, lines } = spawnChild('slow-put-writer.ts', [root, 'crash/complete.bin', '4']);
    let line: string;
    do line = await nextLine(lines);
    while (line !== 'done');
    assert.equal(await exited(child), 0);
    const data = await store.get('crash/complete.bin');
    assert.equal(data.byteLength, 4 * CHUNK_BYTES);
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(data.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), writerChunk(i));
    }
  });
});
