import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineageRunId } from './lineage-run-id.ts';
import { isUuid } from './openlineage-event.ts';

test('lineageRunId is a stable version-5 UUID per distinct list of parts', () => {
  const a = lineageRunId('3f2d7c1a-9b4e-4c8f-a1d2-5e6f7a8b9c0d', 'aggregate', '1');
  assert.ok(isUuid(a), a);
  assert.equal(a[14], '5', 'version nibble');
  assert.ok('89ab'.includes(a[19] ?? ''), 'RFC variant');
  assert.equal(lineageRunId('3f2d7c1a-9b4e-4c8f-a1d2-5e6f7a8b9c0d', 'aggregate', '1'), a, 'same parts, same id');
  assert.notEqual(lineageRunId('3f2d7c1a-9b4e-4c8f-a1d2-5e6f7a8b9c0d', 'aggregate', '2'), a);
  assert.notEqual(lineageRunId('ab', 'c'), lineageRunId('a', 'bc'), 'part boundaries matter');
});
