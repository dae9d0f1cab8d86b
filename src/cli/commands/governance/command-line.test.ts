import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { StrataError } from '../../../core/index.ts';
import { commandLineText, parseDuration, parseKeyValue } from './command-line.ts';
import { maskFunctionOf } from './mask-commands.ts';

describe('governance command-line helpers', () => {
  test('audit text drops global options and quotes what a shell would split', () => {
    assert.equal(
      commandLineText(['--home', '/tmp/h', 'mask', 'create', 'm', '--sql', "CASE WHEN a THEN 'x' END", '--format=json', '--as', 'bob']),
      `strata mask create m --sql 'CASE WHEN a THEN '\\''x'\\'' END'`,
    );
    assert.equal(commandLineText(['principal', 'create', 'bob', '--attr', 'region=eu']), 'strata principal create bob --attr region=eu');
  });

  test('durations and key=value pairs', () => {
    assert.equal(parseDuration('90m'), 90 * 60_000);
    assert.equal(parseDuration('12h'), 12 * 3_600_000);
    assert.equal(parseDuration('30d'), 30 * 86_400_000);
    for (const bad of ['0d', '1w', '12', 'h', '-1h']) assert.throws(() => parseDuration(bad), InvalidArgumentError, bad);
    assert.deepEqual(parseKeyValue('region=eu=west'), ['region', 'eu=west']);
    assert.deepEqual(parseKeyValue('team='), ['team', '']);
    assert.throws(() => parseKeyValue('=x'), InvalidArgumentError);
  });

  test('mask options build the mask function and refuse options of another kind', () => {
    assert.deepEqual(maskFunctionOf({ kind: 'partial', keepLast: 4, fill: '#' }), { kind: 'partial', keepLast: 4, fill: '#' });
    assert.deepEqual(maskFunctionOf({ kind: 'bucket', unit: 'Day' }), { kind: 'bucket', unit: 'day' });
    assert.deepEqual(maskFunctionOf({ kind: 'expression', sql: 'upper(value)' }), { kind: 'expression', sql: 'upper(value)' });
    const invalid = (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT');
    assert.throws(() => maskFunctionOf({ kind: 'hash', keepLast: 4 }), invalid);
    assert.throws(() => maskFunctionOf({ kind: 'partial' }), invalid);
    assert.throws(() => maskFunctionOf({ kind: 'expression' }), invalid);
    assert.throws(() => maskFunctionOf({ kind: 'scramble' }), invalid);
    assert.throws(() => maskFunctionOf({ kind: 'bucket', unit: 'week' }), invalid);
  });
});
