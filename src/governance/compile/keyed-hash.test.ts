import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { hmacPads } from './keyed-hash.ts';

/** HMAC computed by DuckDB from the pads alone, the way the DuckDB dialect renders it. */
const sqlHmac = (pads: { inner: string; outer: string }, text: string): string =>
  `SELECT sha256(from_hex('${pads.outer}') || from_hex(sha256(from_hex('${pads.inner}') || encode('${text.replaceAll("'", "''")}'))))`;

describe('hmacPads', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  const cases: readonly [label: string, key: string, keyBytes: Buffer][] = [
    ['a hex key', '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', Buffer.alloc(20, 0x0b)],
    ['a key longer than the 64-byte block (hashed first)', 'aa'.repeat(131), Buffer.alloc(131, 0xaa)],
    ['a non-hex key (UTF-8)', 'not hex: ключ', Buffer.from('not hex: ключ', 'utf8')],
  ];
  for (const [label, key, bytes] of cases) {
    test(`DuckDB's sha256 over the pads equals a real HMAC-SHA256 for ${label}`, async () => {
      const pads = hmacPads(key);
      assert.ok(pads);
      for (const text of ["Hi There", "it's ünïcode", '']) {
        const expected = createHmac('sha256', bytes).update(text, 'utf8').digest('hex');
        const actual: unknown = (await connection.runAndReadAll(sqlHmac(pads, text))).getRows()[0]?.[0];
        assert.equal(actual, expected);
      }
    });
  }

  test('pads are the key XOR 0x36 and XOR 0x5c, zero-padded to the 64-byte block', () => {
    const pads = hmacPads('0b'.repeat(20));
    assert.equal(pads?.inner.length, 128);
    assert.equal(pads?.inner.slice(0, 4), '3d3d');
    assert.equal(pads?.outer.slice(-4), '5c5c');
  });

  test('an empty key gives no pads (callers fail closed)', () => {
    assert.equal(hmacPads(''), undefined);
  });
});
