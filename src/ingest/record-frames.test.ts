import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitJsonArray, splitLines } from './record-frames.ts';

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('json arrays split into elements with lines and offsets, whatever the chunk size', async () => {
  const text = '\uFEFF[ {"a": "],[{"},\n  {"b": [1, {"c": "\\""}]},\n  7 ]\n';
  for (const size of [1, 3, 1000]) {
    const frames = await collect(splitJsonArray(chunks(text, size), { keepBytes: 100 }));
    assert.deepEqual(frames.map((f) => [f.bytes.toString().trim(), f.line]), [['{"a": "],[{"}', 1], ['{"b": [1, {"c": "\\""}]}', 2], ['7', 3]], `chunk size ${size}`);
    assert.equal(frames[0]?.offset, Buffer.from(text).indexOf('{'));
  }
});

test('json arrays: trailing garbage after ] becomes one more frame', async () => {
  const frames = await collect(splitJsonArray(chunks('[1] oops', 2), { keepBytes: 100 }));
  assert.deepEqual(frames.map((f) => f.bytes.toString().trim()), ['1', 'oops']);
});

test('lines: CRLF, byte offsets of multi-byte text, and oversize records keep only a prefix', async () => {
  const frames = await collect(splitLines(chunks('ø1\r\nabcdefghij\nz', 4), { keepBytes: 5, quoteAware: false }));
  assert.deepEqual(frames.map((f) => [f.bytes.toString(), f.length, f.line, f.offset]), [['ø1', 3, 1, 0], ['abcde', 10, 2, 5], ['z', 1, 3, 16]]);
});

test('csv lines: quoted line breaks stay in the record; a stray quote in an unquoted field does not', async () => {
  const frames = await collect(splitLines(chunks('a,"x\ny"\nb,c"d\ne,f\n', 2), { keepBytes: 100, quoteAware: true }));
  assert.deepEqual(frames.map((f) => [f.bytes.toString(), f.line]), [['a,"x\ny"', 1], ['b,c"d', 3], ['e,f', 4]]);
});
