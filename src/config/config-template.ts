/**
 * The commented `strata.yaml` that `strata init` writes: every key, commented out at its default,
 * so the file documents itself and an untouched file changes nothing.
 */
import { CONFIG_KEYS, envVarOf, type ConfigKey } from './config-keys.ts';

export function configTemplate(): string {
  const lines = [
    '# Strata configuration. Precedence: environment variables (STRATA_*) > this file > defaults.',
    '# Uncomment a key to change it; `strata config` shows the values in force and where each comes from.',
    '# Docs: docs/cli.md#configuration',
  ];
  let section: string[] = [];
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const definition = CONFIG_KEYS[key];
    // `compute.spark.cores` → `# compute:` / `#   spark:` / `#     cores: 2`, so uncommenting nests as YAML expects.
    const parts = key.split('.');
    const groups = parts.slice(0, -1);
    const name = parts[parts.length - 1] ?? key;
    const shared = groups.findIndex((group, i) => section[i] !== group);
    const firstNew = shared === -1 ? Math.min(groups.length, section.length) : shared;
    lines.push('');
    if (groups.length === 0 && section.length > 0) lines.push('');
    for (let level = firstNew; level < groups.length; level++) lines.push(`${'  '.repeat(level)}# ${groups[level]}:`);
    section = groups;
    const indent = '  '.repeat(groups.length);
    const shown = definition.defaultText ?? (typeof definition.default === 'function' ? '' : JSON.stringify(definition.default));
    lines.push(`${indent}# ${definition.description} (env: ${envVarOf(key)})`);
    lines.push(`${indent}# ${name}: ${shown}`);
  }
  return `${lines.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n')}\n`;
}
