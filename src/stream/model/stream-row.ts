/**
 * One record flowing through a stream, and the columns it has at a point in the chain.
 *
 * Values follow the table plane's in-memory representation (src/table/schema/values.ts) exactly:
 * long / time / timestamp[tz] are bigint (timestamps in microseconds since the epoch, UTC), int and
 * date are number, decimal is the unscaled bigint, uuid a lowercase string, binary/fixed a
 * Uint8Array; nested values are plain objects (struct), arrays (list) and Maps (map); `null` is
 * absent. One representation end to end means event times need no re-parsing between operators and
 * the sink writes values as they are.
 */
import type { NestedField } from '../../table/index.ts';

export type StreamRow = Record<string, unknown>;

/** The columns of rows at one point of the chain (source schema, after a transform, the sink's). */
export type RowFields = readonly NestedField[];
