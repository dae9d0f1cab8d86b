import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MaskFunction, PolicySnapshot, PrincipalContext } from '../model.ts';
import { decideRead } from './decide-read.ts';
import type { TableShape } from './decisions.ts';
import {
  catalog,
  col,
  columnTag,
  db,
  dbTag,
  grant,
  group,
  mask,
  onColumn,
  onTable,
  onTags,
  principal,
  readable,
  role,
  rowFilter,
  shape,
  snapshot,
  tableTag,
  tags,
  tbl,
  userG,
} from './decision-fixtures.ts';

const alice = principal('alice', { groups: ['eu-team'], roles: ['analyst'] });
const events = shape('ads', 'events', ['id', 'ts', 'msisdn', 'amount']);
const ALL = ['id', 'ts', 'msisdn', 'amount'];

describe('decideRead: which columns are readable', () => {
  const cases: [string, Partial<PolicySnapshot>, TableShape, string[]][] = [
    ['deny by default: no grants, nothing readable', {}, events, []],
    ['SELECT on the catalog covers every column of every table', { grants: [grant('SELECT', catalog, userG('alice'))] }, events, ALL],
    ['SELECT on the database covers its tables', { grants: [grant('SELECT', db('ads'), userG('alice'))] }, events, ALL],
    ['SELECT on another database covers nothing here', { grants: [grant('SELECT', db('crm'), userG('alice'))] }, events, []],
    ['SELECT on the table covers all its columns', { grants: [grant('SELECT', tbl('ads', 'events'), userG('alice'))] }, events, ALL],
    [
      'SELECT on columns covers only those columns',
      { grants: [grant('SELECT', col('ads', 'events', 'id'), role('analyst')), grant('SELECT', col('ads', 'events', 'ts'), group('eu-team'))] },
      events,
      ['id', 'ts'],
    ],
    ['INSERT on the table does not give SELECT', { grants: [grant('INSERT', tbl('ads', 'events'), role('analyst'))] }, events, []],
    ['DESCRIBE on the table does not give SELECT', { grants: [grant('DESCRIBE', tbl('ads', 'events'), role('analyst'))] }, events, []],
    ['ADMIN on the database implies SELECT', { grants: [grant('ADMIN', db('ads'), userG('alice'))] }, events, ALL],
    ['a grant to someone else covers nothing', { grants: [grant('SELECT', catalog, userG('bob')), grant('SELECT', catalog, role('etl'))] }, events, []],
    ['a grant to a group of the principal counts', { grants: [grant('SELECT', tbl('ads', 'events'), group('eu-team'))] }, events, ALL],
    [
      'a database grant covers a table created later (no per-table state)',
      { grants: [grant('SELECT', db('ads'), role('analyst'))] },
      shape('ads', 'brand_new', ['x']),
      ['x'],
    ],
    [
      'a tag grant covers a table through its database tags',
      { grants: [grant('SELECT', tags('domain=ads'), role('analyst'))], tags: [dbTag('ads', 'domain', 'ads')] },
      events,
      ALL,
    ],
    [
      'a tag grant covers a table created later under a tagged database',
      { grants: [grant('SELECT', tags('domain=ads'), role('analyst'))], tags: [dbTag('ads', 'domain', 'ads')] },
      shape('ads', 'created_tomorrow', ['a', 'b']),
      ['a', 'b'],
    ],
    [
      'a tag grant does not cover an untagged table',
      { grants: [grant('SELECT', tags('domain=ads'), role('analyst'))], tags: [dbTag('crm', 'domain', 'ads')] },
      events,
      [],
    ],
    [
      'OR across keys: the second key matches',
      { grants: [grant('SELECT', tags('domain=finance OR team=growth'), role('analyst'))], tags: [tableTag('ads', 'events', 'team', 'growth')] },
      events,
      ALL,
    ],
    [
      'AND needs both keys',
      { grants: [grant('SELECT', tags('domain=ads AND pii=false'), role('analyst'))], tags: [tableTag('ads', 'events', 'domain', 'ads')] },
      events,
      [],
    ],
    [
      'a column whose own tag overrides to a non-matching value is excluded',
      {
        grants: [grant('SELECT', tags('pii=false'), role('analyst'))],
        tags: [dbTag('ads', 'pii', 'false'), columnTag('ads', 'events', 'msisdn', 'pii', 'true')],
      },
      events,
      ['id', 'ts', 'amount'],
    ],
    [
      'a table override excludes the table from a database-tag match',
      {
        grants: [grant('SELECT', tags('domain=ads'), role('analyst'))],
        tags: [dbTag('ads', 'domain', 'ads'), tableTag('ads', 'events', 'domain', 'secret')],
      },
      events,
      [],
    ],
    [
      'a column tag alone can make one column readable',
      { grants: [grant('SELECT', tags('public=yes'), role('analyst'))], tags: [columnTag('ads', 'events', 'ts', 'public', 'yes')] },
      events,
      ['ts'],
    ],
    [
      'a named table grant still covers a column whose tags exclude it from tag grants',
      {
        grants: [grant('SELECT', tbl('ads', 'events'), role('analyst')), grant('SELECT', tags('pii=false'), role('analyst'))],
        tags: [dbTag('ads', 'pii', 'false'), columnTag('ads', 'events', 'msisdn', 'pii', 'true')],
      },
      events,
      ALL,
    ],
    [
      'names compare case-insensitively (shape in upper case)',
      { grants: [grant('SELECT', col('ads', 'events', 'msisdn'), role('analyst'))], tags: [] },
      shape('ADS', 'Events', ['ID', 'MSISDN']),
      ['MSISDN'],
    ],
    [
      'tag values compare case-insensitively (quoted expression in mixed case)',
      { grants: [grant('SELECT', tags("team='Growth'"), role('analyst'))], tags: [tableTag('ads', 'events', 'team', 'growth')] },
      events,
      ALL,
    ],
  ];
  for (const [name, parts, table, expected] of cases) {
    test(name, () => {
      const decision = decideRead(snapshot(parts), alice, table);
      assert.deepEqual(readable(decision), expected);
      assert.equal(decision.allowed, expected.length > 0);
      assert.equal(decision.columns.length, table.columns.length);
    });
  }

  test('each readable column lists the grants that make it readable, most general first', () => {
    const onDb = grant('SELECT', db('ads'), role('analyst'), { id: 'g_db' });
    const onCol = grant('SELECT', col('ads', 'events', 'id'), userG('alice'), { id: 'g_col' });
    const onTagsGrant = grant('SELECT', tags('domain=ads'), role('analyst'), { id: 'g_tags' });
    const d = decideRead(snapshot({ grants: [onTagsGrant, onCol, onDb], tags: [dbTag('ads', 'domain', 'ads')] }), alice, events);
    assert.deepEqual(d.columns[0]?.grants.map((g) => g.id), ['g_db', 'g_col', 'g_tags']);
    assert.deepEqual(d.columns[1]?.grants.map((g) => g.id), ['g_db', 'g_tags']);
  });

  test('a hidden column says which grant is missing and what the principal holds there', () => {
    const d = decideRead(
      snapshot({ grants: [grant('SELECT', col('ads', 'events', 'id'), role('analyst')), grant('INSERT', tbl('ads', 'events'), role('etl'))] }),
      principal('alice', { roles: ['analyst', 'etl'] }),
      events,
    );
    const msisdn = d.columns.find((c) => c.name === 'msisdn');
    assert.equal(msisdn?.readable, false);
    assert.match(msisdn?.reason ?? '', /^no SELECT grant covers column ads\.events\.msisdn \(grants on ads\.events: /);
    assert.match(msisdn?.reason ?? '', /INSERT to ROLE etl/);
    assert.match(msisdn?.reason ?? '', /SELECT on COLUMN ads\.events\.id to ROLE analyst/);
  });

  test('a column excluded by its own tag names the tag grant it misses', () => {
    const d = decideRead(
      snapshot({
        grants: [grant('SELECT', tags('pii=false'), role('analyst'), { id: 'g_pii' })],
        tags: [dbTag('ads', 'pii', 'false'), columnTag('ads', 'events', 'msisdn', 'pii', 'true')],
      }),
      alice,
      events,
    );
    const reason = d.columns.find((c) => c.name === 'msisdn')?.reason ?? '';
    assert.match(reason, /SELECT granted on TAGS pii=false to ROLE analyst \(grant g_pii\) does not match its tags \(pii=true\)/);
  });

  test('a denied read says what grant would allow it', () => {
    const d = decideRead(snapshot({ grants: [grant('INSERT', tbl('ads', 'events'), role('analyst'))], tags: [dbTag('ads', 'domain', 'ads')] }), alice, events);
    assert.equal(d.allowed, false);
    assert.equal(d.table, 'ads.events');
    assert.match(d.reason ?? '', /no SELECT grant covers the table or any of its columns \(grants on ads\.events: INSERT to ROLE analyst\)/);
    assert.match(d.reason ?? '', /GRANT SELECT on TABLE ads\.events \(or on DATABASE ads, on some of its columns, or on TAGS matching its tags \(domain=ads\)\) to USER alice/);
  });

  test('columns carry their effective tags (database ← table ← column)', () => {
    const d = decideRead(
      snapshot({ tags: [dbTag('ads', 'domain', 'ads'), dbTag('ads', 'pii', 'false'), tableTag('ads', 'events', 'team', 'growth'), columnTag('ads', 'events', 'msisdn', 'pii', 'true')] }),
      alice,
      events,
    );
    assert.deepEqual(d.columns[0]?.tags, { domain: 'ads', pii: 'false', team: 'growth' });
    assert.deepEqual(d.columns[2]?.tags, { domain: 'ads', pii: 'true', team: 'growth' });
  });
});

describe('decideRead: administrators', () => {
  test('see every column raw, with no mask and no row filter', () => {
    const admin = principal('root', { administrator: true });
    const d = decideRead(
      snapshot({
        masks: [mask('m', { kind: 'null' }, [onColumn('ads', 'events', 'msisdn')])],
        rowFilters: [rowFilter('f', onTable('ads', 'events'), 'false')],
      }),
      admin,
      events,
    );
    assert.equal(d.allowed, true);
    assert.deepEqual(readable(d), ALL);
    assert.equal(d.columns.some((c) => c.mask !== undefined), false);
    assert.deepEqual(d.rowFilters, []);
  });
});

describe('decideRead: masks', () => {
  const reader = grant('SELECT', tbl('ads', 'events'), role('analyst'));
  const maskOf = (parts: Partial<PolicySnapshot>, who: PrincipalContext = alice, column = 'msisdn') =>
    decideRead(snapshot({ grants: [reader], ...parts }), who, events).columns.find((c) => c.name === column)?.mask;

  const precedence: [MaskFunction, MaskFunction][] = [
    [{ kind: 'null' }, { kind: 'redact' }],
    [{ kind: 'redact' }, { kind: 'hash' }],
    [{ kind: 'hash' }, { kind: 'expression', sql: 'value' }],
    [{ kind: 'expression', sql: 'value' }, { kind: 'partial', keepLast: 4 }],
    [{ kind: 'partial', keepLast: 4 }, { kind: 'bucket', width: 10 }],
    [{ kind: 'bucket', width: 10 }, { kind: 'round', digits: 0 }],
  ];
  for (const [stricter, looser] of precedence) {
    test(`${stricter.kind} wins over ${looser.kind}, whatever the names and order`, () => {
      const target = [onColumn('ads', 'events', 'msisdn')];
      const m = maskOf({ masks: [mask('a_loose', looser, target), mask('z_strict', stricter, target)] });
      assert.equal(m?.policy, 'z_strict');
      assert.deepEqual(m?.outranked, ['a_loose']);
    });
  }

  test('ties go to the alphabetically first name', () => {
    const target = [onColumn('ads', 'events', 'msisdn')];
    const m = maskOf({ masks: [mask('pii_b', { kind: 'hash' }, target), mask('pii_a', { kind: 'hash' }, target)] });
    assert.equal(m?.policy, 'pii_a');
    assert.equal(m?.hashKey, 'key-pii_a');
    assert.deepEqual(m?.outranked, ['pii_b']);
  });

  test('a tags target masks every column whose effective tags satisfy it, and only those', () => {
    const d = decideRead(
      snapshot({ grants: [reader], masks: [mask('pii', { kind: 'redact' }, [onTags('pii=true')])], tags: [columnTag('ads', 'events', 'msisdn', 'pii', 'true')] }),
      alice,
      events,
    );
    assert.deepEqual(
      d.columns.map((c) => c.mask?.policy ?? null),
      [null, null, 'pii', null],
    );
    assert.equal(d.columns[2]?.mask?.via, 'tags');
  });

  test('a column target is matched case-insensitively and reported as via column', () => {
    const m = decideRead(
      snapshot({ grants: [reader], masks: [mask('m', { kind: 'null' }, [onColumn('ads', 'events', 'msisdn')])] }),
      alice,
      shape('Ads', 'EVENTS', ['MSISDN']),
    ).columns[0]?.mask;
    assert.equal(m?.policy, 'm');
    assert.equal(m?.via, 'column');
  });

  test('a column mask and a stricter tag mask: the tag mask wins and lists the other as outranked', () => {
    const m = maskOf({
      masks: [mask('last4', { kind: 'partial', keepLast: 4 }, [onColumn('ads', 'events', 'msisdn')]), mask('pii', { kind: 'null' }, [onTags('pii=true')])],
      tags: [tableTag('ads', 'events', 'pii', 'true')],
    });
    assert.equal(m?.policy, 'pii');
    assert.equal(m?.via, 'tags');
    assert.deepEqual(m?.outranked, ['last4']);
  });

  const exemptions: [string, PrincipalContext][] = [
    ['the principal by name', principal('alice')],
    ['a group of the principal', principal('carol', { groups: ['privacy'] })],
    ['a role of the principal', principal('dave', { roles: ['dpo'] })],
  ];
  for (const [how, who] of exemptions) {
    test(`an exemption naming ${how} shows the raw value; the next strictest applicable mask wins`, () => {
      const target = [onColumn('ads', 'events', 'msisdn')];
      const parts = {
        grants: [grant('SELECT', catalog, userG(who.name))],
        masks: [mask('strict', { kind: 'null' }, target, [userG('alice'), group('privacy'), role('dpo')]), mask('loose', { kind: 'round', digits: 0 }, target)],
      };
      assert.equal(maskOf(parts, who)?.policy, 'loose');
      assert.equal(maskOf(parts, principal('eve'))?.policy, undefined, 'eve cannot read at all');
      assert.equal(maskOf({ ...parts, grants: [grant('SELECT', catalog, userG('eve'))] }, principal('eve'))?.policy, 'strict');
    });
  }

  test('a mask reaching a column by name and by tags counts once', () => {
    const m = maskOf({
      masks: [mask('m', { kind: 'hash' }, [onColumn('ads', 'events', 'msisdn'), onTags('pii=true')])],
      tags: [tableTag('ads', 'events', 'pii', 'true')],
    });
    assert.equal(m?.via, 'column');
    assert.deepEqual(m?.outranked, []);
  });
});

describe('decideRead: row filters', () => {
  const reader = grant('SELECT', tbl('ads', 'events'), role('analyst'));
  const filtersFor = (parts: Partial<PolicySnapshot>, who: PrincipalContext = alice, table = events) =>
    decideRead(snapshot({ grants: [reader, grant('SELECT', catalog, userG('bob'))], ...parts }), who, table).rowFilters.map((f) => f.name);

  const cases: [string, Partial<PolicySnapshot>, PrincipalContext, string[]][] = [
    ['empty appliesTo means everyone', { rowFilters: [rowFilter('eu', onTable('ads', 'events'), "region = 'eu'")] }, alice, ['eu']],
    ['appliesTo naming a group of the principal', { rowFilters: [rowFilter('eu', onTable('ads', 'events'), 'p', { appliesTo: [group('eu-team')] })] }, alice, ['eu']],
    ['appliesTo naming someone else', { rowFilters: [rowFilter('eu', onTable('ads', 'events'), 'p', { appliesTo: [group('us-team')] })] }, alice, []],
    ['exempt via a role wins over appliesTo', { rowFilters: [rowFilter('eu', onTable('ads', 'events'), 'p', { appliesTo: [userG('alice')], exempt: [role('analyst')] })] }, alice, []],
    ['a filter on another table does not apply', { rowFilters: [rowFilter('x', onTable('ads', 'clicks'), 'p')] }, alice, []],
    [
      'a tags target uses the table effective tags (inherited from the database)',
      { rowFilters: [rowFilter('t', onTags('domain=ads'), 'p')], tags: [dbTag('ads', 'domain', 'ads')] },
      alice,
      ['t'],
    ],
    [
      'a tags target is not satisfied by a column tag alone',
      { rowFilters: [rowFilter('t', onTags('pii=true'), 'p')], tags: [columnTag('ads', 'events', 'msisdn', 'pii', 'true')] },
      alice,
      [],
    ],
    [
      'all applicable filters are returned (ANDed), sorted by name',
      {
        rowFilters: [rowFilter('z_region', onTable('ads', 'events'), 'p1'), rowFilter('a_tenant', onTags('domain=ads'), 'p2'), rowFilter('m_other', onTable('ads', 'events'), 'p3', { exempt: [userG('alice')] })],
        tags: [tableTag('ads', 'events', 'domain', 'ads')],
      },
      alice,
      ['a_tenant', 'z_region'],
    ],
    ['a different principal gets the filter its exemption does not cover', { rowFilters: [rowFilter('f', onTable('ads', 'events'), 'p', { exempt: [userG('alice')] })] }, principal('bob'), ['f']],
  ];
  for (const [name, parts, who, expected] of cases) {
    test(name, () => assert.deepEqual(filtersFor(parts, who), expected));
  }

  test('a table target matches case-insensitively and reports its predicate and origin', () => {
    const d = decideRead(
      snapshot({ grants: [reader], rowFilters: [rowFilter('eu', onTable('ads', 'events'), "region = current_principal_attribute('region')")] }),
      alice,
      shape('ADS', 'Events', ['region']),
    );
    assert.deepEqual(d.rowFilters, [{ name: 'eu', predicate: "region = current_principal_attribute('region')", via: 'table' }]);
  });
});
