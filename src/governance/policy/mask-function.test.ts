import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import type { MaskFunction } from '../model.ts';
import { normalizeMaskFunction } from './mask-function.ts';

describe('normalizeMaskFunction', () => {
  const accepted = [
    [{ kind: 'redact' }, { kind: 'redact' }],
    [{ kind: 'redact', replacement: 'x'.repeat(64) }, { kind: 'redact', replacement: 'x'.repeat(64) }],
    [{ kind: 'null' }, { kind: 'null' }],
    [{ kind: 'hash' }, { kind: 'hash' }],
    [{ kind: 'partial', keepLast: 0 }, { kind: 'partial', keepLast: 0 }],
    [{ kind: 'partial', keepLast: 4, fill: '' }, { kind: 'partial', keepLast: 4, fill: '' }],
    [{ kind: 'round', digits: -10 }, { kind: 'round', digits: -10 }],
    [{ kind: 'round', digits: 10 }, { kind: 'round', digits: 10 }],
    [{ kind: 'bucket', width: 0.5 }, { kind: 'bucket', width: 0.5 }],
    [{ kind: 'bucket', unit: 'month' }, { kind: 'bucket', unit: 'month' }],
    [{ kind: 'expression', sql: 'left(value, 1)' }, { kind: 'expression', sql: 'left(value, 1)' }],
    // Fields a kind does not define are dropped, so they are never stored.
    [{ kind: 'hash', keepLast: 3 }, { kind: 'hash' }],
  ] as unknown as Array<[MaskFunction, MaskFunction]>;

  for (const [input, expected] of accepted) {
    test(`accepts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(normalizeMaskFunction(input), expected);
    });
  }

  const refused = [
    { kind: 'scramble' },
    null,
    { kind: 'redact', replacement: 'x'.repeat(65) },
    { kind: 'redact', replacement: 5 },
    { kind: 'partial' },
    { kind: 'partial', keepLast: -1 },
    { kind: 'partial', keepLast: 1.5 },
    { kind: 'partial', keepLast: 2, fill: 'y'.repeat(65) },
    { kind: 'round', digits: 11 },
    { kind: 'round', digits: -11 },
    { kind: 'round', digits: 0.5 },
    { kind: 'bucket' },
    { kind: 'bucket', width: 10, unit: 'day' },
    { kind: 'bucket', width: 0 },
    { kind: 'bucket', width: Number.POSITIVE_INFINITY },
    { kind: 'bucket', unit: 'week' },
    { kind: 'expression', sql: '  ' },
    { kind: 'expression', sql: 'x'.repeat(4097) },
  ] as unknown as MaskFunction[];

  for (const input of refused) {
    test(`refuses ${JSON.stringify(input)?.slice(0, 60)} with INVALID_ARGUMENT`, () => {
      assert.throws(() => normalizeMaskFunction(input), (error: unknown) => StrataError.is(error, 'INVALID_ARGUMENT'));
    });
  }
});
