import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isVolatile, normalizeStatement, reuseKeyOf } from './reuse-key.ts';

const planned = (snapshotId?: bigint, fingerprint = 'fp') => ({
  kind: 'query' as const,
  plans: [{ table: 'sales.orders', filter: 'true', ...(snapshotId === undefined ? {} : { snapshotId }) }],
  policyFingerprint: fingerprint,
});

describe('reuse key', () => {
  test('normalisation collapses whitespace and drops comments, but never inside literals', () => {
    assert.equal(normalizeStatement('  SELECT   a,\n\tb -- note\nFROM t ; '), 'SELECT a, b FROM t');
    assert.equal(normalizeStatement("SELECT 'a   b' /* c */ FROM t"), "SELECT 'a   b' FROM t");
    assert.notEqual(normalizeStatement("SELECT 'a   b'"), normalizeStatement("SELECT 'a b'"));
  });

  test('equal for equal text, snapshots, policies and workgroup; different when any differs', () => {
    const key = reuseKeyOf('SELECT * FROM sales.orders', planned(1n), 'primary');
    assert.ok(key);
    assert.equal(reuseKeyOf('select * from sales.orders', planned(1n), 'primary') === key, false, 'case is kept');
    assert.equal(reuseKeyOf('SELECT *  FROM sales.orders;', planned(1n), 'primary'), key);
    assert.notEqual(reuseKeyOf('SELECT * FROM sales.orders', planned(2n), 'primary'), key);
    assert.notEqual(reuseKeyOf('SELECT * FROM sales.orders', planned(1n, 'other'), 'primary'), key);
    assert.notEqual(reuseKeyOf('SELECT * FROM sales.orders', planned(1n), 'etl'), key);
    assert.ok(reuseKeyOf('SELECT * FROM sales.orders', planned(undefined), 'primary'), 'an empty table is reusable');
  });

  test('volatile functions and metadata tables are never reused', () => {
    assert.equal(isVolatile('SELECT now()'), true);
    assert.equal(isVolatile("SELECT 'now'"), false);
    assert.equal(reuseKeyOf('SELECT current_principal() FROM sales.orders', planned(1n), 'primary'), undefined);
    assert.equal(reuseKeyOf('SELECT * FROM sales.orders$files', { kind: 'query', plans: [{ table: 'sales.orders', metadataTable: 'files', filter: 'true', snapshotId: 1n }], policyFingerprint: 'fp' }, 'primary'), undefined);
  });
});
