/**
 * `strata demo` with the lake on S3: the real CLI, configured only through the config keys
 * (`STRATA_LAKE_URI=s3://…`, `STRATA_LAKE_S3_ENDPOINT`, `STRATA_LAKE_S3_PATH_STYLE`) and the AWS
 * SDK's credential variables, runs the ad-tech pipeline with every table file in a bucket of a real
 * S3-compatible server (S3Proxy on loopback). Its tables must hold exactly what the same demo
 * writes to a local lake, and other commands on that home (`strata sql`) must read them from S3.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import { runCli } from '../../src/cli/cli-test-kit.ts';
import { runAdTechDemo } from '../../src/demo/adtech-pipeline.ts';
import { s3ForTests } from '../../src/storage/testing/s3-test-server.ts';
import { listKeys, s3LakeOptions } from './s3-lake.ts';

const s3 = await s3ForTests();
after(() => s3.server?.stop());

/** Small: ~3,000 events over the demo's 7 days, still every step (quarantine, gate, backfill). */
const SCALE = '0.1';

/** Rows of a table in a stable order, as JSON text (bigints and dates rendered the same way on both sides). */
async function contents(home: StrataHome, table: string): Promise<string[]> {
  const rows = await (await home.catalog.loadTable(table)).read();
  return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).sort();
}

async function tableNames(home: StrataHome): Promise<string[]> {
  const names: string[] = [];
  for (const ns of await home.catalog.listNamespaces()) {
    for (const id of await home.catalog.listTables(ns)) names.push([...id.namespace, id.name].join('.'));
  }
  return names.sort();
}

describe('strata demo with the lake on S3', { skip: s3.skip }, () => {
  const server = s3.server!;
  let root: string;
  let s3Home: StrataHome;
  let localHome: StrataHome;
  const lake = s3LakeOptions(server, 'demo');
  const env = {
    STRATA_LAKE_URI: lake.uri ?? '',
    STRATA_LAKE_S3_ENDPOINT: server.endpoint,
    STRATA_LAKE_S3_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-s3-demo-'));
    const cli = await runCli(['--home', join(root, 's3'), 'demo', '--scale', SCALE], { env });
    assert.equal(cli.code, 0, `${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, new RegExp(`lake: ${lake.uri}`), 'the demo says where the lake is');
    await runAdTechDemo({ home: join(root, 'local'), scale: Number(SCALE), log: () => undefined });
    s3Home = await openStrataHome(join(root, 's3'), { threads: 2 }, { lake });
    localHome = await openStrataHome(join(root, 'local'), { threads: 2 });
  });
  after(async () => {
    await s3Home.close();
    await localHome.close();
    await rm(root, { recursive: true, force: true });
  });

  test('every table file is in the bucket, none in the home', async () => {
    assert.ok(!existsSync(join(root, 's3', 'lake')), 'no local lake directory');
    const curated = await s3Home.catalog.loadTable('curated.daily_campaign_stats');
    assert.match(curated.metadata().location, new RegExp(`^${lake.uri}/curated/`));
    const keys = await listKeys(s3Home.lake.root, 'curated/');
    assert.ok(keys.some((k) => k.endsWith('.parquet')) && keys.some((k) => k.endsWith('.metadata.json')), keys.join('\n'));
  });

  test('the curated tables hold exactly the rows of the local run, and every other table as many rows', async () => {
    const names = await tableNames(s3Home);
    assert.deepEqual(names, await tableNames(localHome), 'the same tables');
    assert.ok(names.includes('curated.daily_campaign_stats') && names.includes('raw.impressions__quarantine'), names.join(', '));
    for (const name of names) {
      const [fromS3, fromLocal] = [await contents(s3Home, name), await contents(localHome, name)];
      assert.ok(fromLocal.length > 0, `${name} is not empty`);
      assert.equal(fromS3.length, fromLocal.length, `${name}: row count`);
      // Raw rows carry their source file's path (which names the home) and ingest date; curated rows are pure results.
      if (name.startsWith('curated.')) assert.deepEqual(fromS3, fromLocal, `${name}: contents`);
    }
  });

  test('strata sql on the same home reads the curated table from S3', async () => {
    const sql = await runCli(['--home', join(root, 's3'), 'sql', 'SELECT count(*) AS n, sum(clicks) AS clicks FROM curated.daily_campaign_stats', '--format', 'json'], { env });
    assert.equal(sql.code, 0, sql.stderr);
    const local = (await (await localHome.catalog.loadTable('curated.daily_campaign_stats')).read());
    const clicks = local.reduce((n, r) => n + Number(r['clicks']), 0);
    assert.match(sql.stdout, new RegExp(`"n":\\s*"?${local.length}"?`));
    assert.match(sql.stdout, new RegExp(`"clicks":\\s*"?${clicks}"?`));
  });
});
