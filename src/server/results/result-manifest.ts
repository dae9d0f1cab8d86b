/**
 * The layout of a stored result inside the results zone, and its manifest:
 *
 *   <queryId>/part-00000.arrow   Arrow IPC stream, up to `rowsPerPart` rows each
 *   <queryId>/part-00001.arrow
 *   <queryId>/result.json        the manifest, written LAST
 *   _reuse/<sha256(reuseKey)>.json  reuse index entries ({ queryId, expiresAt })
 *
 * The manifest is what makes a result exist: parts without one are leftovers of a write that
 * failed (or is still running) and are never read. Query ids must be plain names (letters, digits,
 * `.`, `_`, `-`, starting with a letter or digit) so they cannot collide with `_reuse/` or escape
 * the zone.
 */
import { StrataError } from '../../core/index.ts';
import type { ColumnInfo } from '../../engine/index.ts';

export const MANIFEST_FILE = 'result.json';
export const REUSE_PREFIX = '_reuse/';
const MANIFEST_VERSION = 1;
const QUERY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface ResultPart {
  /** File name inside the query's directory, e.g. `part-00000.arrow`. */
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface ResultManifest {
  readonly version: number;
  readonly queryId: string;
  readonly columns: readonly ColumnInfo[];
  readonly rowCount: number;
  /** Bytes of the part files (the manifest itself is not counted). */
  readonly bytes: number;
  readonly parts: readonly ResultPart[];
  readonly createdAt: number;
  readonly expiresAt: number;
}

export function isQueryId(queryId: unknown): queryId is string {
  return typeof queryId === 'string' && QUERY_ID.test(queryId);
}

export function assertQueryId(queryId: string): string {
  if (!isQueryId(queryId)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Invalid query id ${JSON.stringify(queryId)}: use 1–200 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
      { queryId },
    );
  }
  return queryId;
}

export function partFile(index: number): string {
  return `part-${String(index).padStart(5, '0')}.arrow`;
}

export function manifestKey(queryId: string): string {
  return `${queryId}/${MANIFEST_FILE}`;
}

export function manifestToJson(manifest: Omit<ResultManifest, 'version'>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ version: MANIFEST_VERSION, ...manifest }, null, 2));
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Parses and checks a manifest; CORRUPT_FILE when it is not one this version can read. */
export function manifestFromJson(queryId: string, bytes: Uint8Array): ResultManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    value = undefined;
  }
  const m = value as Partial<ResultManifest> | undefined;
  const ok =
    m !== undefined &&
    m !== null &&
    m.version === MANIFEST_VERSION &&
    m.queryId === queryId &&
    Array.isArray(m.columns) &&
    m.columns.every((c) => typeof c?.name === 'string' && typeof c.type === 'string') &&
    Array.isArray(m.parts) &&
    m.parts.every((p) => typeof p?.file === 'string' && isCount(p.rows) && isCount(p.bytes)) &&
    isCount(m.rowCount) &&
    m.parts.reduce((sum, p) => sum + p.rows, 0) === m.rowCount &&
    isCount(m.bytes) &&
    isCount(m.createdAt) &&
    isCount(m.expiresAt);
  if (!ok) {
    throw new StrataError(
      'CORRUPT_FILE',
      `The result manifest of query ${queryId} is unreadable; run the query again.`,
      { queryId, key: manifestKey(queryId) },
    );
  }
  return m as ResultManifest;
}
