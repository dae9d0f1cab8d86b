/**
 * Spark configuration handed to `spark-submit --properties-file <file>` instead of `--conf k=v`:
 * the command line of every process is world-readable (`ps`, /proc/<pid>/cmdline), a 0600 file is
 * not, and secrets such as the lake catalog's bearer token must not leak that way. Spark reads the
 * file with java.util.Properties (UTF-8), so keys and values are escaped for that format.
 *
 * Gotcha: Spark trims every value it reads from the file, so leading/trailing blanks are lost.
 */
import { rmSync, writeFileSync } from 'node:fs';

function escape(text: string, isKey: boolean): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (isKey && (ch === ' ' || ch === '=' || ch === ':' || ch === '#' || ch === '!')) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** The file's text: one `key=value` line per setting. */
export function formatSparkProperties(conf: Readonly<Record<string, string>>): string {
  return Object.entries(conf)
    .map(([key, value]) => `${escape(key, true)}=${escape(value, false)}\n`)
    .join('');
}

/** Writes `conf` to a new file only its owner can read (mode 0600), replacing any old one. */
export function writeSparkPropertiesFile(path: string, conf: Readonly<Record<string, string>>): void {
  rmSync(path, { force: true });
  writeFileSync(path, formatSparkProperties(conf), { mode: 0o600, flag: 'wx' });
}
