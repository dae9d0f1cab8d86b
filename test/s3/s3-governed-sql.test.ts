/**
 * SQL through the governed engine with the lake on S3 (S3Proxy on loopback): an admin creates and
 * fills a table with SQL, a non-admin principal reads it through a column mask and a row filter and
 * inserts into it, all on a sandboxed DuckDB — and every table file lives in the bucket.
 *
 * How DuckDB reads an S3 lake: not through its httpfs extension. Strata plans the scan from the
 * Iceberg manifests and hands DuckDB local paths; for a remote store each data file is downloaded
 * once into `<scratch>/object-cache/` (src/table/io/local-files.ts). The sandbox allows only the
 * lake directory and the scratch space, so nothing a user writes can reach the bucket itself.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { DuckDbEngine } from '../../src/engine/index.ts';
import { bootstrapAdmin, openGovernance, type GovernancePlane } from '../../src/governance/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { s3ForTests } from '../../src/storage/testing/s3-test-server.ts';
import { listKeys, s3LakeOptions } from './s3-lake.ts';

const s3 = await s3ForTests();
after(() => s3.server?.stop());

async function rowsOf(session: SqlSession, sql: string): Promise<unknown[][]> {
  const result = await session.execute(sql);
  if (result.kind === 'ok') return [];
  const rows: unknown[][] = [];
  for await (const batch of result.rows) rows.push(...batch);
  return rows;
}

async function codeOf(session: SqlSession, sql: string): Promise<string> {
  try {
    await rowsOf(session, sql);
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? 'UNEXPECTED';
  }
}

describe('governed SQL on an S3 lake', { skip: s3.skip }, () => {
  const server = s3.server!;
  let dir: string;
  let home: StrataHome;
  let engine: DuckDbEngine;
  let governance: GovernancePlane;
  let admin: SqlSession;
  let alice: SqlSession;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-s3-governed-'));
    home = await openStrataHome(dir, { threads: 2 }, { lake: s3LakeOptions(server, 'governed') });
    engine = DuckDbEngine.create(home.runtime, { poolSize: 2 });
    governance = await openGovernance(home.catalog);
    await bootstrapAdmin(governance.identity);
    admin = await SqlSession.open({ catalog: home.catalog, engine, governor: await governance.governorFor('admin', engine) });

    await rowsOf(admin, 'CREATE DATABASE hr');
    await rowsOf(admin, `CREATE TABLE hr.staff AS SELECT * FROM (VALUES
        (1::BIGINT, 'Anna', 'SSN-1', 'eu'), (2::BIGINT, 'Bruno', 'SSN-2', 'eu'), (3::BIGINT, 'Zed', 'SSN-3', 'us')
      ) t(id, name, ssn, region)`);
    await rowsOf(admin, `INSERT INTO hr.staff VALUES (4, 'Yara', 'SSN-4', 'us')`);

    const { identity, policies } = governance;
    await identity.createPrincipal('alice', { attributes: { region: 'eu' } });
    await identity.createRole('analyst');
    await identity.grantRole('analyst', { principal: 'alice' });
    await rowsOf(admin, 'GRANT SELECT, INSERT ON hr.staff TO ROLE analyst');
    await policies.createMask({ name: 'ssn_hash', function: { kind: 'hash' } });
    await policies.attachMask('ssn_hash', { kind: 'column', database: 'hr', table: 'staff', column: 'ssn' });
    await policies.createRowFilter({ name: 'own_region', target: { kind: 'table', database: 'hr', table: 'staff' }, predicate: "region = current_principal_attribute('region')" });

    await home.runtime.sandbox([join(dir, 'lake')]);
    alice = await SqlSession.open({ catalog: home.catalog, engine, governor: await governance.governorFor('alice', engine) });
  });
  after(async () => {
    await alice.close();
    await admin.close();
    await governance.close();
    await engine.close();
    await home.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the table written by SQL lives in the bucket', async () => {
    const table = await home.catalog.loadTable('hr.staff');
    assert.match(table.metadata().location, /^s3:\/\/strata-test\/governed-[0-9a-f]+\/curated\/hr\.db\/staff$/);
    assert.equal(table.snapshots().length, 2, 'CTAS and INSERT each committed a snapshot');
    const keys = await listKeys(home.lake.root, 'curated/hr.db/staff/data/');
    assert.equal(keys.filter((k) => k.endsWith('.parquet')).length, (await table.scan().planFiles()).tasks.length);
  });

  test('a non-admin reads through the row filter and the mask, on a sandboxed DuckDB', async () => {
    assert.ok(home.runtime.sandboxed);
    const rows = await rowsOf(alice, 'SELECT id, name, ssn, region FROM hr.staff ORDER BY id');
    assert.deepEqual(rows.map((r) => [Number(r[0]), r[1], r[3]]), [[1, 'Anna', 'eu'], [2, 'Bruno', 'eu']], 'only EU rows');
    for (const r of rows) assert.ok(!String(r[2]).startsWith('SSN-'), `ssn is masked, got ${String(r[2])}`);
    const all = await rowsOf(admin, 'SELECT ssn FROM hr.staff ORDER BY id');
    assert.deepEqual(all.map((r) => r[0]), ['SSN-1', 'SSN-2', 'SSN-3', 'SSN-4'], 'the admin sees raw values');
  });

  test('a non-admin writes to the S3 table through the governed session, and sees the row', async () => {
    await rowsOf(alice, `INSERT INTO hr.staff VALUES (5, 'Clara', 'SSN-5', 'eu')`);
    const mine = await rowsOf(alice, 'SELECT id FROM hr.staff ORDER BY id');
    assert.deepEqual(mine.map((r) => Number(r[0])), [1, 2, 5]);
    const table = await home.catalog.loadTable('hr.staff');
    assert.equal(table.snapshots().length, 3);
    assert.ok((await table.scan().planFiles()).tasks.every((t) => t.file.filePath.startsWith('s3://')), 'the new data file is in the bucket');
  });

  test('fails closed: a non-admin cannot read the bucket directly, nor a cached copy of its files', async () => {
    const location = (await home.catalog.loadTable('hr.staff')).metadata().location;
    assert.equal(await codeOf(alice, `SELECT * FROM read_parquet('${location}/data/*.parquet')`), 'ACCESS_DENIED');
    assert.equal(await codeOf(alice, `SELECT * FROM read_parquet('${join(home.runtime.tempDirectory, 'object-cache')}/*.parquet')`), 'ACCESS_DENIED');
    assert.notEqual(await codeOf(alice, 'DROP TABLE hr.staff'), 'none');
  });
});
