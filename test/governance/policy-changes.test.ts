/**
 * Policies take effect on the next statement, in both directions: a tag changed after a grant
 * revokes what the grant covered, a new table carrying the tags is covered without a new grant,
 * nested policies (a tag mask and a column mask on one column, two row filters) compose as
 * documented, and revoking or dropping ends access at once. Runs on every engine factory, like the
 * attack suite.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE_FACTORIES, openGovernedLake, textOf, type GovernedLake, type Outcome } from './governed-fixture.ts';
import { setUpHrScenario } from './hr-scenario.ts';
import { shutdownEngines } from '../../src/sql/testing/engines-under-test.ts';

const rowsOf = (outcome: Outcome): unknown[][] => {
  assert.equal(outcome.kind, 'rows', textOf(outcome));
  return outcome.kind === 'rows' ? outcome.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v))) : [];
};
const denied = (outcome: Outcome): void => {
  assert.equal(outcome.kind === 'error' ? outcome.code : 'rows', 'ACCESS_DENIED', textOf(outcome));
};

after(() => shutdownEngines());

for (const factory of ENGINE_FACTORIES) describe(`policy changes take effect at once on ${factory.name}`, { skip: factory.skip }, () => {
  let lake: GovernedLake;
  const asAlice = async (sql: string): Promise<Outcome> => lake.run(await lake.as('alice'), sql);
  const admin = async (sql: string): Promise<void> => {
    const outcome = await lake.run(lake.admin, sql);
    assert.equal(outcome.kind, 'rows', textOf(outcome));
  };
  before(async () => {
    lake = await openGovernedLake(factory, async (l) => {
      await setUpHrScenario(l);
    });
  }, { timeout: 300_000 });
  after(async () => lake.close());

  test('a new table carrying the tags is covered by the existing tag grant', async () => {
    await admin(`CREATE TABLE ads.clicks AS SELECT * FROM (VALUES (1::BIGINT, 'eu')) t(id, region)`);
    assert.deepEqual(rowsOf(await asAlice('SELECT id, region FROM ads.clicks')), [[1, 'eu']]);
  });

  test('a tag changed after the grant takes the table out of it', async () => {
    const { policies } = lake.governance;
    assert.deepEqual(rowsOf(await asAlice('SELECT count(*) FROM ads.events')), [[2]]);
    await policies.assignTag({ kind: 'table', database: 'ads', table: 'events' }, 'confidentiality', 'secret');
    denied(await asAlice('SELECT count(*) FROM ads.events'));
    await policies.unassignTag({ kind: 'table', database: 'ads', table: 'events' }, 'confidentiality');
    assert.deepEqual(rowsOf(await asAlice('SELECT count(*) FROM ads.events')), [[2]], 'the inherited database tag applies again');
  });

  test('a column tag override hides one column of a covered table', async () => {
    await lake.governance.policies.assignTag({ kind: 'column', database: 'ads', table: 'clicks', column: 'region' }, 'confidentiality', 'secret');
    denied(await asAlice('SELECT region FROM ads.clicks'));
    assert.deepEqual(rowsOf(await asAlice('SELECT * FROM ads.clicks')), [[1]], 'SELECT * shows only the covered column');
  });

  test('nested masks: a column mask and a tag mask on one column, the strictest wins', async () => {
    const { policies } = lake.governance;
    // pii_hash (tag pii=true) already masks email; a redact on the column itself is stricter.
    await policies.createMask({ name: 'email_redact', function: { kind: 'redact', replacement: '[hidden]' } });
    await policies.attachMask('email_redact', { kind: 'column', database: 'hr', table: 'employees', column: 'email' });
    assert.deepEqual(rowsOf(await asAlice('SELECT DISTINCT email FROM hr.employees')), [['[hidden]']]);
    await policies.dropMask('email_redact');
    const hashed = rowsOf(await asAlice('SELECT DISTINCT length(email) FROM hr.employees'));
    assert.deepEqual(hashed, [[64]], 'back to the keyed hash');
  });

  test('nested row filters: every filter must hold', async () => {
    const { policies } = lake.governance;
    await policies.createRowFilter({ name: 'hired_recently', target: { kind: 'table', database: 'hr', table: 'employees' }, predicate: "hired >= DATE '2021-01-01'" });
    assert.deepEqual(rowsOf(await asAlice('SELECT name FROM hr.employees ORDER BY id')), [['Bruno Eu'], ['Clara Eu']]);
    await policies.dropRowFilter('hired_recently');
    assert.equal(rowsOf(await asAlice('SELECT name FROM hr.employees')).length, 3);
  });

  test('an attribute change moves the rows a filter shows', async () => {
    await lake.governance.identity.setPrincipalAttributes('carol', { region: 'eu' });
    const carol = await lake.governance.governorFor('carol', lake.engine);
    const { SqlSession } = await import('../../src/sql/index.ts');
    const session = await SqlSession.open({ catalog: lake.home.catalog, engine: lake.engine, governor: carol });
    try {
      assert.deepEqual(rowsOf(await lake.run(session, 'SELECT count(*) FROM hr.employees')), [[3]]);
    } finally {
      await session.close();
    }
  });

  test('a revoke ends access on the next statement; WITH GRANT OPTION lets a grantee grant onward', async () => {
    await admin('GRANT SELECT (id, name) ON hr.employees TO USER bob WITH GRANT OPTION');
    const bob = await lake.as('bob');
    assert.equal(rowsOf(await lake.run(bob, 'SELECT id, name FROM hr.employees')).length, 0, 'own_region applies to everyone; bob has no region attribute, so it shows nothing (fail closed)');
    const onward = await lake.run(bob, 'GRANT SELECT (name) ON hr.employees TO USER alice');
    assert.equal(onward.kind, 'rows', textOf(onward));
    denied(await lake.run(bob, 'GRANT SELECT (ssn) ON hr.employees TO USER alice'));
    await admin('REVOKE SELECT ON hr.employees FROM USER bob');
    denied(await lake.run(bob, 'SELECT name FROM hr.employees'));
  });

  test('dropping a table drops its grants: a re-created table of that name is not covered', async () => {
    await admin('GRANT SELECT ON hr.salary_bands TO USER alice');
    assert.equal(rowsOf(await asAlice('SELECT count(*) FROM hr.salary_bands'))[0]?.[0], 1);
    await admin('DROP TABLE hr.salary_bands');
    await admin(`CREATE TABLE hr.salary_bands AS SELECT 'L9' AS band`);
    denied(await asAlice('SELECT * FROM hr.salary_bands'));
  });
});
