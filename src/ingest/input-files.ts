/**
 * Turns the `paths` of an ingest run (files, directories, globs) into a sorted, de-duplicated
 * list of files, and picks each file's format.
 *
 * - A directory is walked recursively; hidden entries (`.name`) are skipped, and without an
 *   explicit format only files with a known extension are taken.
 * - A glob (`*`, `?`, `**`, `[abc]`, `{a,b}`) is matched against paths below its fixed leading
 *   directories (`data/2024-*\/**\/*.csv` walks `data/`). `*` and `?` never cross `/`; `**` does.
 * - A plain path that does not exist is a usage error (INVALID_ARGUMENT); a glob that matches
 *   nothing is not (a landing folder may well be empty).
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { StrataError } from '../core/index.ts';
import type { IngestFormat } from './ingest-types.ts';

const EXTENSIONS: Readonly<Record<string, IngestFormat>> = {
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.ldjson': 'ndjson',
  '.json': 'json',
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

/** The format of `path` from its extension, or undefined. */
export function formatOf(path: string): IngestFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

export function isGlob(path: string): boolean {
  return /[*?[{]/.test(path);
}

export async function resolveInputs(paths: readonly string[], format?: IngestFormat): Promise<string[]> {
  const found = new Set<string>();
  const wanted = (file: string) => format !== undefined || formatOf(file) !== undefined;
  for (const input of paths) {
    if (isGlob(input)) {
      const { base, pattern } = splitGlob(resolve(input));
      const regex = globToRegExp(pattern);
      for (const file of await walk(base)) {
        if (regex.test(file.slice(base.length + 1).split(sep).join('/'))) found.add(file);
      }
      continue;
    }
    const absolute = resolve(input);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new StrataError('INVALID_ARGUMENT', `${input} does not exist; check the path (globs like 'data/*.csv' are expanded by Strata)`, { path: input });
    if (info.isDirectory()) {
      for (const file of await walk(absolute)) if (wanted(file)) found.add(file);
    } else found.add(absolute);
  }
  return [...found].sort();
}

/** The fixed leading directories of an absolute glob, and the rest as a `/`-separated pattern. */
function splitGlob(absolute: string): { base: string; pattern: string } {
  const parts = absolute.split(sep);
  const first = parts.findIndex(isGlob);
  return { base: parts.slice(0, first).join(sep) || sep, pattern: parts.slice(first).join('/') };
}

export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end === -1) out += '\\{';
      else {
        out += `(?:${pattern.slice(i + 1, end).split(',').map(escapeRegExp).join('|')})`;
        i = end;
      }
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
