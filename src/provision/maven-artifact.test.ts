import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureMavenArtifact, mavenCoordinates, mavenLocalJarPath } from './maven-artifact.ts';

const S3PROXY = { groupId: 'org.gaul', artifactId: 's3proxy', version: '4.1.0', classifier: 'jar-with-dependencies' } as const;
const ICEBERG = { groupId: 'org.apache.iceberg', artifactId: 'iceberg-spark-runtime-4.0_2.13', version: '1.10.1' } as const;

test('coordinates name the packaging only when there is a classifier', () => {
  assert.equal(mavenCoordinates(S3PROXY), 'org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies');
  assert.equal(mavenCoordinates(ICEBERG), 'org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.1');
});

test('the local jar path follows the Maven repository layout', () => {
  assert.equal(
    mavenLocalJarPath(S3PROXY),
    join(homedir(), '.m2', 'repository', 'org', 'gaul', 's3proxy', '4.1.0', 's3proxy-4.1.0-jar-with-dependencies.jar'),
  );
  assert.equal(
    mavenLocalJarPath(ICEBERG),
    join(homedir(), '.m2', 'repository', 'org', 'apache', 'iceberg', 'iceberg-spark-runtime-4.0_2.13', '1.10.1', 'iceberg-spark-runtime-4.0_2.13-1.10.1.jar'),
  );
});

test('a jar already on disk is returned without running Maven', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-maven-'));
  try {
    const jar = join(dir, 'present.jar');
    writeFileSync(jar, 'PK');
    // A made-up artifact: resolving it with Maven would fail, so success proves Maven was not asked.
    assert.deepEqual(ensureMavenArtifact({ groupId: 'invalid.strata', artifactId: 'nothing', version: '0' }, { jar }), { jar });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
