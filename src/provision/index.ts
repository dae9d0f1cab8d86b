// Provisioning: fetching the Java artifacts Strata's real components need (from Maven Central).
export {
  ensureMavenArtifact,
  mavenCoordinates,
  mavenLocalJarPath,
  commandSucceeds,
  type MavenArtifact,
  type EnsureMavenArtifactOptions,
} from './maven-artifact.ts';
