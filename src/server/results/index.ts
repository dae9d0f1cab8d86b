/**
 * The result store of the query service: finished query results in the lake's `results` zone
 * (Arrow IPC parts + a manifest), paged as JSON, CSV or Arrow, reusable, and expired by retention.
 */
export type { ResultFormat, ResultPage, ResultStore, StoredResult } from './result-types.ts';
export {
  DEFAULT_MAX_PAGE_ROWS,
  DEFAULT_ROWS_PER_PART,
  LakeResultStore,
  type LakeResultStoreOptions,
} from './lake-result-store.ts';
export { ARROW_STREAM_CONTENT_TYPE } from './arrow-part.ts';
