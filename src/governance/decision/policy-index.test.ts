import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Grantee } from '../model.ts';
import { columnTag, dbTag, grant, group, principal, role, snapshot, tableTag, tbl, userG } from './decision-fixtures.ts';
import { effectiveTags, grantAppliesTo, indexSnapshot, PolicyIndex } from './policy-index.ts';

describe('effectiveTags', () => {
  const s = snapshot({
    tags: [
      dbTag('ads', 'domain', 'ads'),
      dbTag('ads', 'pii', 'false'),
      tableTag('ads', 'events', 'pii', 'true'),
      tableTag('ads', 'events', 'team', 'growth'),
      columnTag('ads', 'events', 'id', 'pii', 'false'),
      columnTag('ads', 'events', 'id', 'key', 'primary'),
      dbTag('crm', 'domain', 'crm'),
    ],
  });

  test('a database has its own tags', () => {
    assert.deepEqual(effectiveTags(s, { kind: 'database', database: 'ads' }), { domain: 'ads', pii: 'false' });
  });
  test('a table overrides its database per key', () => {
    assert.deepEqual(effectiveTags(s, { kind: 'table', database: 'ads', table: 'events' }), { domain: 'ads', pii: 'true', team: 'growth' });
  });
  test('a column overrides its table per key', () => {
    assert.deepEqual(effectiveTags(s, { kind: 'column', database: 'ads', table: 'events', column: 'id' }), {
      domain: 'ads',
      pii: 'false',
      team: 'growth',
      key: 'primary',
    });
  });
  test('an untagged column inherits the table tags unchanged', () => {
    assert.deepEqual(effectiveTags(s, { kind: 'column', database: 'ads', table: 'events', column: 'ts' }), { domain: 'ads', pii: 'true', team: 'growth' });
  });
  test('a table created later inherits its database tags', () => {
    assert.deepEqual(effectiveTags(s, { kind: 'table', database: 'crm', table: 'new' }), { domain: 'crm' });
  });
  test('names compare case-insensitively', () => {
    assert.deepEqual(effectiveTags(s, { kind: 'column', database: 'ADS', table: 'Events', column: 'ID' }).key, 'primary');
  });
  test('an untagged object has no tags', () => {
    assert.deepEqual(effectiveTags(s, { kind: 'database', database: 'ops' }), {});
  });
  test('a key named __proto__ is an ordinary own key', () => {
    const t = effectiveTags(snapshot({ tags: [dbTag('x', '__proto__', 'v')] }), { kind: 'database', database: 'x' });
    assert.equal(Object.hasOwn(t, '__proto__'), true);
    assert.equal(Object.getPrototypeOf(t), Object.prototype);
  });
  test('the result is a fresh object: mutating it changes nothing', () => {
    const first = effectiveTags(s, { kind: 'database', database: 'ads' });
    first['domain'] = 'tampered';
    assert.equal(effectiveTags(s, { kind: 'database', database: 'ads' })['domain'], 'ads');
  });
});

describe('grantAppliesTo', () => {
  const alice = principal('alice', { groups: ['eu-team'], roles: ['analyst'] });
  const cases: [Grantee, boolean][] = [
    [userG('alice'), true],
    [userG('bob'), false],
    [group('eu-team'), true],
    [group('us-team'), false],
    [role('analyst'), true],
    [role('etl'), false],
    // A group and a role can share a name; kind matters.
    [role('eu-team'), false],
    [userG('analyst'), false],
  ];
  for (const [grantee, expected] of cases) {
    test(`${grantee.kind} ${grantee.name}: ${expected}`, () => {
      assert.equal(grantAppliesTo(grant('SELECT', tbl('a', 'b'), grantee), alice), expected);
    });
  }
});

describe('indexSnapshot', () => {
  test('is built once per snapshot object and passes an index through', () => {
    const s = snapshot();
    const index = indexSnapshot(s);
    assert.ok(index instanceof PolicyIndex);
    assert.equal(indexSnapshot(s), index);
    assert.equal(indexSnapshot(index), index);
    assert.notEqual(indexSnapshot(snapshot()), index);
  });

  test('principal views are shared by principals with the same memberships, not across different ones', () => {
    const index = indexSnapshot(snapshot({ grants: [grant('SELECT', tbl('a', 'b'), role('r'))] }));
    const a = index.viewFor(principal('p', { roles: ['r', 's'] }));
    assert.equal(index.viewFor(principal('p', { roles: ['s', 'r'] })), a);
    assert.notEqual(index.viewFor(principal('p', { roles: ['s'] })), a);
    assert.equal(index.viewFor(principal('p', { roles: ['s'] })).tableGrants.size, 0);
  });
});
