/**
 * Pipeline versions: every run records the version of the definition it ran, so a redrive of an
 * old run executes the SQL it originally ran, and "what changed" is a diff of two canonical texts.
 *
 * The canonical form is JSON with sorted keys and no `undefined`; a function step's `run` is
 * stored as its source text (`fn.toString()`), so editing the function changes the version.
 * `versionOf` = first 16 hex digits of SHA-256 of the canonical form.
 *
 * Gotchas:
 * - Source text is not a closure: a function step loaded back from the canonical form cannot run
 *   (its `run` throws PIPELINE_INVALID asking for a redrive with the latest version). SQL, ingest,
 *   quality and publish steps are pure data and run fine.
 * - A loaded-back function keeps the original source as its `toString()`, so
 *   `versionOf(definitionFromCanonical(c)) === versionOf(original)`.
 * - Changing formatting or key order of a TypeScript definition does not change its version;
 *   changing a function's body (even whitespace inside it) does.
 */
import { createHash } from 'node:crypto';
import { StrataError } from '../../core/index.ts';
import { deepFreeze } from './define-pipeline.ts';
import type { FunctionStepContext, PipelineDefinition } from './pipeline-definition.ts';

/** Stable JSON of the definition (sorted keys; functions as their source text). */
export function canonicalDefinition(definition: PipelineDefinition): string {
  return canonical(definition, '');
}

/** First 16 hex digits of SHA-256 of `canonicalDefinition(definition)`. */
export function versionOf(definition: PipelineDefinition): string {
  return hashOf(canonicalDefinition(definition));
}

/**
 * A definition back from its canonical JSON, deeply frozen. Function steps come back with a `run`
 * that throws PIPELINE_INVALID (the code is not loadable from text).
 */
export function definitionFromCanonical(json: string): PipelineDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new StrataError('PIPELINE_INVALID', 'Stored pipeline definition is not valid JSON', {}, { cause: error });
  }
  if (!isRecord(parsed) || typeof parsed.name !== 'string' || !Array.isArray(parsed.steps)) {
    throw new StrataError('PIPELINE_INVALID', 'Stored pipeline definition has no name or steps', {});
  }
  const version = hashOf(canonical(parsed, ''));
  const pipeline = parsed.name;
  const steps = parsed.steps.map((step: unknown) => {
    if (!isRecord(step) || step.kind !== 'function') return step;
    const source = typeof step.run === 'string' ? step.run : '';
    const stepId = String(step.id);
    const run = (_context: FunctionStepContext): never => {
      throw new StrataError(
        'PIPELINE_INVALID',
        `Pipeline ${pipeline}: version ${version} of function step ${stepId} is not loadable; redrive with the latest version`,
        { pipeline, step: stepId, version },
      );
    };
    run.toString = () => source;
    return { ...step, run };
  });
  return deepFreeze({ ...parsed, steps } as unknown as PipelineDefinition);
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function canonical(value: unknown, path: string): string {
  if (typeof value === 'function') return JSON.stringify(value.toString());
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(path, `${value} is not a finite number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v ?? null, `${path}[${i}]`)).join(',')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key], path === '' ? key : `${path}.${key}`)}`);
    return `{${entries.join(',')}}`;
  }
  throw invalid(path, `a ${typeof value} cannot be part of a pipeline definition`);
}

function invalid(path: string, problem: string): StrataError {
  return new StrataError('PIPELINE_INVALID', `Pipeline definition at ${path || '(root)'}: ${problem}`, { path });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
