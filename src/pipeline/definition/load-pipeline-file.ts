/**
 * Loads a pipeline file: `.yaml`/`.yml` through `parsePipelineYaml`, `.ts`/`.mts`/`.js`/`.mjs`
 * through a dynamic `import()` of the file, taking its default export (or a named `pipeline`
 * export). Either way the result is validated.
 *
 * Gotchas:
 * - Importing `.ts` needs a TypeScript-aware loader in the process (the `strata` CLI runs under
 *   tsx); under plain Node it fails with a message saying so.
 * - ES modules are cached per URL; the URL carries the file's mtime and size so an edited file is
 *   re-imported, not served stale from the cache.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StrataError, messageOf } from '../../core/index.ts';
import type { PipelineDefinition } from './pipeline-definition.ts';
import { parsePipelineYaml } from './pipeline-yaml.ts';
import { validatePipeline } from './validate-pipeline.ts';

export interface LoadedPipeline {
  readonly definition: PipelineDefinition;
  /** Absolute path of the file. */
  readonly source: string;
}

const YAML_EXTENSIONS = ['.yaml', '.yml'];
const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** PIPELINE_NOT_FOUND for a missing file, INVALID_ARGUMENT for another extension, PIPELINE_INVALID otherwise. */
export async function loadPipelineFile(path: string): Promise<LoadedPipeline> {
  const source = resolve(path);
  const extension = extname(source).toLowerCase();
  if (!YAML_EXTENSIONS.includes(extension) && !MODULE_EXTENSIONS.includes(extension)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `${path}: a pipeline file ends in ${[...YAML_EXTENSIONS, ...MODULE_EXTENSIONS].join(', ')}`,
      { path: source },
    );
  }
  let info;
  try {
    info = await stat(source);
  } catch {
    throw new StrataError('PIPELINE_NOT_FOUND', `Pipeline file ${path} does not exist`, { path: source });
  }
  if (YAML_EXTENSIONS.includes(extension)) {
    return { definition: parsePipelineYaml(await readFile(source, 'utf8'), source), source };
  }
  const url = `${pathToFileURL(source).href}?mtime=${info.mtimeMs}&size=${info.size}`;
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (StrataError.is(error)) throw error;
    const hint = extension.endsWith('ts') ? ' (TypeScript files need a loader such as tsx: run through the strata CLI)' : '';
    throw new StrataError('PIPELINE_INVALID', `Cannot load pipeline file ${path}: ${messageOf(error)}${hint}`, { path: source }, {
      cause: error,
    });
  }
  const definition = module.default ?? module.pipeline;
  if (typeof definition !== 'object' || definition === null) {
    throw new StrataError(
      'PIPELINE_INVALID',
      `Pipeline file ${path} exports no pipeline; write \`export default definePipeline({ … })\``,
      { path: source },
    );
  }
  validatePipeline(definition as PipelineDefinition);
  return { definition: definition as PipelineDefinition, source };
}
