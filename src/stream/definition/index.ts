// Stream definitions: TypeScript (defineStream) and YAML, validation, versions, compatibility checks.
export { defineStream, type StreamInput, type SourceInput, type TransformInput, type Duration } from './define-stream.ts';
export { parseStreamYaml } from './stream-yaml.ts';
export { loadStreamFile } from './load-stream-file.ts';
export { validateStream } from './validate-stream.ts';
export { streamVersion } from './stream-version.ts';
export { checkCompatibility, type CompatibilityReport, type CompatibilityChange, type ChangeKind } from './stream-compatibility.ts';
