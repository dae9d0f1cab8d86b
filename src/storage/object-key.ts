/**
 * Object keys: the one naming rule every `ObjectStore` shares, so a key means the same object on
 * the local filesystem, on S3 and behind a prefix.
 *
 * A key is a '/'-separated relative path: no leading or trailing '/', no empty, '.' or '..'
 * segments, no backslash or NUL. Those rules are what keep a key from escaping a store's root
 * (`../etc/passwd`, `/abs`) and from naming two different objects on two backends
 * (`a//b` is one key on S3 but the same file as `a/b` on disk).
 *
 * Gotcha: the local store writes through temp files named `.<name>.<16 hex>.tmp` next to the
 * target; keys whose last segment looks like that are reserved and rejected, so `list` can hide
 * temp files without hiding real objects.
 */
import { StrataError } from '../core/index.ts';

const TEMP_NAME = /^\.[\s\S]*\.[0-9a-f]{16}\.tmp$/;

/** True when a file name has the shape of a local-store temp file (see the module comment). */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

function invalid(what: string, value: string, reason: string): StrataError {
  return new StrataError(
    'INVALID_ARGUMENT',
    `Invalid object ${what} ${JSON.stringify(value)}: ${reason}. Use a relative '/'-separated key such as 'raw/orders/part-0.parquet'.`,
    { [what]: value, reason },
  );
}

function checkCharacters(what: string, value: string): void {
  if (value.includes('\0')) throw invalid(what, value, 'it contains a NUL character');
  if (value.includes('\\')) throw invalid(what, value, "it contains a backslash (use '/')");
}

/** Returns `key` unchanged when it is a valid object key; throws 'INVALID_ARGUMENT' otherwise. */
export function assertValidKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw invalid('key', String(key), 'it is empty');
  checkCharacters('key', key);
  if (key.startsWith('/')) throw invalid('key', key, 'it is absolute (starts with /)');
  if (key.endsWith('/')) throw invalid('key', key, 'it ends with /');
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '') throw invalid('key', key, 'it has an empty path segment');
    if (segment === '.' || segment === '..') throw invalid('key', key, `it has a '${segment}' segment`);
  }
  if (isTempName(segments[segments.length - 1] ?? '')) {
    throw invalid('key', key, 'its name is reserved for temporary files');
  }
  return key;
}

/**
 * Returns `prefix` unchanged when it is a valid listing prefix. A prefix may be '' (everything),
 * end with '/' (a "directory"), or end in the middle of a name ('raw/ord' matches 'raw/orders/…');
 * every complete segment before the last '/' follows the key rules.
 */
export function assertValidPrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw invalid('prefix', String(prefix), 'it is not a string');
  if (prefix === '') return prefix;
  checkCharacters('prefix', prefix);
  if (prefix.startsWith('/')) throw invalid('prefix', prefix, 'it is absolute (starts with /)');
  const slash = prefix.lastIndexOf('/');
  if (slash >= 0) {
    for (const segment of prefix.slice(0, slash).split('/')) {
      if (segment === '') throw invalid('prefix', prefix, 'it has an empty path segment');
      if (segment === '.' || segment === '..') {
        throw invalid('prefix', prefix, `it has a '${segment}' segment`);
      }
    }
  }
  return prefix;
}

/**
 * Normalises a "directory" prefix for scoping a store: '' stays '', anything else is validated
 * and gets exactly one trailing '/'. `'raw'` and `'raw/'` both become `'raw/'`.
 */
export function directoryPrefix(prefix: string): string {
  if (prefix === '' || prefix === '/') return '';
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  assertValidKey(trimmed);
  return `${trimmed}/`;
}

/** Compares keys by their UTF-8 bytes: the order S3's ListObjectsV2 returns, used everywhere. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
