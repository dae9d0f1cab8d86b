import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { SqliteCatalogBackend } from '../../catalog/index.ts';
import { StrataError, type StrataErrorCode } from '../../core/index.ts';
import { IdentityStore } from './identity-store.ts';
import { GOVERNANCE_MIGRATIONS, GOVERNANCE_MIGRATION_TABLE, migrateGovernance } from './migrations.ts';
import { hashToken } from './tokens.ts';

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

describe('IdentityStore', () => {
  let dir: string;
  let n = 0;
  const freshPath = () => join(dir, `case-${++n}`, 'catalog.db');
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-identity-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function withStore<T>(fn: (store: IdentityStore, path: string) => Promise<T>, clock?: () => number): Promise<T> {
    const path = freshPath();
    const store = await IdentityStore.openSqlite(path, clock === undefined ? {} : { clock });
    try {
      return await fn(store, path);
    } finally {
      await store.close();
    }
  }

  describe('principals', () => {
    test('creates users and service principals with attributes and reads them back', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice', { attributes: { region: 'eu', team: 'ads' } });
        await store.createPrincipal('etl-nightly', { kind: 'service' });
        const alice = await store.getPrincipal('alice');
        assert.equal(alice.kind, 'user');
        assert.deepEqual(alice.attributes, { region: 'eu', team: 'ads' });
        assert.equal(alice.disabled, false);
        assert.ok(alice.createdAt > 0);
        assert.deepEqual(
          (await store.listPrincipals()).map((p) => [p.name, p.kind]),
          [
            ['alice', 'user'],
            ['etl-nightly', 'service'],
          ],
        );
      }));

    test('a duplicate name fails with ALREADY_EXISTS and an unknown one with PRINCIPAL_NOT_FOUND', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice');
        await assert.rejects(store.createPrincipal('alice', { kind: 'service' }), hasCode('ALREADY_EXISTS'));
        const error = await caught(() => store.getPrincipal('alicia'));
        assert.equal(error.code, 'PRINCIPAL_NOT_FOUND');
        assert.deepEqual(error.details, { kind: 'principal', name: 'alicia' });
        await assert.rejects(store.setPrincipalDisabled('bob', true), hasCode('PRINCIPAL_NOT_FOUND'));
      }));

    test('rejects invalid names, kinds and attributes before writing', () =>
      withStore(async (store) => {
        await assert.rejects(store.createPrincipal('Alice'), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(store.createPrincipal('bob', { kind: 'robot' as 'user' }), hasCode('INVALID_ARGUMENT'));
        await assert.rejects(store.createPrincipal('bob', { attributes: { 'bad key': 'x' } }), hasCode('INVALID_ARGUMENT'));
        assert.deepEqual(await store.listPrincipals(), []);
      }));

    test('attributes can be replaced and a principal disabled and enabled', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice', { attributes: { region: 'eu' } });
        await store.setPrincipalAttributes('alice', { region: 'us' });
        await store.setPrincipalDisabled('alice', true);
        let alice = await store.getPrincipal('alice');
        assert.deepEqual(alice.attributes, { region: 'us' });
        assert.equal(alice.disabled, true);
        await store.setPrincipalDisabled('alice', false);
        alice = await store.getPrincipal('alice');
        assert.equal(alice.disabled, false);
      }));
  });

  describe('groups and roles', () => {
    test('a role granted to a group reaches its members, and only them', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice');
        await store.createPrincipal('bob');
        await store.createGroup('eu-team');
        await store.addGroupMember('eu-team', 'alice');
        await store.addGroupMember('eu-team', 'alice'); // idempotent
        await store.createRole('analyst');
        await store.grantRole('analyst', { group: 'eu-team' });
        assert.deepEqual(await store.effectiveRoles('alice'), [
          { name: 'analyst', administrator: false, direct: false, viaGroups: ['eu-team'] },
        ]);
        assert.deepEqual(await store.effectiveRoles('bob'), []);
        assert.deepEqual(await store.listGroupMembers('eu-team'), ['alice']);
        assert.deepEqual(await store.groupsOf('alice'), ['eu-team']);

        await store.removeGroupMember('eu-team', 'alice');
        assert.deepEqual(await store.effectiveRoles('alice'), []);
      }));

    test('direct and group grants of the same role merge into one entry', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice');
        await store.createGroup('a');
        await store.createGroup('b');
        for (const g of ['b', 'a']) await store.addGroupMember(g, 'alice');
        await store.createRole('analyst');
        await store.createRole('ops', { administrator: true });
        await store.grantRole('analyst', { principal: 'alice' });
        await store.grantRole('analyst', { group: 'a' });
        await store.grantRole('analyst', { group: 'b' });
        await store.grantRole('ops', { group: 'b' });
        assert.deepEqual(await store.effectiveRoles('alice'), [
          { name: 'analyst', administrator: false, direct: true, viaGroups: ['a', 'b'] },
          { name: 'ops', administrator: true, direct: false, viaGroups: ['b'] },
        ]);
        assert.equal(await store.isAdministrator('alice'), true);
        await store.revokeRole('ops', { group: 'b' });
        assert.equal(await store.isAdministrator('alice'), false);
      }));

    test('grants and memberships name the missing side when it does not exist', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice');
        await store.createRole('analyst');
        let error = await caught(() => store.grantRole('analyst', { group: 'nobody' }));
        assert.deepEqual([error.code, error.details.kind], ['PRINCIPAL_NOT_FOUND', 'group']);
        error = await caught(() => store.grantRole('auditor', { principal: 'alice' }));
        assert.deepEqual([error.code, error.details.kind], ['PRINCIPAL_NOT_FOUND', 'role']);
        await store.createGroup('g');
        error = await caught(() => store.addGroupMember('g', 'bob'));
        assert.deepEqual([error.code, error.details.kind], ['PRINCIPAL_NOT_FOUND', 'principal']);
        await assert.rejects(store.effectiveRoles('bob'), hasCode('PRINCIPAL_NOT_FOUND'));
        await assert.rejects(store.createRole('analyst'), hasCode('ALREADY_EXISTS'));
        await assert.rejects(store.createGroup('g'), hasCode('ALREADY_EXISTS'));
      }));

    test('dropping a principal, group or role removes its memberships and grants', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice');
        await store.createGroup('g');
        await store.createRole('r');
        await store.addGroupMember('g', 'alice');
        await store.grantRole('r', { group: 'g' });
        await store.dropGroup('g');
        assert.deepEqual(await store.effectiveRoles('alice'), []);
        await store.grantRole('r', { principal: 'alice' });
        await store.dropRole('r');
        assert.deepEqual(await store.effectiveRoles('alice'), []);
        await store.createToken('alice');
        await store.dropPrincipal('alice');
        assert.deepEqual(await store.listTokens(), []);
        await assert.rejects(store.dropPrincipal('alice'), hasCode('PRINCIPAL_NOT_FOUND'));
      }));
  });

  describe('API tokens', () => {
    test('a token authenticates as its principal and is listed without its secret', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice', { attributes: { region: 'eu' } });
        const { token, id } = await store.createToken('alice', { description: 'laptop', expiresInMs: 60_000 });
        assert.ok(token.startsWith('strata_'));
        const principal = await store.authenticate(token);
        assert.equal(principal.name, 'alice');
        assert.deepEqual(principal.attributes, { region: 'eu' });
        const [info, ...rest] = await store.listTokens('alice');
        assert.equal(rest.length, 0);
        assert.equal(info?.id, id);
        assert.equal(info?.description, 'laptop');
        assert.ok(!JSON.stringify(info).includes(token.slice(24)));
      }));

    test('a token is never stored in clear: the database files hold its hash, not the token', async () => {
      const path = freshPath();
      const store = await IdentityStore.openSqlite(path);
      const { token } = await store.createPrincipal('alice').then(() => store.createToken('alice'));
      const folder = join(path, '..');
      const scan = () =>
        readdirSync(folder)
          .filter((f) => f.startsWith('catalog.db'))
          .map((f) => readFileSync(join(folder, f)).toString('latin1'))
          .join('\n');
      const secret = token.slice('strata_'.length + 17);
      for (const bytes of [scan(), (await store.close(), scan())]) {
        assert.ok(bytes.includes(hashToken(token)), 'the scan sees the stored hash, so it would see the token');
        assert.ok(!bytes.includes(token));
        assert.ok(!bytes.includes(secret));
        assert.ok(!bytes.includes(Buffer.from(secret, 'base64url').toString('latin1')));
      }
    });

    test('unknown, malformed, expired, revoked and disabled all fail with one identical error', async () => {
      let now = 1_000_000;
      await withStore(
        async (store) => {
          await store.createPrincipal('alice');
          await store.createPrincipal('bob');
          const expiring = await store.createToken('alice', { expiresInMs: 1000 });
          const revoked = await store.createToken('alice');
          const disabled = await store.createToken('bob');
          const good = await store.createToken('alice');
          assert.equal((await store.authenticate(expiring.token)).name, 'alice');

          now += 1000;
          await store.revokeToken(revoked.id);
          await store.setPrincipalDisabled('bob', true);
          const forged = `${good.token.slice(0, -4)}AAAA`;
          const unknown = `strata_0000000000000000_${good.token.slice(-43)}`;
          const failures = [];
          for (const token of [expiring.token, revoked.token, disabled.token, forged, unknown, 'garbage', '']) {
            failures.push(await caught(() => store.authenticate(token)));
          }
          const shapes = failures.map((e) => ({ code: e.code, message: e.message, details: e.details }));
          assert.equal(shapes[0]?.code, 'UNAUTHENTICATED');
          for (const shape of shapes) assert.deepEqual(shape, shapes[0]);
          assert.equal((await store.authenticate(good.token)).name, 'alice');
        },
        () => now,
      );
    });

    test('revocation is recorded once, listed, and unknown ids are refused', async () => {
      let now = 5_000;
      await withStore(
        async (store) => {
          await store.createPrincipal('alice');
          const { id } = await store.createToken('alice');
          await store.revokeToken(id);
          now = 9_000;
          await store.revokeToken(id);
          assert.equal((await store.listTokens())[0]?.revokedAt, 5_000);
          await assert.rejects(store.revokeToken('ffffffffffffffff'), hasCode('INVALID_ARGUMENT'));
        },
        () => now,
      );
    });

    test('refuses bad lifetimes and tokens for unknown principals', () =>
      withStore(async (store) => {
        await store.createPrincipal('alice');
        for (const expiresInMs of [0, -1, 1.5, Number.NaN]) {
          await assert.rejects(store.createToken('alice', { expiresInMs }), hasCode('INVALID_ARGUMENT'));
        }
        await assert.rejects(store.createToken('bob'), hasCode('PRINCIPAL_NOT_FOUND'));
        assert.deepEqual(await store.listTokens(), []);
      }));
  });

  describe('persistence', () => {
    test('two store instances on the same file see each other\'s changes', async () => {
      const path = freshPath();
      const a = await IdentityStore.openSqlite(path);
      const b = await IdentityStore.openSqlite(path);
      try {
        await a.createPrincipal('alice');
        await a.createGroup('g');
        await a.addGroupMember('g', 'alice');
        await b.createRole('analyst');
        await b.grantRole('analyst', { group: 'g' });
        assert.deepEqual((await a.effectiveRoles('alice')).map((r) => r.name), ['analyst']);
        const { token, id } = await a.createToken('alice');
        assert.equal((await b.authenticate(token)).name, 'alice');
        await b.revokeToken(id);
        await assert.rejects(a.authenticate(token), hasCode('UNAUTHENTICATED'));
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('shares the catalog\'s connection and leaves the catalog\'s migrations untouched', async () => {
      const path = freshPath();
      const catalog = await SqliteCatalogBackend.open(path);
      try {
        const store = await IdentityStore.open(catalog.connection);
        await store.createPrincipal('alice');
        await catalog.createNamespace(['sales']);
        await store.close(); // does not close the catalog's connection
        assert.deepEqual(await catalog.listNamespaces(), [['sales']]);
        const db = catalog.connection.db;
        const catalogMigrations = await sql<{ name: string }>`select name from strata_catalog_migration`.execute(db);
        assert.deepEqual(catalogMigrations.rows.map((r) => r.name), ['0001_initial']);
        const ours = await sql<{ name: string }>`select name from ${sql.table(GOVERNANCE_MIGRATION_TABLE)}`.execute(db);
        assert.deepEqual(ours.rows.map((r) => r.name), Object.keys(GOVERNANCE_MIGRATIONS));
      } finally {
        await catalog.close();
      }
      const reopened = await IdentityStore.openSqlite(path);
      try {
        assert.equal((await reopened.getPrincipal('alice')).name, 'alice');
      } finally {
        await reopened.close();
      }
    });

    test('a file migrated by a newer Strata is refused with CATALOG_ERROR', async () => {
      const path = freshPath();
      const catalog = await SqliteCatalogBackend.open(path);
      try {
        const { db, dialect } = catalog.connection;
        await migrateGovernance(db, dialect);
        await migrateGovernance(db, dialect, { ...GOVERNANCE_MIGRATIONS, '9999_future': { up: async () => {} } });
        await assert.rejects(IdentityStore.open(catalog.connection), hasCode('CATALOG_ERROR'));
      } finally {
        await catalog.close();
      }
    });

    test('a closed store refuses further use', async () => {
      const store = await IdentityStore.openSqlite(freshPath());
      await store.close();
      await store.close();
      await assert.rejects(store.listPrincipals(), hasCode('INVALID_ARGUMENT'));
    });
  });
});
