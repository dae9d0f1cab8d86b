import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typeToString } from '../table/index.ts';
import { SchemaInferrer } from './infer-schema.ts';

function infer(records: Record<string, unknown>[], textMode = false): string[] {
  const inferrer = new SchemaInferrer();
  for (const r of records) inferrer.observe(r, textMode);
  return inferrer.fields().map((f) => `${f.id} ${f.name}: ${typeToString(f.type)}`);
}

test('inference from JSON values follows the documented rules', () => {
  assert.deepEqual(
    infer([
      { i: 1, mixed: 1, d: '2024-01-01', tz: '2024-01-01T00:00:00Z', ts: '2024-01-01 10:00:00', s: 'x', b: true, n: null, o: { k: 1 }, l: [1.5], e: [] },
      { i: 2n, mixed: 2.5, d: '2024-12-31', tz: '2024-01-01T00:00:00+05:30', ts: '2024-01-02', s: 3, b: false, n: null, o: { k: 2, j: 'y' }, l: [], e: [] },
    ]),
    [
      '1 i: long',
      '2 mixed: double',
      '3 d: date',
      '4 tz: timestamptz',
      '5 ts: timestamp',
      '6 s: string',
      '7 b: boolean',
      '8 n: string',
      '9 o: struct<k: long, j: string>',
      '10 l: list<double>',
      '11 e: list<string>',
    ],
  );
});

test('not every value parses as a date → string; zoned mixed with unzoned → string', () => {
  assert.deepEqual(infer([{ d: '2024-01-01', t: '2024-01-01T00:00:00Z' }, { d: 'soon', t: '2024-01-01T00:00:00' }]), ['1 d: string', '2 t: string']);
});

test('text mode (CSV) probes numbers and booleans, but keeps leading zeros as text', () => {
  assert.deepEqual(infer([{ a: '1', b: '1.5', c: 'true', z: '007', x: null }, { a: '-20', b: '3', c: 'FALSE', z: '12', x: '' }], true), [
    '1 a: long',
    '2 b: double',
    '3 c: boolean',
    '4 z: string',
    '5 x: string',
  ]);
});
