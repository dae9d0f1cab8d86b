/**
 * `LakeResultStore`: query results kept in the lake's `results` zone as Arrow IPC part files plus a
 * manifest (layout in result-manifest.ts), paged out as JSON, CSV or Arrow, found again through a
 * reuse index, and deleted when their retention ends.
 *
 * - `write` holds at most `rowsPerPart` rows in memory, whatever the result's size, and writes the
 *   manifest last: a write that fails midway leaves no readable result (its parts are deleted on a
 *   best-effort basis, and `expire` sweeps any that remain once the retention has passed).
 * - `page` reads only the parts that hold the requested rows, using the part row counts in the
 *   manifest; a page has at most `maxPageRows` rows (a larger `limit` is capped, not refused).
 * - Expiry is by the manifest's `expiresAt`; an expired result is QUERY_NOT_FOUND even before
 *   `expire` deletes it.
 *
 * @example
 *   const results = await LakeResultStore.open({ store: layout.storeFor('results'), retentionMs: 86_400_000 });
 *   await results.write(queryId, query.columns, query);
 *   const page = await results.page(queryId, { offset: 0, limit: 1000, format: 'json' });
 */
import { createHash } from 'node:crypto';
import type { RecordBatch, Schema } from 'apache-arrow';
import { StrataError } from '../../core/index.ts';
import type { ColumnInfo } from '../../engine/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { ARROW_STREAM_CONTENT_TYPE, arrowSchema, cellRows, decodePart, encodePart, encodeStream, sliceBatches } from './arrow-part.ts';
import { columnKindOf } from './column-kind.ts';
import { renderCsv, renderJsonRows } from './page-text.ts';
import {
  MANIFEST_FILE,
  REUSE_PREFIX,
  assertQueryId,
  isQueryId,
  manifestFromJson,
  manifestKey,
  manifestToJson,
  partFile,
  type ResultManifest,
  type ResultPart,
} from './result-manifest.ts';
import type { ResultFormat, ResultPage, ResultStore, StoredResult } from './result-types.ts';

export const DEFAULT_ROWS_PER_PART = 10_000;
export const DEFAULT_MAX_PAGE_ROWS = 10_000;
const FORMATS: readonly ResultFormat[] = ['json', 'csv', 'arrow'];

export interface LakeResultStoreOptions {
  /** The results zone, e.g. `layout.storeFor('results')`. */
  readonly store: ObjectStore;
  /** How long a result stays readable after it is written. */
  readonly retentionMs: number;
  /** Rows per part file (default 10 000); also the most rows `write` holds in memory. */
  readonly rowsPerPart?: number;
  /** Most rows in one page (default 10 000). */
  readonly maxPageRows?: number;
  /** Milliseconds since the epoch; tests pass a controllable clock. */
  readonly clock?: () => number;
}

interface ReuseEntry {
  readonly queryId: string;
  readonly expiresAt: number;
}

function notFound(queryId: string): StrataError {
  return new StrataError(
    'QUERY_NOT_FOUND',
    `No stored result for query ${queryId}: it never finished, or its retention ended; run the query again.`,
    { queryId },
  );
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) {
    throw new StrataError('INVALID_CONFIG', `Result store option ${name} must be a positive integer, got ${String(value)}.`, {
      [name]: value,
    });
  }
  return chosen;
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof StrataError && error.code === code;
}

function toStored(manifest: ResultManifest): StoredResult {
  const { queryId, columns, rowCount, bytes, createdAt, expiresAt } = manifest;
  return { queryId, columns, rowCount, bytes, createdAt, expiresAt };
}

export class LakeResultStore implements ResultStore {
  readonly store: ObjectStore;
  readonly retentionMs: number;
  readonly rowsPerPart: number;
  readonly maxPageRows: number;
  private readonly clock: () => number;

  constructor(options: LakeResultStoreOptions) {
    this.store = options.store;
    this.retentionMs = positiveInteger('retentionMs', options.retentionMs, 0);
    this.rowsPerPart = positiveInteger('rowsPerPart', options.rowsPerPart, DEFAULT_ROWS_PER_PART);
    this.maxPageRows = positiveInteger('maxPageRows', options.maxPageRows, DEFAULT_MAX_PAGE_ROWS);
    this.clock = options.clock ?? Date.now;
  }

  static open(options: LakeResultStoreOptions): Promise<LakeResultStore> {
    return Promise.resolve(new LakeResultStore(options));
  }

