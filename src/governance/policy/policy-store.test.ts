import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { SqliteCatalogBackend } from '../../catalog/index.ts';
import { StrataError, type StrataErrorCode } from '../../core/index.ts';
import { IdentityStore } from '../identity/identity-store.ts';
import type { Grantee, Securable, TagExpression } from '../model.ts';
import { parseTagExpression } from '../tags/tag-expression.ts';
import { PolicyStore } from './policy-store.ts';

const hasCode = (code: StrataErrorCode) => (error: unknown) => StrataError.is(error, code);

async function caught(fn: () => Promise<unknown>): Promise<StrataError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof StrataError) return error;
    throw error;
  }
  assert.fail('expected a StrataError');
}

const alice: Grantee = { kind: 'principal', name: 'alice' };
const bob: Grantee = { kind: 'principal', name: 'bob' };
const analysts: Grantee = { kind: 'group', name: 'analysts' };
const auditor: Grantee = { kind: 'role', name: 'auditor' };
const clicks = { kind: 'table', database: 'ads', table: 'clicks' } as const;
const column = (name: string): Securable => ({ kind: 'column', database: 'ads', table: 'clicks', column: name });

interface Fixture {
  readonly policies: PolicyStore;
  readonly identity: IdentityStore;
  /** Sets the clock both stores read. */
  setTime(ms: number): void;
}

