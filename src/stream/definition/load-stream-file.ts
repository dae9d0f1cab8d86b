/** Loads a stream file: YAML (`.yaml`, `.yml`) or a module (`.ts`, `.mts`, `.js`, `.mjs`) whose default (or `stream`) export is a defineStream() result. */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StrataError, messageOf } from '../../core/index.ts';
import type { StreamDefinition } from '../model/index.ts';
import { parseStreamYaml } from './stream-yaml.ts';
import { validateStream } from './validate-stream.ts';

const YAML = ['.yaml', '.yml'];
const MODULES = ['.ts', '.mts', '.js', '.mjs'];

export async function loadStreamFile(path: string): Promise<StreamDefinition> {
  const source = resolve(path);
  const extension = extname(source).toLowerCase();
  if (!YAML.includes(extension) && !MODULES.includes(extension)) {
    throw new StrataError('INVALID_ARGUMENT', `${path}: a stream file ends in ${[...YAML, ...MODULES].join(', ')}`, { path: source });
  }
  let info;
  try {
    info = await stat(source);
  } catch {
    throw new StrataError('STREAM_NOT_FOUND', `Stream file ${path} does not exist`, { path: source });
  }
  if (YAML.includes(extension)) return parseStreamYaml(await readFile(source, 'utf8'), source);
  let module: Record<string, unknown>;
  try {
    module = (await import(`${pathToFileURL(source).href}?mtime=${info.mtimeMs}`)) as Record<string, unknown>;
  } catch (error) {
    if (StrataError.is(error)) throw error;
    throw new StrataError('STREAM_INVALID', `Cannot load stream file ${path}: ${messageOf(error)}`, { path: source }, { cause: error });
  }
  const definition = (module['default'] ?? module['stream']) as StreamDefinition | undefined;
  if (!definition || typeof definition !== 'object' || typeof definition.name !== 'string') {
    throw new StrataError('STREAM_INVALID', `${path} must export a stream (export default defineStream({ … }))`, { path: source });
  }
  validateStream(definition);
  return definition;
}
