import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StrataError } from '../core/index.ts';
import { CONFIG_KEYS, configTemplate, envVarOf, loadConfig, type ConfigKey } from './index.ts';

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'strata-config-'));
  try {
    await fn(home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function invalidConfig(fn: () => unknown): StrataError {
  try {
    fn();
  } catch (error) {
    assert.ok(StrataError.is(error, 'INVALID_CONFIG'), `expected INVALID_CONFIG, got ${String(error)}`);
    return error;
  }
  assert.fail('expected INVALID_CONFIG');
}

describe('loadConfig', () => {
  test('without a file or env, every key has its embedded default', () =>
    withHome(async (home) => {
      const config = loadConfig(home, { env: {} });
      assert.equal(config.fileExists, false);
      assert.equal(config.values['duckdb.pool_size'], 4);
      assert.equal(config.values['duckdb.memory_limit'], null);
      assert.equal(config.values['duckdb.temp_directory'], join(home, 'tmp'));
      assert.equal(config.values['output.format'], 'table');
      for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) assert.equal(config.sources[key].kind, 'default');
    }));

  test('the file overrides defaults and env overrides the file', () =>
    withHome(async (home) => {
      await writeFile(join(home, 'strata.yaml'), 'duckdb:\n  threads: 2\n  memory_limit: 1GB\nquery:\n  timeout_ms: 5000\nprincipal: alice\n');
      const config = loadConfig(home, { env: { STRATA_DUCKDB_THREADS: '8', STRATA_PRINCIPAL: '' } });
      assert.equal(config.values['duckdb.threads'], 8);
      assert.deepEqual(config.sources['duckdb.threads'], { kind: 'env', origin: 'STRATA_DUCKDB_THREADS' });
      assert.equal(config.values['duckdb.memory_limit'], '1GB');
      assert.deepEqual(config.sources['duckdb.memory_limit'], { kind: 'file', origin: join(home, 'strata.yaml') });
      assert.equal(config.values['query.timeout_ms'], 5000);
      // An empty env var counts as unset: the file's value stays.
      assert.equal(config.values.principal, 'alice');
      assert.equal(config.sources.principal.kind, 'file');
    }));

  test('a relative temp directory is resolved against the home', () =>
    withHome(async (home) => {
      await writeFile(join(home, 'strata.yaml'), 'duckdb:\n  temp_directory: spill\n');
      assert.equal(loadConfig(home, { env: {} }).values['duckdb.temp_directory'], join(home, 'spill'));
    }));

  test('a bad value names the key and the file', () =>
    withHome(async (home) => {
      await writeFile(join(home, 'strata.yaml'), 'duckdb:\n  pool_size: -1\n');
      const error = invalidConfig(() => loadConfig(home, { env: {} }));
      assert.equal(error.details['key'], 'duckdb.pool_size');
      assert.equal(error.details['file'], join(home, 'strata.yaml'));
      assert.match(error.message, /duckdb\.pool_size.*strata\.yaml/);
    }));

  test('a bad env value names the key and the variable', () =>
    withHome(async (home) => {
      const error = invalidConfig(() => loadConfig(home, { env: { STRATA_DUCKDB_MEMORY_LIMIT: 'lots' } }));
      assert.equal(error.details['key'], 'duckdb.memory_limit');
      assert.equal(error.details['envVar'], 'STRATA_DUCKDB_MEMORY_LIMIT');
    }));

  test('an unknown key is refused with a suggestion', () =>
    withHome(async (home) => {
      await writeFile(join(home, 'strata.yaml'), 'duckdb:\n  thraeds: 4\n');
      const error = invalidConfig(() => loadConfig(home, { env: {} }));
      assert.equal(error.details['key'], 'duckdb.thraeds');
      assert.equal(error.details['suggestion'], 'duckdb.threads');
    }));

  test('malformed YAML and a non-mapping document are refused', () =>
    withHome(async (home) => {
      await writeFile(join(home, 'strata.yaml'), 'duckdb:\n  threads: [1,\n');
      assert.equal(invalidConfig(() => loadConfig(home, { env: {} })).details['file'], join(home, 'strata.yaml'));
      await writeFile(join(home, 'strata.yaml'), '- a\n- b\n');
      invalidConfig(() => loadConfig(home, { env: {} }));
    }));

  test('enumerated keys accept only their values', () =>
    withHome(async (home) => {
      assert.equal(loadConfig(home, { env: { STRATA_OUTPUT_FORMAT: 'csv' } }).values['output.format'], 'csv');
      invalidConfig(() => loadConfig(home, { env: { STRATA_OUTPUT_FORMAT: 'xml' } }));
      invalidConfig(() => loadConfig(home, { env: { STRATA_INGEST_MAX_BAD_RATIO: '1.5' } }));
    }));

  test('the lake is <home>/lake by default or an s3:// bucket, with its S3 settings from yaml or env', () =>
    withHome(async (home) => {
      const defaults = loadConfig(home, { env: {} }).values;
      assert.deepEqual([defaults['lake.uri'], defaults['lake.s3_endpoint'], defaults['lake.s3_region'], defaults['lake.s3_path_style']], ['', '', 'us-east-1', false]);
      await writeFile(join(home, 'strata.yaml'), 'lake:\n  uri: s3://lake/prod\n  s3_endpoint: http://127.0.0.1:9000\n  s3_path_style: true\n');
      const fromFile = loadConfig(home, { env: { STRATA_LAKE_S3_REGION: 'eu-west-1' } }).values;
      assert.deepEqual([fromFile['lake.uri'], fromFile['lake.s3_endpoint'], fromFile['lake.s3_region'], fromFile['lake.s3_path_style']], ['s3://lake/prod', 'http://127.0.0.1:9000', 'eu-west-1', true]);
      for (const uri of ['/data/lake', 'file:///data/lake', 's3://', 'gs://bucket/x']) invalidConfig(() => loadConfig(home, { env: { STRATA_LAKE_URI: uri } }));
      invalidConfig(() => loadConfig(home, { env: { STRATA_LAKE_S3_PATH_STYLE: 'yes' } }));
    }));
});

describe('configTemplate', () => {
  test('is valid YAML that changes nothing, and mentions every key and env var', () =>
    withHome(async (home) => {
      const template = configTemplate();
      assert.equal(parseYaml(template), null);
      await writeFile(join(home, 'strata.yaml'), template);
      const config = loadConfig(home, { env: {} });
      assert.equal(config.fileExists, true);
      for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
        assert.equal(config.sources[key].kind, 'default');
        assert.ok(template.includes(envVarOf(key)), `template mentions ${envVarOf(key)}`);
        assert.ok(template.includes(`# ${key.split('.').pop() ?? key}:`), `template mentions ${key}`);
      }
    }));
});
