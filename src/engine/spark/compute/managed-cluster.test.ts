/**
 * The managed cluster's record without starting Spark: stale records, recycled pids and endpoint
 * resolution. (Starting and stopping a real managed cluster is tested through the CLI, in
 * src/cli/commands/compute-cli.test.ts.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '../../../core/index.ts';
import { managedClusterPaths, managedClusterStatus, readManagedState, stopManagedCluster, type ManagedSparkState } from './managed-cluster.ts';
import { resolveSparkEndpoint } from './spark-endpoint.ts';

function withHome(fn: (home: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const home = mkdtempSync(join(tmpdir(), 'strata-compute-'));
    try {
      await fn(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}

function record(home: string, pid: number): ManagedSparkState {
  const paths = managedClusterPaths(home);
  mkdirSync(paths.dir, { recursive: true });
  const state: ManagedSparkState = {
    pid,
    url: 'sc://127.0.0.1:1',
    port: 1,
    startedAt: new Date().toISOString(),
    cores: 2,
    memory: '2g',
    catalogUri: 'http://127.0.0.1:8181',
    catalogTokenId: 't_123',
    logPath: join(paths.workDir, 'server.log'),
  };
  writeFileSync(paths.stateFile, JSON.stringify(state));
  writeFileSync(paths.tokenFile, 'connect-token\n');
  return state;
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(pid !== undefined && pid > 0);
  return pid;
}

describe('managed cluster record', () => {
  test('no record: stopped, and no endpoint unless one is configured', withHome(async (home) => {
    assert.deepEqual(await managedClusterStatus(home), { state: 'stopped' });
    assert.equal(resolveSparkEndpoint(home, { 'compute.spark.url': '' }), undefined);
    assert.deepEqual(resolveSparkEndpoint(home, { 'compute.spark.url': 'sc://spark.internal:15002/;token=abc' }), {
      url: 'sc://spark.internal:15002/;token=abc',
      source: 'configured',
    });
  }));

  test('a configured endpoint wins over a recorded cluster', withHome(async (home) => {
    record(home, deadPid());
    assert.equal(resolveSparkEndpoint(home, { 'compute.spark.url': 'sc://emr:15002' })?.source, 'configured');
  }));

  test('a record whose process died is reported stale and cleaned up', withHome(async (home) => {
    const state = record(home, deadPid());
    assert.equal(resolveSparkEndpoint(home, { 'compute.spark.url': '' }), undefined);
    const status = await managedClusterStatus(home);
    assert.equal(status.state, 'stopped');
    assert.deepEqual(status.state === 'stopped' ? status.stale : undefined, state);
    assert.equal(existsSync(managedClusterPaths(home).stateFile), false);
    assert.equal(existsSync(managedClusterPaths(home).tokenFile), false);
    assert.equal(readManagedState(home), undefined);
  }));

  test('should not signal a recycled pid that no longer runs Spark', withHome(async (home) => {
    // This very test process stands in for an unrelated process that got the old pid.
    const state = record(home, process.pid);
    assert.equal(resolveSparkEndpoint(home, { 'compute.spark.url': '' }), undefined);
    assert.deepEqual(await stopManagedCluster(home, 0), state);
    assert.equal(readManagedState(home), undefined);
    // Still here: nothing was killed.
  }));

  test('a damaged record is a COMPUTE_ERROR that says what to do', withHome(async (home) => {
    mkdirSync(managedClusterPaths(home).dir, { recursive: true });
    writeFileSync(managedClusterPaths(home).stateFile, '{"nope": true}');
    assert.throws(() => readManagedState(home), (error: unknown) => StrataError.is(error, 'COMPUTE_ERROR') && /delete it/.test(error.message));
  }));
});
