/**
 * The S3 pass of the test suite: starts one S3Proxy (s3-test-server.ts), runs the given test files
 * with node's test runner and `STRATA_TEST_LAKE=s3` pointing at it (s3-test-env.ts), then stops
 * it. scripts/run-tests.mjs calls it after the main pass with every test file that takes its lake
 * from src/table/testing/test-lake.ts, so the same files run on the local lake and on S3.
 *
 * Usage: node --import tsx src/storage/testing/s3-lake-pass.ts <test files…>
 * Exit code: the test runner's. Without Java or the S3Proxy jar it prints why and exits 0 —
 * except in CI (`CI` set), where that is a failure, as for every S3 test.
 */
import { spawn } from 'node:child_process';
import { s3ForTests } from './s3-test-server.ts';
import { s3TestEnv } from './s3-test-env.ts';

async function main(files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0;
  const s3 = await s3ForTests();
  if (s3.server === undefined) {
    process.stdout.write(`S3 pass skipped: ${s3.skip || 'no server'}\n`);
    return 0;
  }
  const server = s3.server;
  try {
    process.stdout.write(`S3 pass: ${files.length} test file(s) with the lake on S3Proxy at ${server.endpoint}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      stdio: 'inherit',
      env: { ...process.env, NODE_OPTIONS: '', ...s3TestEnv(server) },
    });
    return await new Promise<number>((resolve) => {
      child.on('error', () => resolve(1));
      child.on('close', (code) => resolve(code ?? 1));
    });
  } finally {
    await server.stop();
  }
}

process.exitCode = await main(process.argv.slice(2));