describe('PolicyStore', () => {
  let dir: string;
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-policy-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** One catalog file; both stores share its connection; alice, bob, analysts and auditor exist. */
  async function withStores(fn: (f: Fixture) => Promise<void>): Promise<void> {
    const catalog = await SqliteCatalogBackend.open(join(dir, `case-${++n}`, 'catalog.db'));
    let now = 1_000;
    const clock = () => now;
    try {
      const identity = await IdentityStore.open(catalog.connection, { clock });
      const policies = await PolicyStore.open(catalog.connection, { clock });
      await identity.createPrincipal('alice');
      await identity.createPrincipal('bob');
      await identity.createGroup('analysts');
      await identity.createRole('auditor');
      await fn({ policies, identity, setTime: (ms) => (now = ms) });
      await policies.close();
    } finally {
      await catalog.close();
    }
  }

  describe('grants', () => {
    test('grants on every kind of securable round-trip, with lowercased names, random ids and the clock', () =>
      withStores(async ({ policies, setTime }) => {
        await policies.createTagKey('domain', ['ads', 'growth']);
        setTime(5_000);
        const expression = parseTagExpression('domain=ads');
        const made = [
          await policies.grant({ privilege: 'CREATE_TABLE', securable: { kind: 'catalog' }, grantee: auditor, grantedBy: 'system' }),
          await policies.grant({ privilege: 'DESCRIBE', securable: { kind: 'database', database: 'Ads' }, grantee: analysts, grantedBy: 'alice' }),
          await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'ADS', table: 'Clicks' }, grantee: alice, grantedBy: 'alice' }),
          await policies.grant({ privilege: 'SELECT', securable: column('User_ID'), grantee: bob, withGrantOption: true, grantedBy: 'alice' }),
          await policies.grant({ privilege: 'SELECT', securable: { kind: 'tags', expression }, grantee: analysts, grantedBy: 'alice' }),
        ];
        for (const grant of made) assert.match(grant.id, /^g_[0-9a-f]{12}$/);
        assert.equal(new Set(made.map((g) => g.id)).size, made.length);
        assert.deepEqual(made[2]?.securable, { kind: 'table', database: 'ads', table: 'clicks' });
        assert.deepEqual(made[3]?.securable, { kind: 'column', database: 'ads', table: 'clicks', column: 'user_id' });
        assert.equal(made[3]?.withGrantOption, true);
        assert.equal(made[0]?.withGrantOption, false);
        assert.equal(made[1]?.createdAt, 5_000);
        assert.equal(made[1]?.grantedBy, 'alice');
        // Deterministic order: catalog, database, table, column, tags.
        assert.deepEqual(await policies.listGrants(), made);
      }));

    test('granting again is idempotent, can upgrade the grant option and never downgrades it', () =>
      withStores(async ({ policies, setTime }) => {
        const first = await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'bob' });
        setTime(9_000);
        const again = await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'ADS', table: 'clicks' }, grantee: alice, grantedBy: 'carol' });
        assert.deepEqual(again, first);
        const upgraded = await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, withGrantOption: true, grantedBy: 'carol' });
        assert.deepEqual(upgraded, { ...first, withGrantOption: true });
        const notDowngraded = await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, withGrantOption: false, grantedBy: 'carol' });
        assert.equal(notDowngraded.withGrantOption, true);
        assert.equal((await policies.listGrants()).length, 1);
      }));

    test('only SELECT can be granted on a column; bad privileges, securables and grantors are refused', () =>
      withStores(async ({ policies }) => {
        const error = await caught(() => policies.grant({ privilege: 'INSERT', securable: column('a'), grantee: alice, grantedBy: 'system' }));
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.equal(error.details.privilege, 'INSERT');
        await assert.rejects(policies.grant({ privilege: 'READ' as 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(
          policies.grant({ privilege: 'SELECT', securable: { kind: 'schema' } as unknown as Securable, grantee: alice, grantedBy: 'system' }),
          hasCode('INVALID_ARGUMENT'),
        );
        await assert.rejects(policies.grant({ privilege: 'SELECT', securable: { kind: 'database', database: '' }, grantee: alice, grantedBy: 'system' }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.grant({ privilege: 'SELECT', securable: clicks, grantee: { kind: 'principal', name: 'Alice' }, grantedBy: 'system' }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: '' }), hasCode('INVALID_ARGUMENT'));
        assert.deepEqual(await policies.listGrants(), []);
      }));

    test('a missing grantee fails with PRINCIPAL_NOT_FOUND saying which kind', () =>
      withStores(async ({ policies }) => {
        for (const kind of ['principal', 'group', 'role'] as const) {
          const error = await caught(() => policies.grant({ privilege: 'SELECT', securable: clicks, grantee: { kind, name: 'ghost' }, grantedBy: 'system' }));
          assert.equal(error.code, 'PRINCIPAL_NOT_FOUND');
          assert.deepEqual(error.details, { kind, name: 'ghost' });
        }
        assert.deepEqual(await policies.listGrants(), []);
      }));

    test('a tags securable must name existing keys and allowed values', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('domain', ['ads', 'growth']);
        const unknownKey = await caught(() =>
          policies.grant({ privilege: 'SELECT', securable: { kind: 'tags', expression: parseTagExpression('team=ads') }, grantee: alice, grantedBy: 'system' }),
        );
        assert.equal(unknownKey.code, 'INVALID_ARGUMENT');
        assert.deepEqual(unknownKey.details, { key: 'team', existingKeys: ['domain'] });
        const badValue = await caught(() =>
          policies.grant({ privilege: 'SELECT', securable: { kind: 'tags', expression: parseTagExpression('domain IN (ads, finance)') }, grantee: alice, grantedBy: 'system' }),
        );
        assert.equal(badValue.code, 'INVALID_ARGUMENT');
        assert.deepEqual(badValue.details, { key: 'domain', value: 'finance', allowedValues: ['ads', 'growth'] });
        assert.match(badValue.message, /ads, growth/);
      }));

    test('tag expressions round-trip exactly, including right-nested trees the text form would re-associate', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('a', ['1', '2']);
        await policies.createTagKey('b', ['1']);
        await policies.createTagKey('c', ['1']);
        const leaf = (key: string, ...values: string[]): TagExpression => ({ kind: 'in', key, values });
        const expressions: TagExpression[] = [
          { kind: 'and', left: leaf('a', '2', '1'), right: { kind: 'and', left: leaf('b', '1'), right: leaf('c', '1') } },
          { kind: 'or', left: leaf('a', '1'), right: { kind: 'or', left: leaf('b', '1'), right: { kind: 'and', left: leaf('c', '1'), right: leaf('a', '2') } } },
          parseTagExpression('(a=1 OR b=1) AND c=1'),
        ];
        for (const expression of expressions) {
          const grant = await policies.grant({ privilege: 'SELECT', securable: { kind: 'tags', expression }, grantee: alice, grantedBy: 'system' });
          assert.deepEqual(grant.securable, { kind: 'tags', expression });
        }
        const stored = (await policies.listGrants()).map((g) => (g.securable.kind === 'tags' ? g.securable.expression : undefined));
        assert.equal(stored.length, 3);
        for (const expression of expressions) assert.ok(stored.some((s) => JSON.stringify(s) === JSON.stringify(expression)));
        // Case is folded on the way in.
        const folded = await policies.grant({
          privilege: 'DESCRIBE',
          securable: { kind: 'tags', expression: { kind: 'in', key: 'A', values: ['1'] } },
          grantee: alice,
          grantedBy: 'system',
        });
        assert.deepEqual(folded.securable, { kind: 'tags', expression: { kind: 'in', key: 'a', values: ['1'] } });
      }));

    test('dropping a principal, group or role drops its grants; a recreated principal inherits none', () =>
      withStores(async ({ policies, identity }) => {
        await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: column('a'), grantee: alice, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: bob, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: analysts, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: auditor, grantedBy: 'system' });
        await identity.dropPrincipal('alice');
        await identity.createPrincipal('alice');
        assert.deepEqual(await policies.listGrants({ grantee: alice }), []);
        await identity.dropGroup('analysts');
        await identity.dropRole('auditor');
        assert.deepEqual(
          (await policies.listGrants()).map((g) => g.grantee),
          [bob],
        );
      }));

    test('the grantee columns hold exactly one grantee (CHECK constraint)', () =>
      withStores(async ({ policies }) => {
        const grant = await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' });
        const catalog = await SqliteCatalogBackend.open(join(dir, `case-${n}`, 'catalog.db'));
        try {
          await assert.rejects(sql`UPDATE strata_grant SET grantee_group = 'analysts' WHERE id = ${grant.id}`.execute(catalog.connection.db));
          await assert.rejects(sql`UPDATE strata_grant SET grantee_principal = NULL WHERE id = ${grant.id}`.execute(catalog.connection.db));
        } finally {
          await catalog.close();
        }
      }));

    test('listGrants filters by grantee, database and table', () =>
      withStores(async ({ policies }) => {
        await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'ads', table: 'views' }, grantee: alice, grantedBy: 'system' });
        await policies.grant({ privilege: 'DESCRIBE', securable: { kind: 'database', database: 'ads' }, grantee: bob, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'hr', table: 'clicks' }, grantee: bob, grantedBy: 'system' });
        await policies.grant({ privilege: 'ADMIN', securable: { kind: 'catalog' }, grantee: bob, grantedBy: 'system' });
        const describe = (gs: readonly { securable: Securable }[]) => gs.map((g) => JSON.stringify(g.securable));
        assert.equal((await policies.listGrants({ grantee: alice })).length, 2);
        assert.equal((await policies.listGrants({ grantee: bob })).length, 3);
        assert.deepEqual(describe(await policies.listGrants({ database: 'ADS' })), [
          JSON.stringify({ kind: 'database', database: 'ads' }),
          JSON.stringify(clicks),
          JSON.stringify({ kind: 'table', database: 'ads', table: 'views' }),
        ]);
        assert.deepEqual(describe(await policies.listGrants({ database: 'ads', table: 'clicks' })), [JSON.stringify(clicks)]);
        assert.equal((await policies.listGrants({ table: 'clicks' })).length, 2);
        assert.deepEqual(await policies.listGrants({ grantee: analysts }), []);
      }));
  });

  describe('revoke', () => {
    test('removes the grant and returns it; revoking again is POLICY_NOT_FOUND', () =>
      withStores(async ({ policies }) => {
        const grant = await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' });
        const kept = await policies.grant({ privilege: 'INSERT', securable: clicks, grantee: alice, grantedBy: 'system' });
        assert.deepEqual(await policies.revoke({ privilege: 'SELECT', securable: { kind: 'table', database: 'Ads', table: 'CLICKS' }, grantee: alice }), [grant]);
        assert.deepEqual(await policies.listGrants(), [kept]);
        const error = await caught(() => policies.revoke({ privilege: 'SELECT', securable: clicks, grantee: alice }));
        assert.equal(error.code, 'POLICY_NOT_FOUND');
        assert.match(error.message, /SELECT on TABLE ads\.clicks to USER alice is not granted/);
        await assert.rejects(policies.revoke({ privilege: 'INSERT', securable: clicks, grantee: bob }), hasCode('POLICY_NOT_FOUND'));
      }));

    test('revoking a table privilege also revokes that privilege on its columns, for that grantee only', () =>
      withStores(async ({ policies }) => {
        const table = await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' });
        const a = await policies.grant({ privilege: 'SELECT', securable: column('a'), grantee: alice, grantedBy: 'system' });
        const b = await policies.grant({ privilege: 'SELECT', securable: column('b'), grantee: alice, grantedBy: 'system' });
        const bobs = await policies.grant({ privilege: 'SELECT', securable: column('a'), grantee: bob, grantedBy: 'system' });
        const other = await policies.grant({ privilege: 'SELECT', securable: { kind: 'column', database: 'ads', table: 'views', column: 'a' }, grantee: alice, grantedBy: 'system' });
        const insert = await policies.grant({ privilege: 'INSERT', securable: clicks, grantee: alice, grantedBy: 'system' });
        const removed = await policies.revoke({ privilege: 'SELECT', securable: clicks, grantee: alice });
        assert.deepEqual(removed, [table, a, b]);
        assert.deepEqual(new Set((await policies.listGrants()).map((g) => g.id)), new Set([bobs.id, other.id, insert.id]));
      }));

    test('a table revoke with only column grants left removes those; a column revoke removes one column', () =>
      withStores(async ({ policies }) => {
        const a = await policies.grant({ privilege: 'SELECT', securable: column('a'), grantee: alice, grantedBy: 'system' });
        const b = await policies.grant({ privilege: 'SELECT', securable: column('b'), grantee: alice, grantedBy: 'system' });
        assert.deepEqual(await policies.revoke({ privilege: 'SELECT', securable: column('A'), grantee: alice }), [a]);
        assert.deepEqual(await policies.revoke({ privilege: 'SELECT', securable: clicks, grantee: alice }), [b]);
        assert.deepEqual(await policies.listGrants(), []);
      }));

    test('grantOptionOnly keeps the grant and clears its option (and on the table\'s column grants)', () =>
      withStores(async ({ policies }) => {
        const table = await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, withGrantOption: true, grantedBy: 'system' });
        const col = await policies.grant({ privilege: 'SELECT', securable: column('a'), grantee: alice, withGrantOption: true, grantedBy: 'system' });
        const changed = await policies.revoke({ privilege: 'SELECT', securable: clicks, grantee: alice, grantOptionOnly: true });
        assert.deepEqual(changed, [
          { ...table, withGrantOption: false },
          { ...col, withGrantOption: false },
        ]);
        assert.deepEqual(await policies.listGrants(), changed);
        const error = await caught(() => policies.revoke({ privilege: 'SELECT', securable: clicks, grantee: alice, grantOptionOnly: true }));
        assert.equal(error.code, 'POLICY_NOT_FOUND');
        assert.match(error.message, /without grant option/);
        await assert.rejects(policies.revoke({ privilege: 'DROP', securable: clicks, grantee: alice, grantOptionOnly: true }), hasCode('POLICY_NOT_FOUND'));
        assert.equal((await policies.listGrants()).length, 2);
      }));

    test('tag grants are revoked by their expression', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('domain', ['ads']);
        const securable: Securable = { kind: 'tags', expression: parseTagExpression('domain=ads') };
        const grant = await policies.grant({ privilege: 'SELECT', securable, grantee: analysts, grantedBy: 'system' });
        assert.deepEqual(await policies.revoke({ privilege: 'SELECT', securable: { kind: 'tags', expression: parseTagExpression('DOMAIN=ADS') }, grantee: analysts }), [grant]);
      }));
  });

  describe('tags', () => {
    test('tag keys fold case, drop duplicate values and refuse duplicates, bad words and empty value lists', () =>
      withStores(async ({ policies }) => {
        assert.deepEqual(await policies.createTagKey('PII', ['True', 'false', 'TRUE'], 'personal data'), {
          key: 'pii',
          allowedValues: ['true', 'false'],
          description: 'personal data',
        });
        const duplicate = await caught(() => policies.createTagKey('pii', ['yes']));
        assert.equal(duplicate.code, 'ALREADY_EXISTS');
        assert.deepEqual(duplicate.details, { kind: 'tag key', name: 'pii' });
        await assert.rejects(policies.createTagKey('has space', ['x']), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.createTagKey('ok', ['bad value']), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.createTagKey('ok', []), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.createTagKey('ok', ['x'], 'd'.repeat(300)), hasCode('INVALID_ARGUMENT'));
        await policies.createTagKey('domain', ['ads']);
        assert.deepEqual(
          (await policies.listTagKeys()).map((k) => k.key),
          ['domain', 'pii'],
        );
      }));

    test('addTagValues appends new values only; an unknown key is POLICY_NOT_FOUND', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('domain', ['ads'], 'business domain');
        assert.deepEqual(await policies.addTagValues('Domain', ['Growth', 'ads', 'finance']), {
          key: 'domain',
          allowedValues: ['ads', 'growth', 'finance'],
          description: 'business domain',
        });
        assert.deepEqual((await policies.listTagKeys())[0]?.allowedValues, ['ads', 'growth', 'finance']);
        await assert.rejects(policies.addTagValues('team', ['x']), hasCode('POLICY_NOT_FOUND'));
      }));

    test('assignTag replaces the value per target and key; values must be allowed', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('domain', ['ads', 'growth']);
        await policies.createTagKey('pii', ['true', 'false']);
        await policies.assignTag({ kind: 'database', database: 'Ads' }, 'domain', 'ads');
        await policies.assignTag({ kind: 'table', database: 'ads', table: 'clicks' }, 'domain', 'growth');
        await policies.assignTag({ kind: 'column', database: 'ads', table: 'clicks', column: 'Email' }, 'PII', 'TRUE');
        await policies.assignTag({ kind: 'column', database: 'ads', table: 'clicks', column: 'email' }, 'pii', 'false');
        await policies.assignTag({ kind: 'table', database: 'hr', table: 'people' }, 'pii', 'true');
        assert.deepEqual(await policies.listTagAssignments(), [
          { target: { kind: 'database', database: 'ads' }, key: 'domain', value: 'ads' },
          { target: { kind: 'table', database: 'ads', table: 'clicks' }, key: 'domain', value: 'growth' },
          { target: { kind: 'table', database: 'hr', table: 'people' }, key: 'pii', value: 'true' },
          { target: { kind: 'column', database: 'ads', table: 'clicks', column: 'email' }, key: 'pii', value: 'false' },
        ]);
        assert.equal((await policies.listTagAssignments({ database: 'ads' })).length, 3);
        assert.equal((await policies.listTagAssignments({ database: 'ads', table: 'clicks' })).length, 2);
        const bad = await caught(() => policies.assignTag({ kind: 'database', database: 'ads' }, 'domain', 'finance'));
        assert.equal(bad.code, 'INVALID_ARGUMENT');
        assert.deepEqual(bad.details.allowedValues, ['ads', 'growth']);
        const unknown = await caught(() => policies.assignTag({ kind: 'database', database: 'ads' }, 'team', 'x'));
        assert.equal(unknown.code, 'POLICY_NOT_FOUND');
        assert.deepEqual(unknown.details, { kind: 'tag key', name: 'team' });
        await assert.rejects(policies.assignTag({ kind: 'schema' } as unknown as { kind: 'database'; database: string }, 'pii', 'true'), hasCode('INVALID_ARGUMENT'));
      }));

    test('unassignTag removes one key from one target; missing ones are POLICY_NOT_FOUND', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('pii', ['true']);
        const email = { kind: 'column', database: 'ads', table: 'clicks', column: 'email' } as const;
        await policies.assignTag(email, 'pii', 'true');
        await policies.assignTag({ kind: 'table', database: 'ads', table: 'clicks' }, 'pii', 'true');
        await policies.unassignTag({ ...email, column: 'EMAIL' }, 'pii');
        assert.deepEqual(await policies.listTagAssignments(), [{ target: { kind: 'table', database: 'ads', table: 'clicks' }, key: 'pii', value: 'true' }]);
        const again = await caught(() => policies.unassignTag(email, 'pii'));
        assert.equal(again.code, 'POLICY_NOT_FOUND');
        assert.match(again.message, /carries no pii tag/);
        await assert.rejects(policies.unassignTag(email, 'team'), hasCode('POLICY_NOT_FOUND'));
      }));

    test('dropTagKey is refused while a grant, mask target or row filter uses the key, then removes its assignments', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('pii', ['true', 'false']);
        await policies.createTagKey('domain', ['ads']);
        await policies.assignTag({ kind: 'column', database: 'ads', table: 'clicks', column: 'email' }, 'pii', 'true');
        await policies.assignTag({ kind: 'table', database: 'ads', table: 'clicks' }, 'domain', 'ads');
        const expression = parseTagExpression('domain=ads OR pii=false');
        const grant = await policies.grant({ privilege: 'SELECT', securable: { kind: 'tags', expression }, grantee: alice, grantedBy: 'system' });
        await policies.createMask({ name: 'pii_null', function: { kind: 'null' } });
        await policies.attachMask('pii_null', { kind: 'tags', expression: parseTagExpression('pii=true') });
        await policies.createRowFilter({ name: 'no_pii', target: { kind: 'tags', expression: parseTagExpression('pii=true') }, predicate: 'true' });
        const refused = await caught(() => policies.dropTagKey('pii'));
        assert.equal(refused.code, 'INVALID_ARGUMENT');
        assert.deepEqual(refused.details, { key: 'pii', grants: [grant.id], masks: ['pii_null'], rowFilters: ['no_pii'] });
        assert.match(refused.message, /mask pii_null/);
        assert.match(refused.message, /row filter no_pii/);
        await policies.revoke({ privilege: 'SELECT', securable: { kind: 'tags', expression }, grantee: alice });
        await policies.detachMask('pii_null', { kind: 'tags', expression: parseTagExpression('pii=true') });
        await assert.rejects(policies.dropTagKey('pii'), hasCode('INVALID_ARGUMENT'));
        await policies.dropRowFilter('no_pii');
        await policies.dropTagKey('PII');
        assert.deepEqual((await policies.listTagKeys()).map((k) => k.key), ['domain']);
        assert.deepEqual((await policies.listTagAssignments()).map((a) => a.key), ['domain']);
        await assert.rejects(policies.dropTagKey('pii'), hasCode('POLICY_NOT_FOUND'));
      }));
  });

  describe('masks', () => {
    test('createMask stores a normalised function, exemptions and a fresh 32-byte hash key', () =>
      withStores(async ({ policies, setTime }) => {
        setTime(7_000);
        const mask = await policies.createMask({
          name: 'email_partial',
          function: { kind: 'partial', keepLast: 4, fill: '#', extra: 1 } as never,
          exempt: [auditor, analysts, auditor],
        });
        assert.deepEqual(mask.function, { kind: 'partial', keepLast: 4, fill: '#' });
        assert.deepEqual(mask.exempt, [auditor, analysts]);
        assert.deepEqual(mask.targets, []);
        assert.equal(mask.createdAt, 7_000);
        assert.match(mask.hashKey, /^[0-9a-f]{64}$/);
        const other = await policies.createMask({ name: 'h', function: { kind: 'hash' } });
        assert.notEqual(other.hashKey, mask.hashKey);
        assert.deepEqual(await policies.listMasks(), [mask, other]);
      }));

    test('duplicates, bad names, bad functions and unknown exempt grantees are refused', () =>
      withStores(async ({ policies }) => {
        await policies.createMask({ name: 'm', function: { kind: 'null' } });
        const duplicate = await caught(() => policies.createMask({ name: 'm', function: { kind: 'hash' } }));
        assert.equal(duplicate.code, 'ALREADY_EXISTS');
        assert.deepEqual(duplicate.details, { kind: 'mask', name: 'm' });
        await assert.rejects(policies.createMask({ name: 'Mask', function: { kind: 'null' } }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.createMask({ name: 'r', function: { kind: 'round', digits: 11 } }), hasCode('INVALID_ARGUMENT'));
        const ghost = await caught(() => policies.createMask({ name: 'x', function: { kind: 'null' }, exempt: [alice, { kind: 'group', name: 'ghosts' }] }));
        assert.equal(ghost.code, 'PRINCIPAL_NOT_FOUND');
        assert.deepEqual(ghost.details, { kind: 'group', name: 'ghosts' });
        assert.deepEqual((await policies.listMasks()).map((m) => m.name), ['m']);
      }));

    test('attach and detach column and tag targets; attaching twice is idempotent', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('pii', ['true']);
        await policies.createMask({ name: 'm', function: { kind: 'redact', replacement: 'xx' } });
        const email = { kind: 'column', database: 'ads', table: 'clicks', column: 'email' } as const;
        const pii = { kind: 'tags', expression: parseTagExpression('pii=true') } as const;
        await policies.attachMask('m', pii);
        await policies.attachMask('m', { ...email, column: 'EMAIL' });
        const attached = await policies.attachMask('m', email);
        assert.deepEqual(attached.targets, [email, pii]);
        const detached = await policies.detachMask('m', pii);
        assert.deepEqual(detached.targets, [email]);
        const notAttached = await caught(() => policies.detachMask('m', pii));
        assert.equal(notAttached.code, 'POLICY_NOT_FOUND');
        assert.match(notAttached.message, /not attached/);
        await assert.rejects(policies.attachMask('m', { kind: 'tags', expression: parseTagExpression('pii=false') }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.attachMask('m', { kind: 'table', database: 'a', table: 'b' } as never), hasCode('INVALID_ARGUMENT'));
      }));

    test('setMaskExemptions replaces the list; dropMask removes the mask and its targets', () =>
      withStores(async ({ policies }) => {
        await policies.createMask({ name: 'm', function: { kind: 'hash' }, exempt: [alice] });
        await policies.attachMask('m', { kind: 'column', database: 'ads', table: 'clicks', column: 'email' });
        const updated = await policies.setMaskExemptions('m', [bob, auditor]);
        assert.deepEqual(updated.exempt, [bob, auditor]);
        assert.deepEqual((await policies.listMasks())[0]?.exempt, [bob, auditor]);
        await assert.rejects(policies.setMaskExemptions('m', [{ kind: 'role', name: 'ghost' }]), hasCode('PRINCIPAL_NOT_FOUND'));
        await policies.dropMask('m');
        assert.deepEqual((await policies.snapshot()).masks, []);
        // The targets went with it: a new mask of the same name starts empty.
        assert.deepEqual((await policies.createMask({ name: 'm', function: { kind: 'null' } })).targets, []);
        assert.deepEqual((await policies.listMasks())[0]?.targets, []);
      }));

    test('an unknown mask is POLICY_NOT_FOUND everywhere', () =>
      withStores(async ({ policies }) => {
        const target = { kind: 'column', database: 'a', table: 'b', column: 'c' } as const;
        for (const attempt of [
          () => policies.attachMask('nope', target),
          () => policies.detachMask('nope', target),
          () => policies.setMaskExemptions('nope', []),
          () => policies.dropMask('nope'),
        ]) {
          const error = await caught(attempt);
          assert.equal(error.code, 'POLICY_NOT_FOUND');
          assert.deepEqual(error.details, { kind: 'mask', name: 'nope' });
        }
      }));
  });

  describe('row filters', () => {
    test('create, list and drop; targets, grantee lists and predicates are validated', () =>
      withStores(async ({ policies, setTime }) => {
        await policies.createTagKey('region', ['eu', 'us']);
        setTime(3_000);
        const eu = await policies.createRowFilter({
          name: 'eu_only',
          target: { kind: 'table', database: 'Ads', table: 'Clicks' },
          predicate: "region = current_principal_attribute('region')",
          appliesTo: [analysts],
          exempt: [auditor],
        });
        assert.deepEqual(eu, {
          name: 'eu_only',
          target: { kind: 'table', database: 'ads', table: 'clicks' },
          predicate: "region = current_principal_attribute('region')",
          appliesTo: [analysts],
          exempt: [auditor],
          createdAt: 3_000,
        });
        const tagged = await policies.createRowFilter({ name: 'a_tagged', target: { kind: 'tags', expression: parseTagExpression('region IN (eu, us)') }, predicate: 'x > 0' });
        assert.deepEqual(tagged.appliesTo, []);
        assert.deepEqual(await policies.listRowFilters(), [tagged, eu]);

        const duplicate = await caught(() => policies.createRowFilter({ name: 'eu_only', target: { kind: 'table', database: 'a', table: 'b' }, predicate: 'true' }));
        assert.equal(duplicate.code, 'ALREADY_EXISTS');
        assert.deepEqual(duplicate.details, { kind: 'row filter', name: 'eu_only' });
        const table = { kind: 'table', database: 'a', table: 'b' } as const;
        await assert.rejects(policies.createRowFilter({ name: 'f', target: table, predicate: '   ' }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.createRowFilter({ name: 'f', target: table, predicate: 'x'.repeat(4097) }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(policies.createRowFilter({ name: 'F', target: table, predicate: 'true' }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(
          policies.createRowFilter({ name: 'f', target: { kind: 'column', database: 'a', table: 'b', column: 'c' } as never, predicate: 'true' }),
          hasCode('INVALID_ARGUMENT'),
        );
        await assert.rejects(policies.createRowFilter({ name: 'f', target: { kind: 'tags', expression: parseTagExpression('region=asia') }, predicate: 'true' }), hasCode('INVALID_ARGUMENT'));
        const ghost = await caught(() => policies.createRowFilter({ name: 'f', target: table, predicate: 'true', exempt: [{ kind: 'principal', name: 'ghost' }] }));
        assert.equal(ghost.code, 'PRINCIPAL_NOT_FOUND');
        assert.deepEqual(ghost.details, { kind: 'principal', name: 'ghost' });
        await assert.rejects(policies.createRowFilter({ name: 'f', target: table, predicate: 'true', appliesTo: [{ kind: 'role', name: 'ghost' }] }), hasCode('PRINCIPAL_NOT_FOUND'));

        await policies.dropRowFilter('eu_only');
        assert.deepEqual(await policies.listRowFilters(), [tagged]);
        const missing = await caught(() => policies.dropRowFilter('eu_only'));
        assert.equal(missing.code, 'POLICY_NOT_FOUND');
        assert.deepEqual(missing.details, { kind: 'row filter', name: 'eu_only' });
      }));
  });

  describe('catalog lifecycle', () => {
    /** Policies on ads.clicks, ads.views, the ads database, hr.people and tags. */
    async function populate(policies: PolicyStore): Promise<void> {
      await policies.createTagKey('pii', ['true']);
      await policies.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' });
      await policies.grant({ privilege: 'SELECT', securable: column('email'), grantee: bob, grantedBy: 'system' });
      await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'ads', table: 'views' }, grantee: alice, grantedBy: 'system' });
      await policies.grant({ privilege: 'DESCRIBE', securable: { kind: 'database', database: 'ads' }, grantee: alice, grantedBy: 'system' });
      await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'hr', table: 'people' }, grantee: alice, grantedBy: 'system' });
      await policies.grant({ privilege: 'SELECT', securable: { kind: 'tags', expression: parseTagExpression('pii=true') }, grantee: auditor, grantedBy: 'system' });
      await policies.assignTag({ kind: 'database', database: 'ads' }, 'pii', 'true');
      await policies.assignTag({ kind: 'table', database: 'ads', table: 'clicks' }, 'pii', 'true');
      await policies.assignTag({ kind: 'column', database: 'ads', table: 'clicks', column: 'email' }, 'pii', 'true');
      await policies.assignTag({ kind: 'table', database: 'ads', table: 'views' }, 'pii', 'true');
      await policies.assignTag({ kind: 'table', database: 'hr', table: 'people' }, 'pii', 'true');
      await policies.createMask({ name: 'm', function: { kind: 'null' } });
      await policies.attachMask('m', { kind: 'column', database: 'ads', table: 'clicks', column: 'email' });
      await policies.attachMask('m', { kind: 'column', database: 'ads', table: 'views', column: 'email' });
      await policies.attachMask('m', { kind: 'column', database: 'hr', table: 'people', column: 'ssn' });
      await policies.attachMask('m', { kind: 'tags', expression: parseTagExpression('pii=true') });
      await policies.createRowFilter({ name: 'f_clicks', target: clicks, predicate: 'true' });
      await policies.createRowFilter({ name: 'f_people', target: { kind: 'table', database: 'hr', table: 'people' }, predicate: 'true' });
      await policies.createRowFilter({ name: 'f_tags', target: { kind: 'tags', expression: parseTagExpression('pii=true') }, predicate: 'true' });
    }

    test('forgetTable removes grants, tag assignments, mask column targets and row filters of that table only', () =>
      withStores(async ({ policies }) => {
        await populate(policies);
        await policies.forgetTable('ADS', 'Clicks');
        const s = await policies.snapshot();
        assert.ok(!s.grants.some((g) => 'table' in g.securable && g.securable.database === 'ads' && g.securable.table === 'clicks'));
        assert.equal(s.grants.length, 4);
        assert.deepEqual(
          s.tags.map((t) => t.target),
          [
            { kind: 'database', database: 'ads' },
            { kind: 'table', database: 'ads', table: 'views' },
            { kind: 'table', database: 'hr', table: 'people' },
          ],
        );
        assert.deepEqual(s.masks[0]?.targets.map((t) => (t.kind === 'column' ? `${t.database}.${t.table}.${t.column}` : t.kind)), [
          'ads.views.email',
          'hr.people.ssn',
          'tags',
        ]);
        assert.deepEqual(s.rowFilters.map((f) => f.name), ['f_people', 'f_tags']);
        await policies.forgetTable('ads', 'clicks'); // idempotent
      }));

    test('forgetDatabase removes everything naming the database or anything in it', () =>
      withStores(async ({ policies }) => {
        await populate(policies);
        await policies.forgetDatabase('ads');
        const s = await policies.snapshot();
        assert.deepEqual(
          s.grants.map((g) => g.securable.kind + ('database' in g.securable ? `:${g.securable.database}` : '')),
          ['table:hr', 'tags'],
        );
        assert.deepEqual(s.tags.map((t) => t.target), [{ kind: 'table', database: 'hr', table: 'people' }]);
        assert.equal(s.masks[0]?.targets.length, 2);
        assert.deepEqual(s.rowFilters.map((f) => f.name), ['f_people', 'f_tags']);
      }));
  });

  describe('snapshot and lifecycle', () => {
    test('snapshot holds everything in a deterministic order, whatever the insertion order', () =>
      withStores(async ({ policies }) => {
        await policies.createTagKey('zeta', ['1']);
        await policies.createTagKey('alpha', ['1']);
        await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'b', table: 't' }, grantee: bob, grantedBy: 'system' });
        await policies.grant({ privilege: 'ADMIN', securable: { kind: 'table', database: 'a', table: 't' }, grantee: auditor, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'a', table: 't' }, grantee: auditor, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'a', table: 't' }, grantee: alice, grantedBy: 'system' });
        await policies.grant({ privilege: 'SELECT', securable: { kind: 'catalog' }, grantee: bob, grantedBy: 'system' });
        await policies.createMask({ name: 'zz', function: { kind: 'null' } });
        await policies.createMask({ name: 'aa', function: { kind: 'null' } });
        await policies.createRowFilter({ name: 'z', target: { kind: 'table', database: 'a', table: 't' }, predicate: 'true' });
        await policies.createRowFilter({ name: 'b', target: { kind: 'table', database: 'a', table: 't' }, predicate: 'true' });
        const s = await policies.snapshot();
        assert.deepEqual(
          s.grants.map((g) => `${g.securable.kind}${'database' in g.securable ? `:${g.securable.database}` : ''} ${g.grantee.kind}:${g.grantee.name} ${g.privilege}`),
          ['catalog principal:bob SELECT', 'table:a principal:alice SELECT', 'table:a role:auditor SELECT', 'table:a role:auditor ADMIN', 'table:b principal:bob SELECT'],
        );
        assert.deepEqual(s.tagKeys.map((k) => k.key), ['alpha', 'zeta']);
        assert.deepEqual(s.masks.map((m) => m.name), ['aa', 'zz']);
        assert.deepEqual(s.rowFilters.map((f) => f.name), ['b', 'z']);
        assert.deepEqual(await policies.snapshot(), s);
      }));

    test('openSqlite opens its own connection, migrates, and data survives reopening; a closed store refuses work', async () => {
      const path = join(dir, `case-${++n}`, 'catalog.db');
      const identity = await IdentityStore.openSqlite(path);
      await identity.createPrincipal('alice');
      await identity.close();
      const first = await PolicyStore.openSqlite(path, { clock: () => 42 });
      const grant = await first.grant({ privilege: 'SELECT', securable: clicks, grantee: alice, grantedBy: 'system' });
      assert.equal(grant.createdAt, 42);
      await first.close();
      await first.close(); // twice is fine
      await assert.rejects(first.listGrants(), hasCode('INVALID_ARGUMENT'));
      const second = await PolicyStore.openSqlite(path);
      try {
        assert.deepEqual(await second.listGrants(), [grant]);
      } finally {
        await second.close();
      }
    });
  });
});
