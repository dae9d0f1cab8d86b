/**
 * A ResultStore in memory, for the query service's tests: results are plain row arrays, pages are
 * JSON (row objects) or CSV; Arrow is not supported. Not for production — nothing is persisted.
 */
import { StrataError, stringifyJson } from '../../../core/index.ts';
import type { ColumnInfo } from '../../../engine/index.ts';
import type { ResultPage, ResultStore, StoredResult } from '../../results/result-types.ts';

interface Kept {
  readonly result: StoredResult;
  readonly rows: readonly (readonly unknown[])[];
}

export class MemoryResultStore implements ResultStore {
  readonly #results = new Map<string, Kept>();
  readonly #reuse = new Map<string, string>();
  readonly #retentionMs: number;
  readonly #clock: () => number;
  /** Query ids in the order their results were written (tests assert what ran). */
  readonly written: string[] = [];

  constructor(options: { readonly retentionMs?: number; readonly clock?: () => number } = {}) {
    this.#retentionMs = options.retentionMs ?? 3_600_000;
    this.#clock = options.clock ?? Date.now;
  }

  async write(queryId: string, columns: readonly ColumnInfo[], rows: AsyncIterable<readonly unknown[][]>): Promise<StoredResult> {
    const all: unknown[][] = [];
    for await (const batch of rows) all.push(...batch);
    const now = this.#clock();
    const result: StoredResult = { queryId, columns, rowCount: all.length, bytes: stringifyJson(all).length, createdAt: now, expiresAt: now + this.#retentionMs };
    this.#results.set(queryId, { result, rows: all });
    this.written.push(queryId);
    return result;
  }

  async get(queryId: string): Promise<StoredResult> {
    return Promise.resolve(this.#kept(queryId).result);
  }

  async page(queryId: string, options: { readonly offset: number; readonly limit: number; readonly format: 'json' | 'csv' | 'arrow' }): Promise<ResultPage> {
    const { result, rows } = this.#kept(queryId);
    if (options.format === 'arrow') throw new StrataError('UNSUPPORTED_FEATURE', 'The in-memory result store pages JSON and CSV only');
    const slice = rows.slice(options.offset, options.offset + options.limit);
    const next = options.offset + slice.length < rows.length ? { nextOffset: options.offset + slice.length } : {};
    const names = result.columns.map((c) => c.name);
    const body =
      options.format === 'json'
        ? stringifyJson(slice.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))))
        : [names.join(','), ...slice.map((row) => row.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';
    return Promise.resolve({ contentType: options.format === 'json' ? 'application/json' : 'text/csv', body, rows: slice.length, ...next });
  }

  async remember(reuseKey: string, queryId: string): Promise<void> {
    this.#reuse.set(reuseKey, queryId);
    return Promise.resolve();
  }

  async lookup(reuseKey: string): Promise<StoredResult | undefined> {
    const id = this.#reuse.get(reuseKey);
    const kept = id === undefined ? undefined : this.#results.get(id);
    return Promise.resolve(kept && kept.result.expiresAt > this.#clock() ? kept.result : undefined);
  }

  async expire(now = this.#clock()): Promise<number> {
    let removed = 0;
    for (const [id, kept] of this.#results) {
      if (kept.result.expiresAt <= now) {
        this.#results.delete(id);
        removed++;
      }
    }
    return Promise.resolve(removed);
  }

  #kept(queryId: string): Kept {
    const kept = this.#results.get(queryId);
    if (!kept || kept.result.expiresAt <= this.#clock()) throw new StrataError('QUERY_NOT_FOUND', `No stored result for query ${queryId}`, { id: queryId });
    return kept;
  }
}