  async write(queryId: string, columns: readonly ColumnInfo[], rows: AsyncIterable<readonly unknown[][]>): Promise<StoredResult> {
    assertQueryId(queryId);
    if ((await this.store.head(manifestKey(queryId))) !== undefined) {
      throw new StrataError('ALREADY_EXISTS', `A result for query ${queryId} is already stored; use a new query id.`, {
        kind: 'result',
        queryId,
      });
    }
    const kinds = columns.map((column) => columnKindOf(column.type));
    const schema = arrowSchema(columns, kinds);
    const parts: ResultPart[] = [];
    let pending: unknown[][] = columns.map(() => []);
    let pendingRows = 0;
    const flush = async (): Promise<void> => {
      const file = partFile(parts.length);
      const bytes = encodePart(schema, kinds, pending, pendingRows);
      pending = columns.map(() => []);
      await this.store.put(`${queryId}/${file}`, bytes);
      parts.push({ file, rows: pendingRows, bytes: bytes.byteLength });
      pendingRows = 0;
    };
    try {
      for await (const batch of rows) {
        for (const row of batch) {
          if (row.length !== columns.length) {
            throw new StrataError('INVALID_ARGUMENT', `A row of query ${queryId} has ${row.length} values for ${columns.length} columns.`, {
              queryId,
              values: row.length,
              columns: columns.length,
            });
          }
          row.forEach((value, column) => pending[column]?.push(value));
          pendingRows++;
          if (pendingRows >= this.rowsPerPart) await flush();
        }
      }
      if (pendingRows > 0) await flush();
      const createdAt = this.clock();
      const manifest = {
        queryId,
        columns: columns.map(({ name, type }) => ({ name, type })),
        rowCount: parts.reduce((sum, part) => sum + part.rows, 0),
        bytes: parts.reduce((sum, part) => sum + part.bytes, 0),
        parts,
        createdAt,
        expiresAt: createdAt + this.retentionMs,
      };
      if (!(await this.store.putIfAbsent(manifestKey(queryId), manifestToJson(manifest)))) {
        throw new StrataError('ALREADY_EXISTS', `A result for query ${queryId} was stored concurrently; use a new query id.`, {
          kind: 'result',
          queryId,
        });
      }
      return toStored({ version: 1, ...manifest });
    } catch (error) {
      if (!isCode(error, 'ALREADY_EXISTS')) {
        await this.store.deleteMany(parts.map((part) => `${queryId}/${part.file}`)).catch(() => undefined);
      }
      throw error;
    }
  }

  async get(queryId: string): Promise<StoredResult> {
    return toStored(await this.manifest(queryId));
  }

