import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_ROLE, bootstrapAdmin } from './bootstrap.ts';
import { IdentityStore } from './identity-store.ts';

describe('bootstrapAdmin', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-bootstrap-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('creates the admin user holding an administrator role, and is idempotent', async () => {
    const store = await IdentityStore.openSqlite(join(dir, 'a.db'));
    try {
      const first = await bootstrapAdmin(store);
      assert.deepEqual([first.admin.name, first.createdPrincipal, first.createdRole], ['admin', true, true]);
      const second = await bootstrapAdmin(store);
      assert.deepEqual([second.createdPrincipal, second.createdRole], [false, false]);
      assert.deepEqual(await store.effectiveRoles('admin'), [
        { name: ADMIN_ROLE, administrator: true, direct: true, viaGroups: [] },
      ]);
      assert.equal((await store.listPrincipals()).length, 1);
      assert.equal((await store.listRoles()).length, 1);
    } finally {
      await store.close();
    }
  });

  test('takes another admin name, and marks an existing plain admin role as administrator', async () => {
    const store = await IdentityStore.openSqlite(join(dir, 'b.db'));
    try {
      await store.createRole(ADMIN_ROLE);
      await bootstrapAdmin(store, 'root');
      assert.equal((await store.getRole(ADMIN_ROLE)).administrator, true);
      assert.equal(await store.isAdministrator('root'), true);
      await assert.rejects(store.getPrincipal('admin'));
    } finally {
      await store.close();
    }
  });

  test('two racing bootstraps on one file both succeed with one admin', async () => {
    const path = join(dir, 'c.db');
    const a = await IdentityStore.openSqlite(path);
    const b = await IdentityStore.openSqlite(path);
    try {
      const results = await Promise.all([bootstrapAdmin(a), bootstrapAdmin(b)]);
      assert.equal(results.filter((r) => r.createdPrincipal).length, 1);
      assert.equal(await b.isAdministrator('admin'), true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
