/**
 * Where a row came from (its SourceRecord's position), remembered beside the row rather than in it
 * so operators and the sink never see an extra column. Rows made by a SQL transform are new objects
 * and have no position; dead letters about them carry the record instead.
 */
import type { StreamRow } from './stream-row.ts';

const positions = new WeakMap<StreamRow, string>();

export function rememberPosition(row: StreamRow, position: string): void {
  positions.set(row, position);
}

/** The source position of a row, or '' when unknown. */
export function positionOf(row: StreamRow): string {
  return positions.get(row) ?? '';
}
