/**
 * The scenario of the governance attack suite: an HR table with PII, salaries and a regional row
 * filter, a secret table nobody but admins may read, and an ads table granted through tags.
 *
 *   alice  role analyst (region=eu)       hr.employees: id, name, email(hashed), region, hired; EU rows only
 *   carol  group eu-team → role analyst   same columns, but region=us: US rows only
 *   dave   role hr_admin                  hr.employees, every column raw, every row (exempt)
 *   bob    nothing                        nothing
 *
 * `ssn` was called `social` in the table's first snapshot (renamed since), so time travel to that
 * snapshot must still hide it.
 */
import type { GovernedLake } from './governed-fixture.ts';

/** Values alice must never receive, in results or in error messages. */
export const FORBIDDEN_FOR_ALICE = [
  'SSN-',
  '91234.57',
  '82345.68',
  '73456.79',
  '64567.81',
  '55678.92',
  '@corp.example',
  'Zed Usman',
  'Yara Usdottir',
  'SECRETBAND',
  '+4915111111111',
  '+15550000001',
] as const;

export const FORBIDDEN_FOR_CAROL = ['SSN-', '91234.57', '@corp.example', 'Anna Eu', 'Bruno Eu', 'Clara Eu', 'SECRETBAND'] as const;

export interface HrScenario {
  /** The snapshot of hr.employees before `social` was renamed to `ssn`. */
  firstSnapshot: bigint;
}

export async function setUpHrScenario(lake: GovernedLake): Promise<HrScenario> {
  const { admin, governance } = lake;
  const { identity, policies } = governance;
  const sql = async (text: string): Promise<void> => {
    const result = await admin.execute(text);
    if (result.kind === 'rows') for await (const batch of result.rows) void batch;
  };
  await sql('CREATE DATABASE hr');
  await sql('CREATE DATABASE ads');
  await sql(`CREATE TABLE hr.employees AS SELECT * FROM (VALUES
      (1::BIGINT, 'Anna Eu', 'anna.eu@corp.example', 'SSN-100-11-1111', 91234.57::DECIMAL(10,2), 'eu', DATE '2020-01-15'),
      (2::BIGINT, 'Bruno Eu', 'bruno.eu@corp.example', 'SSN-200-22-2222', 82345.68::DECIMAL(10,2), 'eu', DATE '2021-03-01'),
      (3::BIGINT, 'Zed Usman', 'zed.us@corp.example', 'SSN-300-33-3333', 73456.79::DECIMAL(10,2), 'us', DATE '2019-07-04'),
      (4::BIGINT, 'Yara Usdottir', 'yara.us@corp.example', 'SSN-400-44-4444', 64567.81::DECIMAL(10,2), 'us', DATE '2022-11-11')
    ) t(id, name, email, social, salary, region, hired)`);
  const first = (await lake.home.catalog.loadTable('hr.employees')).currentSnapshot();
  if (!first) throw new Error('hr.employees has no snapshot');
  await sql('ALTER TABLE hr.employees RENAME COLUMN social TO ssn');
  await sql(`INSERT INTO hr.employees VALUES (5, 'Clara Eu', 'clara.eu@corp.example', 'SSN-500-55-5555', 55678.92, 'eu', DATE '2023-05-05')`);
  await sql(`CREATE TABLE hr.salary_bands AS SELECT * FROM (VALUES ('L7-SECRETBAND', 1::BIGINT)) t(band, min_level)`);
  await sql(`CREATE TABLE ads.events AS SELECT * FROM (VALUES (1::BIGINT, '+4915111111111', 'eu', 10.5::DECIMAL(6,2)), (2::BIGINT, '+15550000001', 'us', 20.25::DECIMAL(6,2))) t(id, msisdn, region, amount)`);

  await policies.createTagKey('domain', ['hr', 'ads', 'finance']);
  await policies.createTagKey('confidentiality', ['public', 'internal', 'secret']);
  await policies.createTagKey('pii', ['true', 'false']);
  await policies.assignTag({ kind: 'database', database: 'hr' }, 'domain', 'hr');
  await policies.assignTag({ kind: 'database', database: 'ads' }, 'domain', 'ads');
  await policies.assignTag({ kind: 'database', database: 'ads' }, 'confidentiality', 'internal');
  await policies.assignTag({ kind: 'column', database: 'hr', table: 'employees', column: 'ssn' }, 'pii', 'true');
  await policies.assignTag({ kind: 'column', database: 'hr', table: 'employees', column: 'email' }, 'pii', 'true');
  await policies.assignTag({ kind: 'column', database: 'hr', table: 'employees', column: 'salary' }, 'confidentiality', 'secret');
  await policies.assignTag({ kind: 'column', database: 'ads', table: 'events', column: 'msisdn' }, 'pii', 'true');

  await identity.createPrincipal('alice', { attributes: { region: 'eu' } });
  await identity.createPrincipal('bob');
  await identity.createPrincipal('carol', { attributes: { region: 'us' } });
  await identity.createPrincipal('dave');
  await identity.createGroup('eu-team');
  await identity.addGroupMember('eu-team', 'carol');
  await identity.createRole('analyst');
  await identity.createRole('hr_admin');
  await identity.grantRole('analyst', { principal: 'alice' });
  await identity.grantRole('analyst', { group: 'eu-team' });
  await identity.grantRole('hr_admin', { principal: 'dave' });

  await sql('GRANT SELECT (id, name, email, region, hired) ON hr.employees TO ROLE analyst');
  await sql('GRANT SELECT ON TAGS domain=ads AND confidentiality IN (public, internal) TO ROLE analyst');
  await sql('GRANT SELECT ON TABLE hr.employees TO ROLE hr_admin');
  await policies.createMask({ name: 'pii_hash', function: { kind: 'hash' }, exempt: [{ kind: 'role', name: 'hr_admin' }] });
  await policies.attachMask('pii_hash', { kind: 'tags', expression: { kind: 'in', key: 'pii', values: ['true'] } });
  await policies.createRowFilter({
    name: 'own_region',
    target: { kind: 'table', database: 'hr', table: 'employees' },
    predicate: "region = current_principal_attribute('region')",
    exempt: [{ kind: 'role', name: 'hr_admin' }],
  });
  return { firstSnapshot: first.snapshotId };
}
