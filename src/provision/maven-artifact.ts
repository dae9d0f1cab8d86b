/**
 * Fetching a jar from Maven Central into Maven's local repository (`~/.m2/repository`), the one
 * way Strata provisions the Java pieces its real components need (S3Proxy for the S3 tests,
 * Iceberg's Spark runtime for Spark). `mvn -q -B dependency:get -Dartifact=… -Dtransitive=false`
 * downloads exactly one artifact and nothing it depends on.
 *
 * @example
 *   const got = ensureMavenArtifact({ groupId: 'org.gaul', artifactId: 's3proxy', version: '4.1.0', classifier: 'jar-with-dependencies' });
 *   if ('problem' in got) throw new Error(got.problem);
 *   spawn('java', ['-jar', got.jar]);
 *
 * Gotchas: it runs `mvn` synchronously (a first download can take a minute; `.ci/run` provisions
 * ahead of the tests so no test waits for it). It runs in the temp directory so a `pom.xml` in the
 * working directory cannot change what is resolved. A Maven `settings.xml` that moves the local
 * repository is not followed: pass `jar` to say where the file lands.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MavenArtifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  /** e.g. `jar-with-dependencies`; none for the main jar. */
  readonly classifier?: string;
}

/** `group:artifact:version[:jar:classifier]`, as `mvn dependency:get -Dartifact=…` takes it. */
export function mavenCoordinates(artifact: MavenArtifact): string {
  const { groupId, artifactId, version, classifier } = artifact;
  return classifier === undefined ? `${groupId}:${artifactId}:${version}` : `${groupId}:${artifactId}:${version}:jar:${classifier}`;
}

/** Where Maven puts the artifact's jar in its default local repository. */
export function mavenLocalJarPath(artifact: MavenArtifact): string {
  const { groupId, artifactId, version, classifier } = artifact;
  const file = `${artifactId}-${version}${classifier === undefined ? '' : `-${classifier}`}.jar`;
  return join(homedir(), '.m2', 'repository', ...groupId.split('.'), artifactId, version, file);
}

/** True when `command args…` runs and exits 0 (e.g. `java -version`, `mvn -v`). */
export function commandSucceeds(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return result.error === undefined && result.status === 0;
}

export interface EnsureMavenArtifactOptions {
  /** Where the jar is expected (default `mavenLocalJarPath(artifact)`). */
  readonly jar?: string;
  /** How problems name the artifact (default its coordinates), e.g. `the S3Proxy jar`. */
  readonly what?: string;
}

/**
 * Returns the jar's path, downloading it with Maven when it is not on disk yet, or the reason it
 * cannot be had (Maven missing, download failed). Never throws.
 */
export function ensureMavenArtifact(artifact: MavenArtifact, options: EnsureMavenArtifactOptions = {}): { jar: string } | { problem: string } {
  const jar = options.jar ?? mavenLocalJarPath(artifact);
  if (existsSync(jar)) return { jar };
  const coordinates = mavenCoordinates(artifact);
  const what = options.what ?? coordinates;
  if (!commandSucceeds('mvn', ['-v'])) {
    return { problem: `${what} is not in ${jar} and Maven is not installed to fetch it (apt-get install maven)` };
  }
  const fetched = spawnSync('mvn', ['-q', '-B', 'dependency:get', `-Dartifact=${coordinates}`, '-Dtransitive=false'], {
    cwd: tmpdir(),
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (fetched.status !== 0 || !existsSync(jar)) {
    const output = `${fetched.stdout ?? ''}${fetched.stderr ?? ''}`.slice(-2000);
    return { problem: `mvn dependency:get ${coordinates} failed (${fetched.status ?? fetched.error?.message}): ${output}` };
  }
  return { jar };
}
