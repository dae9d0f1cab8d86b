/**
 * Child process for the crash test (local-object-store.test.ts): `put`s a large object as a stream
 * of 1 MiB chunks and reports each chunk, so the parent can SIGKILL it mid-write.
 * Usage: node --import tsx slow-put-writer.ts <rootDir> <key> <chunks>
 */
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { LocalObjectStore } from '../local-object-store.ts';

export const CHUNK_BYTES = 1024 * 1024;

/** Chunk `i` of the object this writer produces: every byte is (i % 250) + 1. */
export function writerChunk(i: number): Uint8Array {
  return new Uint8Array(CHUNK_BYTES).fill((i % 250) + 1);
}

async function* chunks(count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    yield writerChunk(i);
    process.stdout.write(`chunk ${i}\n`);
    await tick();
  }
}

if (process.argv[1]?.endsWith('slow-put-writer.ts')) {
  const [rootDir, key, count] = process.argv.slice(2);
  if (rootDir === undefined || key === undefined || count === undefined) {
    throw new Error('usage: slow-put-writer.ts <rootDir> <key> <chunks>');
  }
  await new LocalObjectStore(rootDir).put(key, Readable.from(chunks(Number(count))));
  process.stdout.write('done\n');
}
