/**
 * `strata compute up/status/down` as real child processes, against a real Spark (pip pyspark on
 * Java 17) and a real `strata serve` (the Iceberg REST catalog Spark reads the lake through).
 * Two Spark starts in all, each with 1 core: the machine is small and shared.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '../../core/index.ts';
import {
  SparkConnectClient,
  managedClusterPaths,
  processCommandLine,
  readManagedState,
  resolveSparkEndpoint,
  sparkConnectSkipReason,
} from '../../engine/spark/index.ts';
import { processAlive } from '../../engine/spark/compute/index.ts';
import { TOKEN_PREFIX } from '../../governance/index.ts';
import { startTestServer, type TestServer } from '../../server/testing/test-server.ts';
import { runCli, type CliRun } from '../cli-test-kit.ts';

const skip = sparkConnectSkipReason();

async function rowsOf(result: AsyncIterable<readonly unknown[][]>): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const batch of result) rows.push(...batch);
  return rows;
}

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return run;
}

/** The state (active, revoked, …) of one of strata-compute's tokens, as `strata token list` shows it. */
async function tokenState(strata: (args: string[]) => Promise<CliRun>, id: string): Promise<unknown> {
  const listed = ok(await strata(['--format', 'json', 'token', 'list', 'strata-compute'])).stdout;
  const rows = listed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return rows.find((row) => row['id'] === id)?.['state'];
}

/** Every file under the home's compute directory, as text. */
function computeFiles(home: string): string {
  const root = managedClusterPaths(home).dir;
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'latin1'))
    .join('\n');
}

describe('strata compute', { skip }, () => {
  let rest: TestServer;
  let home: string;
  const strata = (args: string[], env?: Record<string, string>) => runCli(['--home', home, ...args], env ? { env } : {});
  const up = () => strata(['compute', 'up', '--cores', '1', '--memory', '700m', '--catalog-uri', rest.server.url]);

  before(async () => {
    rest = await startTestServer(async (strataHome, governance) => {
      await strataHome.catalog.createNamespace(['sales']);
      await governance.identity.createPrincipal('bob');
    });
    home = rest.dir;
  });

  after(async () => {
    const pid = home === undefined ? undefined : readManagedState(home)?.pid;
    if (home !== undefined) await strata(['compute', 'down', '--grace', '2']);
    if (pid !== undefined && processAlive(pid)) process.kill(-pid, 'SIGKILL');
    await rest?.close();
  });

  test('is for administrators: bob may not start compute', async () => {
    const run = await strata(['compute', 'up'], { STRATA_PRINCIPAL: 'bob' });
    assert.equal(run.code, 6, run.stderr);
    assert.match(run.stderr, /ACCESS_DENIED/);
    assert.equal(readManagedState(home), undefined);
  });

  test('up starts a cluster that serves SQL and reads the lake; up again is a no-op; down leaves nothing', { timeout: 240_000 }, async () => {
    const started = ok(await up());
    assert.match(started.stdout, /Started Spark at sc:\/\/127\.0\.0\.1:\d+ \(pid \d+, local\[1\], 700m\)/);
    const state = readManagedState(home);
    assert.ok(state !== undefined);
    assert.equal(state.catalogUri, rest.server.url);
    assert.ok(processAlive(state.pid));

    const status = JSON.parse(ok(await strata(['compute', 'status', '--json'])).stdout) as Record<string, unknown>;
    assert.equal(status['state'], 'running');
    assert.equal(status['pid'], state.pid);
    assert.equal(status['url'], state.url);
    assert.equal(status['configured_url'], null);

    const endpoint = resolveSparkEndpoint(home, { 'compute.spark.url': '' });
    assert.equal(endpoint?.source, 'managed');
    const client = SparkConnectClient.connect(endpoint.url);
    try {
      assert.deepEqual(await rowsOf(await client.sql('SELECT 1 AS one')), [[1]]);
      const conf = await client.config.get(['spark.master', 'spark.driver.memory']);
      assert.equal(conf['spark.master'], 'local[1]');
      assert.equal(conf['spark.driver.memory'], '700m');
      // Spark reaches Strata's REST catalog with the token minted for it.
      const namespaces = await rowsOf(await client.sql('SHOW NAMESPACES IN strata'));
      assert.ok(namespaces.some(([name]) => name === 'sales'), JSON.stringify(namespaces));
    } finally {
      await client.close();
    }

    // The catalog token (`strata_<id>_<secret>`) is in no file of the home, on no command line, in no environment.
    assert.ok(state.catalogTokenId !== null);
    const tokenStart = `${TOKEN_PREFIX}${state.catalogTokenId}_`;
    assert.equal(await tokenState(strata, state.catalogTokenId), 'active');
    assert.ok(!readFileSync(managedClusterPaths(home).stateFile, 'utf8').includes(tokenStart));
    assert.ok(!computeFiles(home).includes(tokenStart));
    const cmdline = processCommandLine(state.pid);
    if (cmdline !== undefined) {
      assert.ok(cmdline.includes('SparkConnectServer'));
      assert.ok(!cmdline.includes(tokenStart));
      assert.ok(!readFileSync(`/proc/${state.pid}/environ`, 'latin1').includes(tokenStart));
    }
    assert.equal(statSync(managedClusterPaths(home).tokenFile).mode & 0o777, 0o600);

    // Without the cluster's own token, Spark Connect refuses the client.
    const stranger = SparkConnectClient.connect(state.url);
    try {
      await assert.rejects(stranger.sql('SELECT 1'), (error: unknown) => StrataError.is(error, 'UNAUTHENTICATED'));
    } finally {
      await stranger.close().catch(() => undefined);
    }

    const again = ok(await up());
    assert.match(again.stdout, /Already running: Spark at/);
    assert.equal(readManagedState(home)?.pid, state.pid);

    const down = ok(await strata(['compute', 'down']));
    assert.match(down.stdout, /Stopped Spark \(pid \d+/);
    assert.equal(processAlive(state.pid), false, 'no Spark process is left');
    assert.equal(readManagedState(home), undefined);
    assert.equal(await tokenState(strata, state.catalogTokenId), 'revoked', 'down revokes the catalog token');
    assert.match(ok(await strata(['compute', 'status'])).stdout, /^stopped\n/);
    assert.match(ok(await strata(['compute', 'down'])).stdout, /No Spark cluster was running/);
  });

  test('status notices a cluster killed behind its back, cleans up and revokes its token', { timeout: 240_000 }, async () => {
    ok(await up());
    const state = readManagedState(home);
    assert.ok(state?.catalogTokenId);
    process.kill(-state.pid, 'SIGKILL');
    for (let i = 0; i < 100 && processAlive(state.pid); i++) await sleep(100);
    assert.equal(processAlive(state.pid), false);
    assert.equal(resolveSparkEndpoint(home, { 'compute.spark.url': '' }), undefined);

    const status = JSON.parse(ok(await strata(['compute', 'status', '--json'])).stdout) as { state: string; stale?: { pid: number } };
    assert.equal(status.state, 'stopped');
    assert.equal(status.stale?.pid, state.pid);
    assert.equal(readManagedState(home), undefined);
    assert.equal(await tokenState(strata, state.catalogTokenId), 'revoked');
  });
});
