/**
 * The contract between the query service (src/server/query) and the result store
 * (src/server/results): how a finished query's rows are kept in the lake's results zone, paged
 * out in a format, found again for reuse, and expired.
 */
import type { ColumnInfo } from '../../engine/index.ts';

export type ResultFormat = 'json' | 'csv' | 'arrow';

/** A stored result: enough to page it out and to account for it. */
export interface StoredResult {
  readonly queryId: string;
  readonly columns: readonly ColumnInfo[];
  readonly rowCount: number;
  /** Bytes of the stored files. */
  readonly bytes: number;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface ResultPage {
  readonly contentType: string;
  readonly body: Uint8Array | string;
  /** Rows in this page. */
  readonly rows: number;
  /** Offset of the next page, absent on the last one. */
  readonly nextOffset?: number;
}

export interface ResultStore {
  /** Writes the rows of `queryId` as it streams (constant memory) and returns the stored result. */
  write(queryId: string, columns: readonly ColumnInfo[], rows: AsyncIterable<readonly unknown[][]>): Promise<StoredResult>;
  /** The stored result of a query; QUERY_NOT_FOUND when it never was or has expired. */
  get(queryId: string): Promise<StoredResult>;
  /** Rows `offset` … `offset + limit - 1` in a format (JSON: an array of row objects; CSV with a header; Arrow IPC stream). */
  page(queryId: string, options: { readonly offset: number; readonly limit: number; readonly format: ResultFormat }): Promise<ResultPage>;
  /** Remembers that `reuseKey` produced `queryId`'s result. */
  remember(reuseKey: string, queryId: string): Promise<void>;
  /** The query whose unexpired result `reuseKey` produced, if any. */
  lookup(reuseKey: string): Promise<StoredResult | undefined>;
  /** Deletes results past their retention; returns how many. */
  expire(now?: number): Promise<number>;
}
