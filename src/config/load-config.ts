/**
 * Loads Strata's effective config: defaults, overridden by `<home>/strata.yaml`, overridden by
 * `STRATA_*` environment variables — and remembers where each value came from, so `strata config`
 * can say why a value is what it is.
 *
 * @example
 *   const config = loadConfig('/data/strata');
 *   config.values['duckdb.memory_limit'];        // '4GB'
 *   config.sources['duckdb.memory_limit'];       // { kind: 'env', origin: 'STRATA_DUCKDB_MEMORY_LIMIT' }
 *
 * Gotchas: an empty environment variable counts as unset (write `null` to clear a nullable key);
 * a relative `duckdb.temp_directory` is relative to the home, not to the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { StrataError, closestName } from '../core/index.ts';
import { CONFIG_KEYS, defaultOf, envVarOf, type ConfigKey, type ConfigValues } from './config-keys.ts';

export const CONFIG_FILE_NAME = 'strata.yaml';

export interface ConfigSource {
  readonly kind: 'default' | 'file' | 'env';
  /** The file path, the env var name, or 'default'. */
  readonly origin: string;
}

export interface LoadedConfig {
  readonly home: string;
  /** `<home>/strata.yaml`, whether or not it exists. */
  readonly file: string;
  readonly fileExists: boolean;
  readonly values: ConfigValues;
  readonly sources: { readonly [K in ConfigKey]: ConfigSource };
}

export interface LoadConfigOptions {
  /** Environment to read `STRATA_*` from; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

export function loadConfig(home: string, options: LoadConfigOptions = {}): LoadedConfig {
  const root = resolve(home);
  const file = join(root, CONFIG_FILE_NAME);
  const env = options.env ?? process.env;
  const fileExists = existsSync(file);
  const fromFile = fileExists ? readConfigFile(file) : new Map<string, unknown>();

  const values: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const key of KEYS) {
    const envVar = envVarOf(key);
    const envText = env[envVar];
    if (envText !== undefined && envText !== '') {
      values[key] = parseValue(key, envText, { where: `environment variable ${envVar}`, envVar });
      sources[key] = { kind: 'env', origin: envVar };
    } else if (fromFile.has(key)) {
      values[key] = parseValue(key, fromFile.get(key), { where: file, file });
      sources[key] = { kind: 'file', origin: file };
    } else {
      values[key] = defaultOf(key, root);
      sources[key] = { kind: 'default', origin: 'default' };
    }
  }
  const tempDirectory = values['duckdb.temp_directory'] as string;
  if (!isAbsolute(tempDirectory)) values['duckdb.temp_directory'] = resolve(root, tempDirectory);

  return {
    home: root,
    file,
    fileExists,
    values: values as unknown as ConfigValues,
    sources: sources as LoadedConfig['sources'],
  };
}

function parseValue(key: ConfigKey, raw: unknown, where: { where: string } & Record<string, string>): unknown {
  const result = CONFIG_KEYS[key].parse(raw);
  if (result.ok) return result.value;
  const { where: place, ...details } = where;
  throw new StrataError(
    'INVALID_CONFIG',
    `Config key ${key} in ${place} must be ${result.expected}, got ${JSON.stringify(raw)}. Fix the value or remove it to use the default.`,
    { key, value: raw, expected: result.expected, ...details },
  );
}

/** Reads the YAML file into dotted keys (`duckdb: { threads: 4 }` → `duckdb.threads`). */
function readConfigFile(file: string): Map<string, unknown> {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
    throw new StrataError(
      'INVALID_CONFIG',
      `${file}${line !== undefined ? `:${line}` : ''} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      { file, line },
      { cause: error },
    );
  }
  const flat = new Map<string, unknown>();
  if (document === null || document === undefined) return flat; // an empty or all-comments file
  if (!isPlainObject(document)) {
    throw new StrataError('INVALID_CONFIG', `${file} must be a YAML mapping of keys (e.g. "duckdb:\\n  threads: 4").`, { file });
  }
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      const key = `${prefix}${name}`;
      if (isPlainObject(value) && !isConfigKey(key)) walk(value, `${key}.`);
      else if (isConfigKey(key)) flat.set(key, value);
      else {
        const suggestion = closestName(key, KEYS);
        throw new StrataError(
          'INVALID_CONFIG',
          `Unknown config key ${key} in ${file}.${suggestion ? ` Did you mean ${suggestion}?` : ''} Known keys: ${KEYS.join(', ')}.`,
          { key, file, ...(suggestion ? { suggestion } : {}) },
        );
      }
    }
  };
  walk(document, '');
  return flat;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
