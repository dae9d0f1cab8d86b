import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import type { Grantee, Securable, TagExpression } from '../model.ts';
import { ALL_PRIVILEGES, parseGovernanceStatement, type GovernanceStatement } from './index.ts';

const user = (name: string): Grantee => ({ kind: 'principal', name });
const group = (name: string): Grantee => ({ kind: 'group', name });
const role = (name: string): Grantee => ({ kind: 'role', name });
const table = (database: string, t: string): Securable => ({ kind: 'table', database, table: t });
const column = (database: string, t: string, c: string): Securable => ({ kind: 'column', database, table: t, column: c });
const tags = (expression: TagExpression): Securable => ({ kind: 'tags', expression });
const tag = (key: string, ...values: string[]): TagExpression => ({ kind: 'in', key, values });

describe('parseGovernanceStatement', () => {
  const parsed: Array<[string, GovernanceStatement]> = [
    // GRANT: privileges
    ['GRANT SELECT ON db.t TO alice', { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('alice'), withGrantOption: false }],
    ['grant select on table DB.T to user Alice', { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('alice'), withGrantOption: false }],
    [
      'GRANT SELECT, INSERT, delete ON db.t TO PRINCIPAL bob',
      { kind: 'grant', privileges: ['SELECT', 'INSERT', 'DELETE'], securables: [table('db', 't')], grantee: user('bob'), withGrantOption: false },
    ],
    ['GRANT ALL ON CATALOG TO ROLE ops', { kind: 'grant', privileges: [...ALL_PRIVILEGES], securables: [{ kind: 'catalog' }], grantee: role('ops'), withGrantOption: false }],
    [
      'GRANT ALL PRIVILEGES ON DATABASE ads TO GROUP analysts WITH GRANT OPTION',
      { kind: 'grant', privileges: [...ALL_PRIVILEGES], securables: [{ kind: 'database', database: 'ads' }], grantee: group('analysts'), withGrantOption: true },
    ],
    ['GRANT CREATE TABLE ON SCHEMA ads TO alice', { kind: 'grant', privileges: ['CREATE_TABLE'], securables: [{ kind: 'database', database: 'ads' }], grantee: user('alice'), withGrantOption: false }],
    ['GRANT create_table, DESCRIBE ON DATABASE ads TO alice', { kind: 'grant', privileges: ['CREATE_TABLE', 'DESCRIBE'], securables: [{ kind: 'database', database: 'ads' }], grantee: user('alice'), withGrantOption: false }],
    ['GRANT ADMIN ON db.t TO alice', { kind: 'grant', privileges: ['ADMIN'], securables: [table('db', 't')], grantee: user('alice'), withGrantOption: false }],
    ['GRANT ALTER, DROP, ALTER ON db.t TO alice', { kind: 'grant', privileges: ['ALTER', 'DROP'], securables: [table('db', 't')], grantee: user('alice'), withGrantOption: false }],
    // GRANT: columns
    [
      'GRANT SELECT (msisdn, Region, msisdn) ON TABLE telco.calls TO GROUP analysts',
      { kind: 'grant', privileges: ['SELECT'], securables: [column('telco', 'calls', 'msisdn'), column('telco', 'calls', 'region')], grantee: group('analysts'), withGrantOption: false },
    ],
    ['GRANT SELECT("A") ON "Db"."T" TO alice', { kind: 'grant', privileges: ['SELECT'], securables: [column('db', 't', 'a')], grantee: user('alice'), withGrantOption: false }],
    // GRANT: names and comments
    ['GRANT SELECT ON db.t TO etl-nightly', { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('etl-nightly'), withGrantOption: false }],
    ['GRANT SELECT ON db.t TO USER alice@example.com', { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('alice@example.com'), withGrantOption: false }],
    ['GRANT SELECT ON db.t TO "Svc.Reports"', { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('svc.reports'), withGrantOption: false }],
    ['GRANT SELECT ON db.t TO role', { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('role'), withGrantOption: false }],
    ['GRANT SELECT ON db.t TO group WITH GRANT OPTION', { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('group'), withGrantOption: true }],
    ['GRANT SELECT ON tags.events TO alice', { kind: 'grant', privileges: ['SELECT'], securables: [table('tags', 'events')], grantee: user('alice'), withGrantOption: false }],
    ['GRANT SELECT ON table.x TO alice', { kind: 'grant', privileges: ['SELECT'], securables: [table('table', 'x')], grantee: user('alice'), withGrantOption: false }],
    [
      '-- give alice read access\nGRANT /* only reads */ SELECT ON db.t TO alice;',
      { kind: 'grant', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('alice'), withGrantOption: false },
    ],
    // GRANT: tags
    ['GRANT SELECT ON TAGS domain=ads TO alice', { kind: 'grant', privileges: ['SELECT'], securables: [tags(tag('domain', 'ads'))], grantee: user('alice'), withGrantOption: false }],
    [
      'GRANT SELECT ON TAGS domain = Ads AND pii IN (none, low) TO ROLE reader WITH GRANT OPTION',
      {
        kind: 'grant',
        privileges: ['SELECT'],
        securables: [tags({ kind: 'and', left: tag('domain', 'ads'), right: tag('pii', 'none', 'low') })],
        grantee: role('reader'),
        withGrantOption: true,
      },
    ],
    [
      "GRANT DESCRIBE ON TAGS (team=growth OR domain=ads) /* either */ AND conf='top secret' TO alice",
      {
        kind: 'grant',
        privileges: ['DESCRIBE'],
        securables: [tags({ kind: 'and', left: { kind: 'or', left: tag('team', 'growth'), right: tag('domain', 'ads') }, right: tag('conf', 'top secret') })],
        grantee: user('alice'),
        withGrantOption: false,
      },
    ],
    [
      'GRANT SELECT ON TAGS to=from AND k IN (to, from) TO alice',
      {
        kind: 'grant',
        privileges: ['SELECT'],
        securables: [tags({ kind: 'and', left: tag('to', 'from'), right: tag('k', 'to', 'from') })],
        grantee: user('alice'),
        withGrantOption: false,
      },
    ],
    // REVOKE
    ['REVOKE SELECT ON db.t FROM alice', { kind: 'revoke', privileges: ['SELECT'], securables: [table('db', 't')], grantee: user('alice'), grantOptionOnly: false }],
    [
      'revoke grant option for insert, delete on ads.clicks from "etl-nightly"',
      { kind: 'revoke', privileges: ['INSERT', 'DELETE'], securables: [table('ads', 'clicks')], grantee: user('etl-nightly'), grantOptionOnly: true },
    ],
    ['REVOKE ALL PRIVILEGES ON CATALOG FROM GROUP analysts', { kind: 'revoke', privileges: [...ALL_PRIVILEGES], securables: [{ kind: 'catalog' }], grantee: group('analysts'), grantOptionOnly: false }],
    ['REVOKE SELECT (a, b) ON db.t FROM ROLE r', { kind: 'revoke', privileges: ['SELECT'], securables: [column('db', 't', 'a'), column('db', 't', 'b')], grantee: role('r'), grantOptionOnly: false }],
    ['REVOKE SELECT ON TAGS pii=none FROM alice', { kind: 'revoke', privileges: ['SELECT'], securables: [tags(tag('pii', 'none'))], grantee: user('alice'), grantOptionOnly: false }],
    // SHOW GRANTS
    ['SHOW GRANTS', { kind: 'showGrants' }],
    ['show grants to alice', { kind: 'showGrants', grantee: user('alice') }],
    ['SHOW GRANTS FOR GROUP analysts', { kind: 'showGrants', grantee: group('analysts') }],
    ['SHOW GRANTS ON db.t', { kind: 'showGrants', on: table('db', 't') }],
    ['SHOW GRANTS TO ROLE r ON DATABASE ads', { kind: 'showGrants', grantee: role('r'), on: { kind: 'database', database: 'ads' } }],
    ['SHOW GRANTS ON TAGS domain=ads', { kind: 'showGrants', on: tags(tag('domain', 'ads')) }],
    ['SHOW GRANTS ON TAGS domain=ads FOR USER bob;', { kind: 'showGrants', grantee: user('bob'), on: tags(tag('domain', 'ads')) }],
    ['SHOW GRANTS ON CATALOG', { kind: 'showGrants', on: { kind: 'catalog' } }],
  ];
  for (const [sql, expected] of parsed) {
    test(`parses ${JSON.stringify(sql)}`, () => {
      assert.deepEqual(parseGovernanceStatement(sql), expected);
    });
  }

  const notGovernance = ['SELECT * FROM db.t', 'SHOW TABLES', 'SHOW GRANT', 'CREATE TABLE db.grant (a int)', '-- GRANT\nSELECT 1', "SELECT 'GRANT'", ''];
  for (const sql of notGovernance) {
    test(`returns undefined for ${JSON.stringify(sql)}`, () => {
      assert.equal(parseGovernanceStatement(sql), undefined);
    });
  }

  /** [statement, what the message must say, the position it must point at] */
  const errors: Array<[string, RegExp, number]> = [
    ['GRANT', /expected a privilege/, 5],
    ['GRANT ON db.t TO alice', /expected a privilege \(SELECT.*ALL\) near "ON"/, 6],
    ['GRANT SELEC ON db.t TO alice', /expected a privilege .* near "SELEC"/, 6],
    ['GRANT SELECT INSERT ON db.t TO alice', /expected ",", a column list "\(…\)" or ON near "INSERT"/, 13],
    ['GRANT SELECT, ON db.t TO alice', /expected a privilege/, 14],
    ['GRANT CREATE ON db TO alice', /expected TABLE after CREATE/, 13],
    ['GRANT SELECT ON TO alice', /expected CATALOG, DATABASE db.* near "TO"/, 16],
    ['GRANT SELECT ON db TO alice', /write DATABASE db for the database or db\.table/, 16],
    ['GRANT SELECT ON db. TO alice', /expected a table name near "TO"/, 20],
    ['GRANT SELECT ON db.t.c TO alice', /a table name has two parts/, 20],
    ['GRANT SELECT ON DATABASE TO alice', /expected a database name near "TO"/, 25],
    ['GRANT SELECT ON db.t', /expected TO and the grantee at the end/, 20],
    ['GRANT SELECT ON db.t alice', /expected TO and the grantee near "alice"/, 21],
    ['GRANT SELECT ON db.t TO', /expected a grantee/, 23],
    ['GRANT SELECT ON db.t TO ,', /expected a grantee: \[USER\|PRINCIPAL\|GROUP\|ROLE\] name near ","/, 24],
    ['GRANT SELECT ON db.t TO alice bob', /expected WITH GRANT OPTION or the end of the statement near "bob"/, 30],
    ['GRANT SELECT ON db.t TO alice WITH OPTION', /expected GRANT OPTION after WITH/, 35],
    ['GRANT SELECT ON db.t TO alice WITH GRANT OPTION now', /expected the end of the statement near "now"/, 48],
    ['GRANT SELECT ON db.t TO "Bad Name"', /Invalid principal name/, 24],
    ['GRANT SELECT ON db.t TO ""', /expected a name, not an empty quoted identifier/, 24],
    ['GRANT INSERT (a) ON db.t TO alice', /column list is allowed only with SELECT alone/, 13],
    ['GRANT ALL (a) ON db.t TO alice', /column list is allowed only with SELECT alone/, 10],
    ['GRANT SELECT, INSERT (a) ON db.t TO alice', /column list is allowed only with SELECT alone/, 21],
    ['GRANT SELECT (a ON db.t TO alice', /expected "," or "\)" in the column list near "ON"/, 16],
    ['GRANT SELECT () ON db.t TO alice', /expected a column name near "\)"/, 14],
    ['GRANT SELECT (a) ON DATABASE db TO alice', /a column list needs a table target/, 20],
    ['GRANT SELECT (a) ON TAGS pii=none TO alice', /a column list needs a table target/, 20],
    ['GRANT SELECT ON TAGS TO alice', /expected a tag expression after TAGS/, 21],
    ['GRANT SELECT ON TAGS domain=ads', /expected TO and the grantee after the tag expression at the end/, 31],
    ['GRANT SELECT ON TAGS domain=ads alice', /expected AND, OR or the end.*; after the expression, expected TO and the grantee/, 32],
    ['GRANT SELECT ON TAGS domain=ads AND TO alice', /expected a tag key/, 36],
    ['GRANT SELECT ON TAGS domain=ads /* c */ AND /* d */ TO alice', /expected a tag key/, 52],
    ['GRANT SELECT ON TAGS domain=ads AND NOT pii=x TO alice', /expected "=" or IN after the key/, 40],
    ['GRANT SELECT ON TAGS domain IN (ads TO alice', /expected "," or "\)"/, 36],
    ['GRANT SELECT ON TAGS domain ads TO alice', /expected "=" or IN after the key/, 28],
    ['REVOKE GRANT SELECT ON db.t FROM alice', /expected OPTION FOR after REVOKE GRANT/, 13],
    ['REVOKE SELECT ON db.t TO alice', /expected FROM and the grantee near "TO"/, 22],
    ['REVOKE SELECT ON db.t FROM alice WITH GRANT OPTION', /expected the end of the statement near "WITH"/, 33],
    ['REVOKE SELECT ON TAGS a=b TO alice', /expected AND, OR or the end.*expected FROM and the grantee/, 26],
    ['SHOW GRANTS alice', /expected TO <grantee>, ON <securable> or the end of the statement near "alice"/, 12],
    ['SHOW GRANTS TO alice TO bob', /SHOW GRANTS names one grantee near "TO"/, 21],
    ['SHOW GRANTS ON db.t ON db.u', /SHOW GRANTS names one securable/, 20],
    ['SHOW GRANTS ON', /expected CATALOG, DATABASE db/, 14],
    ['GRANT SELECT ON db."t TO alice', /expected a table name/, 19],
  ];
  for (const [sql, message, position] of errors) {
    test(`rejects ${JSON.stringify(sql)}`, () => {
      assert.throws(
        () => parseGovernanceStatement(sql),
        (error) => {
          assert.ok(StrataError.is(error, 'SQL_ERROR'), `SQL_ERROR, got ${String(error)}`);
          assert.match(error.message, message);
          assert.equal(error.details['position'], position, error.message);
          return true;
        },
      );
    });
  }
});
