/**
 * One part file of a stored result: an Arrow IPC *stream* (schema, one record batch, end marker),
 * readable on its own by any Arrow implementation (`pyarrow.ipc.open_stream`, apache-arrow's
 * `tableFromIPC`). Also builds the Arrow pages, which are IPC streams of the requested rows.
 *
 * The schema is a pure function of the result's columns (column-kind.ts), so a zero-row result
 * needs no part at all: its Arrow page is the schema with no batches.
 */
import {
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  makeData,
  tableFromIPC,
  tableToIPC,
  type Data,
} from 'apache-arrow';
import { StrataError } from '../../core/index.ts';
import type { ColumnInfo } from '../../engine/index.ts';
import { readCell, type Cell } from './cell-reader.ts';
import { encodeColumn } from './column-encoder.ts';
import type { ColumnKind } from './column-kind.ts';

export const ARROW_STREAM_CONTENT_TYPE = 'application/vnd.apache.arrow.stream';
export const DUCKDB_TYPE_METADATA = 'strata.duckdb_type';

export function arrowSchema(columns: readonly ColumnInfo[], kinds: readonly ColumnKind[]): Schema {
  return new Schema(
    columns.map((column, index) => {
      const kind = kinds[index];
      if (kind === undefined) throw new Error(`no column kind for column ${index}`);
      return new Field(column.name, kind.arrow, true, new Map([[DUCKDB_TYPE_METADATA, column.type]]));
    }),
  );
}

/** IPC stream bytes of one record batch holding `columnValues` (one array of values per column). */
export function encodePart(
  schema: Schema,
  kinds: readonly ColumnKind[],
  columnValues: readonly (readonly unknown[])[],
  length: number,
): Uint8Array {
  const children = kinds.map((kind, index) => encodeColumn(kind, columnValues[index] ?? []));
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(schema, data)]), 'stream');
}

/** The record batches of a part file, re-labelled with the result's schema. */
export function decodePart(queryId: string, file: string, schema: Schema, bytes: Uint8Array): RecordBatch[] {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new StrataError('CORRUPT_FILE', `Result part ${queryId}/${file} is unreadable; run the query again.`, {
      queryId,
      file,
      cause: String(error),
    });
  }
  if (table.schema.fields.length !== schema.fields.length) {
    throw new StrataError('CORRUPT_FILE', `Result part ${queryId}/${file} does not match its manifest; run the query again.`, {
      queryId,
      file,
    });
  }
  return table.batches.map((batch) => new RecordBatch(schema, batch.data));
}

/** Rows `from` … `to - 1` of the batches, as cells. */
export function* cellRows(
  batches: readonly RecordBatch[],
  kinds: readonly ColumnKind[],
  from: number,
  to: number,
): Generator<Cell[]> {
  let start = 0;
  for (const batch of batches) {
    const end = start + batch.numRows;
    const columns: readonly Data[] = batch.data.children;
    for (let row = Math.max(from, start); row < Math.min(to, end); row++) {
      yield kinds.map((kind, column) => {
        const data = columns[column];
        if (data === undefined) throw new Error(`missing column ${column}`);
        return readCell(kind, data, row - start);
      });
    }
    start = end;
  }
}

/** Rows `from` … `to - 1` of the batches, as record batches (zero-copy slices). */
export function sliceBatches(batches: readonly RecordBatch[], from: number, to: number): RecordBatch[] {
  const sliced: RecordBatch[] = [];
  let start = 0;
  for (const batch of batches) {
    const end = start + batch.numRows;
    const lo = Math.max(from, start);
    const hi = Math.min(to, end);
    if (lo < hi) sliced.push(batch.slice(lo - start, hi - start));
    start = end;
  }
  return sliced;
}

/** An Arrow IPC stream of the batches (just the schema when there are none). */
export function encodeStream(schema: Schema, batches: readonly RecordBatch[]): Uint8Array {
  return tableToIPC(batches.length === 0 ? new Table(schema) : new Table(batches), 'stream');
}
