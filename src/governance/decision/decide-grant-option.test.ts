import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Grant, Privilege, Securable } from '../model.ts';
import { decideGrantOption } from './decide-grant-option.ts';
import { catalog, col, db, grant, group, principal, role, snapshot, tags, tbl, userG } from './decision-fixtures.ts';

const carol = principal('carol', { groups: ['stewards'], roles: ['owner'] });
const withOption = { withGrantOption: true };

describe('decideGrantOption', () => {
  const cases: [string, Grant[], Privilege, Securable, boolean][] = [
    ['holding nothing: denied', [], 'SELECT', tbl('ads', 'events'), false],
    ['holds SELECT on the table without grant option: denied', [grant('SELECT', tbl('ads', 'events'), userG('carol'))], 'SELECT', tbl('ads', 'events'), false],
    ['holds SELECT on the table with grant option: allowed', [grant('SELECT', tbl('ads', 'events'), userG('carol'), withOption)], 'SELECT', tbl('ads', 'events'), true],
    ['with grant option on the database covers a table', [grant('SELECT', db('ads'), role('owner'), withOption)], 'SELECT', tbl('ads', 'events'), true],
    ['with grant option on the catalog covers a column', [grant('SELECT', catalog, group('stewards'), withOption)], 'SELECT', col('ads', 'events', 'id'), true],
    ['with grant option on the table covers its column', [grant('SELECT', tbl('ads', 'events'), role('owner'), withOption)], 'SELECT', col('ads', 'events', 'id'), true],
    ['with grant option on a column does not cover the table', [grant('SELECT', col('ads', 'events', 'id'), role('owner'), withOption)], 'SELECT', tbl('ads', 'events'), false],
    ['with grant option on a column covers that column', [grant('SELECT', col('ads', 'events', 'id'), role('owner'), withOption)], 'SELECT', col('ADS', 'Events', 'ID'), true],
    ['with grant option on another database: denied', [grant('SELECT', db('crm'), role('owner'), withOption)], 'SELECT', tbl('ads', 'events'), false],
    ['grant option for SELECT does not let one grant INSERT', [grant('SELECT', db('ads'), role('owner'), withOption)], 'INSERT', tbl('ads', 'events'), false],
    ['ADMIN on an ancestor carries the option without the flag', [grant('ADMIN', db('ads'), role('owner'))], 'DELETE', tbl('ads', 'events'), true],
    ['ADMIN on a table lets one grant ADMIN on it', [grant('ADMIN', tbl('ads', 'events'), role('owner'))], 'ADMIN', tbl('ads', 'events'), true],
    ['ADMIN on a table does not cover its database', [grant('ADMIN', tbl('ads', 'events'), role('owner'))], 'SELECT', db('ads'), false],
    ['a tag grant with option does not cover a named table', [grant('SELECT', tags('domain=ads'), role('owner'), withOption)], 'SELECT', tbl('ads', 'events'), false],
    ['only SELECT may be granted on a column', [grant('ADMIN', catalog, role('owner'))], 'INSERT', col('ads', 'events', 'id'), false],
    ['tags: identical expression with option', [grant('SELECT', tags('domain=ads AND pii=false'), role('owner'), withOption)], 'SELECT', tags('DOMAIN=ads and pii = false'), true],
    ['tags: identical expression, ADMIN', [grant('ADMIN', tags('domain=ads'), role('owner'))], 'INSERT', tags('domain=ads'), true],
    ['tags: identical expression without option', [grant('SELECT', tags('domain=ads'), role('owner'))], 'SELECT', tags('domain=ads'), false],
    ['tags: a broader expression does not count', [grant('SELECT', tags('domain=ads'), role('owner'), withOption)], 'SELECT', tags('domain=ads AND pii=false'), false],
    ['tags: reordered OR is not identical', [grant('SELECT', tags('a=1 OR b=2'), role('owner'), withOption)], 'SELECT', tags('b=2 OR a=1'), false],
    ['tags: catalog ADMIN does not count', [grant('ADMIN', catalog, role('owner'))], 'SELECT', tags('domain=ads'), false],
    ['someone else holding the option does not count', [grant('SELECT', catalog, userG('dave'), withOption)], 'SELECT', tbl('ads', 'events'), false],
  ];
  for (const [name, grants, privilege, securable, expected] of cases) {
    test(name, () => {
      const d = decideGrantOption(snapshot({ grants }), carol, privilege, securable);
      assert.equal(d.allowed, expected, d.reason);
      assert.equal(d.grants.length > 0, expected);
    });
  }

  test('administrators may grant anything, even on tags', () => {
    const admin = principal('root', { administrator: true });
    assert.equal(decideGrantOption(snapshot(), admin, 'SELECT', tags('domain=ads')).allowed, true);
    assert.equal(decideGrantOption(snapshot(), admin, 'ADMIN', catalog).allowed, true);
  });

  test('a denial names the grant held without option and where the option is needed', () => {
    const d = decideGrantOption(snapshot({ grants: [grant('SELECT', db('ads'), role('owner'), { id: 'g_1' })] }), carol, 'SELECT', tbl('ads', 'events'));
    assert.match(d.reason, /needs SELECT WITH GRANT OPTION or ADMIN on TABLE ads\.events, DATABASE ads or the CATALOG/);
    assert.match(d.reason, /holds SELECT on DATABASE ads to ROLE owner \(grant g_1\), without grant option/);
  });

  test('an allowed decision names the grant with its option', () => {
    const d = decideGrantOption(snapshot({ grants: [grant('SELECT', db('ads'), role('owner'), { id: 'g_2', withGrantOption: true })] }), carol, 'SELECT', tbl('ads', 'events'));
    assert.match(d.reason, /holds SELECT WITH GRANT OPTION on DATABASE ads to ROLE owner \(grant g_2\)/);
  });
});
