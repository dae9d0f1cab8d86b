import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ProgressBar, progressLine } from './progress-bar.ts';

test('the progress line shows the share done, bytes and rows, and shortens long labels', () => {
  assert.equal(progressLine({ label: 'a.ndjson', done: 5e6, total: 10e6, rows: 12345 }), 'a.ndjson [##########----------]  50%  5.0/10.0 MB  12,345 rows');
  const line = progressLine({ label: `/very/${'long/'.repeat(30)}file.csv`, done: 0, total: 0, rows: 0 }, 80);
  assert.ok(line.length <= 80, line);
  assert.ok(line.startsWith('…'));
});

test('no bar is drawn when the stream is not a terminal', () => {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  const quiet = new ProgressBar(sink, false);
  quiet.update({ label: 'f', done: 1, total: 1, rows: 1 });
  quiet.done();
  assert.equal(chunks.length, 0);
  const drawn = new ProgressBar(sink, true);
  drawn.update({ label: 'f', done: 1, total: 1, rows: 1 });
  drawn.done();
  assert.ok(chunks[0]?.startsWith('\rf ['));
});
