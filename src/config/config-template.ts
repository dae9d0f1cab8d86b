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
  let section = '';
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const definition = CONFIG_KEYS[key];
    const dot = key.indexOf('.');
    const group = dot === -1 ? '' : key.slice(0, dot);
    const name = dot === -1 ? key : key.slice(dot + 1);
    const indent = group === '' ? '' : '  ';
    if (group !== section) {
      lines.push('', group === '' ? '' : `# ${group}:`);
      section = group;
    } else {
      lines.push('');
    }
    const shown = definition.defaultText ?? (typeof definition.default === 'function' ? '' : JSON.stringify(definition.default));
    lines.push(`${indent}# ${definition.description} (env: ${envVarOf(key)})`);
    lines.push(`${indent}# ${name}: ${shown}`);
  }
  return `${lines.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n')}\n`;
}
