import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import type { Grant, PolicySnapshot, Privilege } from '../model.ts';
import { decidePrivilege, visibleTables } from './decide-privilege.ts';
import { decideRead } from './decide-read.ts';
import { catalog, col, columnTag, db, dbTag, grant, group, principal, role, shape, snapshot, tableTag, tags, tbl, userG } from './decision-fixtures.ts';

const bob = principal('bob', { groups: ['eng'], roles: ['etl'] });
type On = { database?: string; table?: string };
const CATALOG: On = {};
const ADS: On = { database: 'ads' };
const EVENTS: On = { database: 'ads', table: 'events' };

describe('decidePrivilege', () => {
  const cases: [string, Grant[], Privilege, On, boolean, PolicySnapshot['tags']?][] = [
    ['deny by default', [], 'INSERT', EVENTS, false],
    ['INSERT on the table', [grant('INSERT', tbl('ads', 'events'), role('etl'))], 'INSERT', EVENTS, true],
    ['INSERT on the database covers its tables', [grant('INSERT', db('ads'), role('etl'))], 'INSERT', EVENTS, true],
    ['INSERT on the catalog covers every table', [grant('INSERT', catalog, group('eng'))], 'INSERT', EVENTS, true],
    ['a table grant does not cover its database', [grant('CREATE_TABLE', tbl('ads', 'events'), role('etl'))], 'CREATE_TABLE', ADS, false],
    ['a database grant does not cover the catalog', [grant('CREATE_TABLE', db('ads'), role('etl'))], 'CREATE_TABLE', CATALOG, false],
    ['CREATE_TABLE on the catalog covers a database', [grant('CREATE_TABLE', catalog, role('etl'))], 'CREATE_TABLE', ADS, true],
    ['INSERT does not give DELETE', [grant('INSERT', tbl('ads', 'events'), role('etl'))], 'DELETE', EVENTS, false],
    ['a grant on another table covers nothing here', [grant('DROP', tbl('ads', 'clicks'), role('etl'))], 'DROP', EVENTS, false],
    ...(['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DROP', 'CREATE_TABLE', 'DESCRIBE'] as const).map(
      (p): [string, Grant[], Privilege, On, boolean] => [`ADMIN on the database implies ${p} on a table`, [grant('ADMIN', db('ads'), role('etl'))], p, EVENTS, true],
    ),
    ['DESCRIBE implied by INSERT on the table', [grant('INSERT', tbl('ads', 'events'), role('etl'))], 'DESCRIBE', EVENTS, true],
    ['DESCRIBE implied by SELECT on one column', [grant('SELECT', col('ads', 'events', 'id'), role('etl'))], 'DESCRIBE', EVENTS, true],
    ['DESCRIBE implied by a grant on the database', [grant('ALTER', db('ads'), role('etl'))], 'DESCRIBE', EVENTS, true],
    ['DESCRIBE is not implied by a grant on another table', [grant('SELECT', tbl('ads', 'clicks'), role('etl'))], 'DESCRIBE', EVENTS, false],
    ['SELECT on the table via one column grant', [grant('SELECT', col('ads', 'events', 'id'), role('etl'))], 'SELECT', EVENTS, true],
    ['a column grant gives no other privilege on the table', [grant('SELECT', col('ads', 'events', 'id'), role('etl'))], 'INSERT', EVENTS, false],
    ['a tag grant covers a table by its effective tags', [grant('INSERT', tags('domain=ads'), role('etl'))], 'INSERT', EVENTS, true, [dbTag('ads', 'domain', 'ads')]],
    ['a tag grant covers a database by its tags', [grant('CREATE_TABLE', tags('domain=ads'), role('etl'))], 'CREATE_TABLE', ADS, true, [dbTag('ads', 'domain', 'ads')]],
    ['a table tag does not tag its database', [grant('CREATE_TABLE', tags('domain=ads'), role('etl'))], 'CREATE_TABLE', ADS, false, [tableTag('ads', 'events', 'domain', 'ads')]],
    ['tag grants never cover the catalog', [grant('CREATE_TABLE', tags('domain=ads'), role('etl'))], 'CREATE_TABLE', CATALOG, false, [dbTag('ads', 'domain', 'ads')]],
    [
      'a table override excludes the table from a tag grant',
      [grant('INSERT', tags('domain=ads'), role('etl'))],
      'INSERT',
      EVENTS,
      false,
      [dbTag('ads', 'domain', 'ads'), tableTag('ads', 'events', 'domain', 'secret')],
    ],
    [
      'SELECT via tags on one tagged column counts as SELECT on the table',
      [grant('SELECT', tags('public=yes'), role('etl'))],
      'SELECT',
      EVENTS,
      true,
      [columnTag('ads', 'events', 'ts', 'public', 'yes')],
    ],
    ['names compare case-insensitively', [grant('INSERT', tbl('ads', 'events'), role('etl'))], 'INSERT', { database: 'ADS', table: 'Events' }, true],
  ];
  for (const [name, grants, privilege, on, expected, tagList] of cases) {
    test(name, () => {
      const d = decidePrivilege(snapshot({ grants, tags: tagList ?? [] }), bob, privilege, on);
      assert.equal(d.allowed, expected, d.reason);
      assert.equal(d.privilege, privilege);
      assert.equal(d.grants.length > 0, expected);
    });
  }

  test('an allowed decision names the grants, most general first', () => {
    const d = decidePrivilege(
      snapshot({ grants: [grant('SELECT', tags('domain=ads'), role('etl'), { id: 'g_t' }), grant('SELECT', db('ads'), userG('bob'), { id: 'g_d' })], tags: [dbTag('ads', 'domain', 'ads')] }),
      bob,
      'SELECT',
      EVENTS,
    );
    assert.deepEqual(d.grants.map((g) => g.id), ['g_d', 'g_t']);
    assert.equal(d.reason, 'SELECT granted on DATABASE ads to USER bob (grant g_d); SELECT granted on TAGS domain=ads to ROLE etl (grant g_t)');
  });

  test('an implied DESCRIBE says so', () => {
    const d = decidePrivilege(snapshot({ grants: [grant('INSERT', tbl('ads', 'events'), role('etl'), { id: 'g_i' })] }), bob, 'DESCRIBE', EVENTS);
    assert.equal(d.reason, 'DESCRIBE implied by INSERT granted on TABLE ads.events to ROLE etl (grant g_i)');
  });

  test('a denial lists what is held there and what would allow it', () => {
    const d = decidePrivilege(snapshot({ grants: [grant('INSERT', tbl('ads', 'events'), role('etl'))], tags: [dbTag('ads', 'domain', 'ads')] }), bob, 'DELETE', EVENTS);
    assert.equal(d.allowed, false);
    assert.match(d.reason, /^no grant of DELETE covers TABLE ads\.events for USER bob \(grants on ads\.events: INSERT to ROLE etl\)/);
    assert.match(d.reason, /GRANT DELETE \(or ADMIN\) on TABLE ads\.events, on DATABASE ads or the CATALOG, or on TAGS matching its tags \(domain=ads\)/);
  });

  test('administrators pass every check with no grant', () => {
    const d = decidePrivilege(snapshot(), principal('root', { administrator: true }), 'DROP', EVENTS);
    assert.equal(d.allowed, true);
    assert.deepEqual(d.grants, []);
  });

  test('a table without its database is INVALID_ARGUMENT', () => {
    assert.throws(
      () => decidePrivilege(snapshot(), bob, 'SELECT', { table: 'events' }),
      (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'),
    );
  });

  test('agrees with decideRead on whether anything is readable', () => {
    const s = snapshot({
      grants: [grant('SELECT', tags('pii=false'), role('etl'))],
      tags: [tableTag('ads', 'events', 'pii', 'false'), tableTag('ads', 'clicks', 'pii', 'true')],
    });
    for (const table of ['events', 'clicks']) {
      const read = decideRead(s, bob, shape('ads', table, ['a']));
      assert.equal(decidePrivilege(s, bob, 'SELECT', { database: 'ads', table }).allowed, read.allowed, table);
    }
  });
});

describe('visibleTables', () => {
  const tables = [shape('ads', 'events', ['id', 'ts']), shape('ads', 'clicks', ['id']), shape('crm', 'people', ['email', 'name']), shape('Ops', 'LOGS', ['line'])];

  test('lists the tables with any grant on them, their database, a column or matching tags, in input order', () => {
    const s = snapshot({
      grants: [
        grant('INSERT', tbl('ads', 'clicks'), role('etl')),
        grant('SELECT', col('crm', 'people', 'name'), group('eng')),
        grant('DESCRIBE', db('ops'), userG('bob')),
      ],
    });
    assert.deepEqual(visibleTables(s, bob, tables).map((t) => t.table), ['clicks', 'people', 'LOGS']);
  });

  test('a tag on one column of the shape makes its table visible to a matching tag grant', () => {
    const s = snapshot({ grants: [grant('SELECT', tags('pii=false'), role('etl'))], tags: [columnTag('crm', 'people', 'name', 'pii', 'false')] });
    assert.deepEqual(visibleTables(s, bob, tables).map((t) => t.table), ['people']);
  });

  test('nothing is visible without grants; administrators see all', () => {
    assert.deepEqual(visibleTables(snapshot(), bob, tables), []);
    assert.equal(visibleTables(snapshot(), principal('root', { administrator: true }), tables).length, tables.length);
  });
});