  async page(queryId: string, options: { readonly offset: number; readonly limit: number; readonly format: ResultFormat }): Promise<ResultPage> {
    const { offset, limit, format } = options;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1) {
      throw new StrataError('INVALID_ARGUMENT', `Page offset must be an integer ≥ 0 and limit an integer ≥ 1 (got offset ${String(offset)}, limit ${String(limit)}).`, {
        offset,
        limit,
      });
    }
    if (!FORMATS.includes(format)) {
      throw new StrataError('INVALID_ARGUMENT', `Unknown result format ${JSON.stringify(format)}; use one of ${FORMATS.join(', ')}.`, { format });
    }
    const manifest = await this.manifest(queryId);
    if (offset > manifest.rowCount) {
      throw new StrataError('INVALID_ARGUMENT', `Page offset ${offset} is past the end of the result (${manifest.rowCount} rows).`, {
        offset,
        rowCount: manifest.rowCount,
      });
    }
    const end = Math.min(offset + Math.min(limit, this.maxPageRows), manifest.rowCount);
    const kinds = manifest.columns.map((column) => columnKindOf(column.type));
    const schema = arrowSchema(manifest.columns, kinds);
    const batches = await this.readRows(manifest, schema, offset, end);
    const rows = end - offset;
    const next = end < manifest.rowCount ? { nextOffset: end } : {};
    const names = manifest.columns.map((column) => column.name);
    switch (format) {
      case 'json':
        return { contentType: 'application/json; charset=utf-8', body: renderJsonRows(names, cellRows(batches.batches, kinds, batches.from, batches.to)), rows, ...next };
      case 'csv':
        return { contentType: 'text/csv; charset=utf-8; header=present', body: renderCsv(names, cellRows(batches.batches, kinds, batches.from, batches.to)), rows, ...next };
      case 'arrow':
        return { contentType: ARROW_STREAM_CONTENT_TYPE, body: encodeStream(schema, sliceBatches(batches.batches, batches.from, batches.to)), rows, ...next };
    }
  }

  async remember(reuseKey: string, queryId: string): Promise<void> {
    const manifest = await this.manifest(queryId);
    const entry: ReuseEntry = { queryId, expiresAt: manifest.expiresAt };
    await this.store.put(reuseEntryKey(reuseKey), new TextEncoder().encode(JSON.stringify(entry)));
  }

  async lookup(reuseKey: string): Promise<StoredResult | undefined> {
    const entry = await this.readReuseEntry(reuseEntryKey(reuseKey));
    if (entry === undefined || entry.expiresAt <= this.clock()) return undefined;
    try {
      return await this.get(entry.queryId);
    } catch (error) {
      // Reuse is an optimisation: a result that is gone or unreadable is simply a miss.
      if (isCode(error, 'QUERY_NOT_FOUND') || isCode(error, 'CORRUPT_FILE') || isCode(error, 'INVALID_ARGUMENT')) return undefined;
      throw error;
    }
  }

  /**
   * Deletes every result whose `expiresAt` is at or before `now` (manifest first, so it stops being
   * readable at once, then its parts), reuse entries that are expired or point at a result that is
   * gone, and leftover parts of failed writes older than the retention. Returns the number of
   * results deleted.
   */
  async expire(now: number = this.clock()): Promise<number> {
    const groups = new Map<string, { keys: string[]; newest: number }>();
    const reuseKeys: string[] = [];
    for await (const info of this.store.list('')) {
      if (info.key.startsWith(REUSE_PREFIX)) {
        reuseKeys.push(info.key);
        continue;
      }
      const slash = info.key.indexOf('/');
      if (slash < 0) continue;
      const dir = info.key.slice(0, slash);
      const group = groups.get(dir) ?? { keys: [], newest: 0 };
      group.keys.push(info.key);
      group.newest = Math.max(group.newest, info.lastModified.getTime());
      groups.set(dir, group);
    }
    let deleted = 0;
    for (const [queryId, group] of groups) {
      const manifestAt = `${queryId}/${MANIFEST_FILE}`;
      if (group.keys.includes(manifestAt)) {
        const expiresAt = await this.readExpiry(queryId, group.newest);
        if (expiresAt === undefined || expiresAt > now) continue;
        await this.store.delete(manifestAt);
        await this.store.deleteMany(group.keys.filter((key) => key !== manifestAt));
        deleted++;
      } else if (group.newest + this.retentionMs <= now) {
        await this.store.deleteMany(group.keys);
      }
    }
    for (const key of reuseKeys) {
      const entry = await this.readReuseEntry(key);
      const live = entry !== undefined && entry.expiresAt > now && (await this.store.head(manifestKey(entry.queryId))) !== undefined;
      if (!live) await this.store.delete(key);
    }
    return deleted;
  }

  private async manifest(queryId: string): Promise<ResultManifest> {
    assertQueryId(queryId);
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(manifestKey(queryId));
    } catch (error) {
      if (isCode(error, 'OBJECT_NOT_FOUND')) throw notFound(queryId);
      throw error;
    }
    const manifest = manifestFromJson(queryId, bytes);
    if (manifest.expiresAt <= this.clock()) throw notFound(queryId);
    return manifest;
  }

  /** When a manifest expires; an unreadable one counts as written at `writtenAt`. */
  private async readExpiry(queryId: string, writtenAt: number): Promise<number | undefined> {
    try {
      return manifestFromJson(queryId, await this.store.get(manifestKey(queryId))).expiresAt;
    } catch (error) {
      if (isCode(error, 'OBJECT_NOT_FOUND')) return undefined;
      if (isCode(error, 'CORRUPT_FILE')) return writtenAt + this.retentionMs;
      throw error;
    }
  }

  /** The batches of the parts that hold rows `from` … `to - 1`, and those rows' range within them. */
  private async readRows(
    manifest: ResultManifest,
    schema: Schema,
    from: number,
    to: number,
  ): Promise<{ batches: RecordBatch[]; from: number; to: number }> {
    const batches: RecordBatch[] = [];
    let partStart = 0;
    let firstStart: number | undefined;
    for (const part of manifest.parts) {
      const partEnd = partStart + part.rows;
      if (partEnd > from && partStart < to) {
        firstStart ??= partStart;
        let bytes: Uint8Array;
        try {
          bytes = await this.store.get(`${manifest.queryId}/${part.file}`);
        } catch (error) {
          if (isCode(error, 'OBJECT_NOT_FOUND')) throw notFound(manifest.queryId);
          throw error;
        }
        batches.push(...decodePart(manifest.queryId, part.file, schema, bytes));
      }
      partStart = partEnd;
    }
    const base = firstStart ?? from;
    return { batches, from: from - base, to: to - base };
  }

  private async readReuseEntry(key: string): Promise<ReuseEntry | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(key);
    } catch (error) {
      if (isCode(error, 'OBJECT_NOT_FOUND')) return undefined;
      throw error;
    }
    try {
      const entry = JSON.parse(new TextDecoder().decode(bytes)) as Partial<ReuseEntry>;
      if (isQueryId(entry.queryId) && typeof entry.expiresAt === 'number') {
        return { queryId: entry.queryId, expiresAt: entry.expiresAt };
      }
    } catch {
      // unreadable entry: treated as absent
    }
    return undefined;
  }
}

/** `_reuse/<sha256 hex of the key>.json`: reuse keys (SQL text, snapshot ids) can be any length. */
function reuseEntryKey(reuseKey: string): string {
  return `${REUSE_PREFIX}${createHash('sha256').update(reuseKey, 'utf8').digest('hex')}.json`;
}
