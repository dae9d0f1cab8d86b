import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StrataError } from '../core/index.ts';
import { assertValidKey, assertValidPrefix, compareKeys, directoryPrefix, isTempName } from './object-key.ts';

const invalid = (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT');

void test('valid keys pass unchanged; escaping or ambiguous keys fail closed', () => {
  for (const good of ['a', 'a/b.c', 'x/..y', 'ns.db/t/metadata/v1.metadata.json', '.hidden/file']) {
    assert.equal(assertValidKey(good), good);
  }
  for (const bad of ['', '/a', 'a/', 'a//b', '.', '..', 'a/../b', 'a/./b', 'a\\b', 'a\0', 'd/.f.0123456789abcdef.tmp']) {
    assert.throws(() => assertValidKey(bad), invalid, bad);
  }
});

void test('prefixes may be empty or end mid-name, but may not escape', () => {
  for (const good of ['', 'a', 'a/', 'a/b', 'a/.', 'raw/ord']) assert.equal(assertValidPrefix(good), good);
  for (const bad of ['/a', '../', 'a/../b', 'a//b', 'a\\b']) assert.throws(() => assertValidPrefix(bad), invalid, bad);
});

void test('directoryPrefix normalises to one trailing slash', () => {
  assert.equal(directoryPrefix(''), '');
  assert.equal(directoryPrefix('raw'), 'raw/');
  assert.equal(directoryPrefix('lake/raw/'), 'lake/raw/');
  assert.throws(() => directoryPrefix('lake//raw'), invalid);
});

void test('temp names are recognised only in their exact shape', () => {
  assert.ok(isTempName('.orders.json.0123456789abcdef.tmp'));
  assert.ok(!isTempName('orders.tmp'));
  assert.ok(!isTempName('.orders.tmp'));
});

void test('compareKeys orders by UTF-8 bytes like S3', () => {
  assert.ok(compareKeys('a-b', 'a/b') < 0);
  // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (4 bytes, F0 ...), unlike UTF-16 order.
  assert.ok(compareKeys('\uff5e', '\u{1f600}') < 0);
  assert.ok('\uff5e' > '\u{1f600}');
});
