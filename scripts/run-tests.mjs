#!/usr/bin/env node
// Runs every `*.test.ts` under src/ and test/ with node's own test runner (through tsx).
// Node 20's `--test` does not expand globs, so the files are found here.
// Usage: node scripts/run-tests.mjs [substring-filter ...]
//
// Two passes: every matched file on the defaults (local lake), then the S3 pass — the matched files
// that take their lake from src/table/testing/test-lake.ts (directly or through table-fixture.ts)
// run again with the lake on one S3Proxy server (src/storage/testing/s3-lake-pass.ts).
// STRATA_TEST_S3_PASS=0 leaves the S3 pass out.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = ['src', 'test']
  .flatMap((dir) => findTests(join(root, dir)))
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

const env = { ...process.env, NODE_OPTIONS: '' };
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit', env });

const TEST_LAKE_IMPORT = /from\s+'[^']*\/testing\/(test-lake|table-fixture)\.ts'/;
const lakeFiles = process.env.STRATA_TEST_S3_PASS === '0' ? [] : files.filter((file) => TEST_LAKE_IMPORT.test(readFileSync(join(root, file), 'utf8')));
const s3Pass =
  lakeFiles.length === 0
    ? { status: 0 }
    : spawnSync(process.execPath, ['--import', 'tsx', 'src/storage/testing/s3-lake-pass.ts', ...lakeFiles], { cwd: root, stdio: 'inherit', env });
process.exit((result.status ?? 1) || (s3Pass.status ?? 1));
