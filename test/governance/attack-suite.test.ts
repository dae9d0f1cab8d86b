/**
 * The governance attack suite: every attempt in attack-cases.ts, against each engine factory
 * (DuckDB, and Spark through Spark Connect), with the same expected outcome on both. See
 * attack-cases.ts for the contract.
 */
import { after, before, describe, test } from 'node:test';
import { shutdownEngines } from '../../src/sql/testing/engines-under-test.ts';
import assert from 'node:assert/strict';
import { ATTACKS, type Attempt } from './attack-cases.ts';
import { ENGINE_FACTORIES, openGovernedLake, textOf, type EngineFactory, type GovernedLake, type Outcome } from './governed-fixture.ts';
import { FORBIDDEN_FOR_ALICE, FORBIDDEN_FOR_CAROL, setUpHrScenario, type HrScenario } from './hr-scenario.ts';


const FORBIDDEN: Record<string, readonly string[]> = {
  alice: FORBIDDEN_FOR_ALICE,
  bob: FORBIDDEN_FOR_ALICE,
  carol: FORBIDDEN_FOR_CAROL,
  dave: ['SECRETBAND', '+4915111111111'],
};

function normalise(rows: unknown[][]): string {
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : typeof v === 'number' ? String(v) : v));
}

after(() => shutdownEngines());

for (const factory of ENGINE_FACTORIES) {
  describe(`governance attack suite on ${factory.name}`, { skip: factory.skip }, () => {
    let lake: GovernedLake;
    let scenario: HrScenario;
    before(async () => {
      lake = await openGovernedLake(factory, async (l) => {
        scenario = await setUpHrScenario(l);
      });
    }, { timeout: 300_000 });
    after(async () => lake.close());

    test('has at least 60 attempts to read what must stay hidden', () => {
      assert.ok(ATTACKS.filter((a) => !('rows' in a.expect) || a.as === 'bob').length >= 60);
      assert.equal(new Set(ATTACKS.map((a) => a.name)).size, ATTACKS.length, 'attempt names are unique');
    });

    for (const attempt of ATTACKS) {
      const lacking = attempt.lacking?.engine === factory.name ? attempt.lacking.why : undefined;
      test(attempt.name, { skip: lacking }, async () => {
        const principal = attempt.as ?? 'alice';
        const outcome = await attemptAs(lake, factory, scenario, attempt, principal);
        const text = textOf(outcome);
        for (const value of FORBIDDEN[principal] ?? []) {
          assert.ok(!text.includes(value), `${principal} received the forbidden value ${value}: ${text.slice(0, 400)}`);
        }
        if ('deny' in attempt.expect) {
          assert.equal(outcome.kind, 'error', `expected ACCESS_DENIED, got rows ${text.slice(0, 200)}`);
          assert.equal(outcome.kind === 'error' ? outcome.code : '', 'ACCESS_DENIED', text);
        } else if ('rows' in attempt.expect) {
          assert.equal(outcome.kind, 'rows', text);
          if (outcome.kind === 'rows') assert.equal(normalise(outcome.rows), normalise(attempt.expect.rows.map((r) => [...r])));
        }
      });
    }

    test('every attempt left an audit record, and the chain verifies', async () => {
      const denied = await lake.governance.audit.query({ principal: 'alice', decision: 'denied', limit: 1000 });
      const expectedDenials = ATTACKS.filter((a) => (a.as ?? 'alice') === 'alice' && 'deny' in a.expect).length;
      assert.ok(denied.length >= expectedDenials, `${denied.length} denial records for ${expectedDenials} denied attempts`);
      assert.ok(denied.every((r) => r.reason?.startsWith('ACCESS_DENIED')));
      const verified = await lake.governance.audit.verify();
      assert.equal(verified.ok, true);
    });
  });
}

async function attemptAs(lake: GovernedLake, factory: EngineFactory, scenario: HrScenario, attempt: Attempt, principal: string): Promise<Outcome> {
  let sql = typeof attempt.sql === 'function' ? attempt.sql(lake, scenario) : attempt.sql;
  const session = await lake.as(principal);
  if (!sql.includes('%LIVE_VIEW%')) return lake.run(session, sql);
  // Hold an administrator's result open so its resolution view exists, then aim at it by name.
  const held = await lake.admin.execute('SELECT * FROM hr.employees');
  try {
    const name = (await factory.liveViews(lake.engine))[0] ?? '';
    assert.ok(name.startsWith('strata_ref_'), 'an administrator query holds a live view');
    sql = sql.replace('%LIVE_VIEW%', name);
    return await lake.run(session, sql);
  } finally {
    if (held.kind === 'rows') for await (const batch of held.rows) void batch;
  }
}
