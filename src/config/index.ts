// Strata's config: one file in the home (`strata.yaml`) plus STRATA_* environment variables.
export {
  CONFIG_KEYS,
  type LogLevel,
  type EngineName,
  OUTPUT_FORMATS,
  envVarOf,
  defaultOf,
  type ConfigKey,
  type ConfigValues,
  type ConfigKeyDefinition,
  type OutputFormat,
} from './config-keys.ts';
export { loadConfig, isConfigKey, CONFIG_FILE_NAME, type LoadedConfig, type ConfigSource, type LoadConfigOptions } from './load-config.ts';
export { configTemplate } from './config-template.ts';
