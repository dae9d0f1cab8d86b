import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import type { PrincipalContext } from '../model.ts';
import { bindPrincipalFunctions } from './index.ts';

const BOB: PrincipalContext = {
  name: 'bob',
  administrator: false,
  groups: ['analysts'],
  roles: ['auditor'],
  attributes: { region: 'eu', team: "o'neil's" },
};

describe('bindPrincipalFunctions', () => {
  const cases: readonly [string, string][] = [
    ['owner = current_principal()', "owner = 'bob'"],
    ["region = current_principal_attribute('region')", "region = 'eu'"],
    ["team = current_principal_attribute('team')", "team = 'o''neil''s'"],
    ["region = current_principal_attribute('missing')", 'region = NULL'],
    ["x = current_principal_attribute('__proto__') OR y = current_principal_attribute('toString')", 'x = NULL OR y = NULL'],
    ["is_member('analysts') AND NOT is_member('hr')", 'TRUE AND NOT FALSE'],
    ["IS_MEMBER('Analysts') OR Has_Role ( 'AUDITOR' )", 'TRUE OR TRUE'],
    ["has_role('admin')", 'FALSE'],
    ["\"is_member\"('analysts')", 'TRUE'],
    ["note = 'is_member(''hr'')' -- current_principal()", "note = 'is_member(''hr'')' -- current_principal()"],
    ['is_member = 1 AND t.current_principal(x) = 2', 'is_member = 1 AND t.current_principal(x) = 2'],
  ];
  for (const [input, output] of cases) {
    test(`${input} → ${output}`, () => {
      assert.equal(bindPrincipalFunctions(input, BOB), output);
    });
  }

  test('refuses calls whose argument is not one string literal', () => {
    for (const bad of ['is_member(grp)', "has_role('a', 'b')", 'current_principal_attribute()', "current_principal('x')", "is_member('unterminated)"]) {
      assert.throws(() => bindPrincipalFunctions(bad, BOB), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'), bad);
    }
  });
});
