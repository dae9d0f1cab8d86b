/**
 * Reads one stored value back out of an Arrow column as a `Cell`: the exact value the JSON and CSV
 * renderers need, read straight from the buffers (so 64-bit integers, decimals and microsecond
 * timestamps never pass through a double or a JS `Date`).
 *
 * Gotcha: expects columns as the IPC reader produces them (offset 0). Arrow JS slices fixed-width
 * value buffers but not validity or boolean bitmaps, so a sliced `Data` would need two offsets.
 */
import type { Data } from 'apache-arrow';
import type { ColumnKind } from './column-kind.ts';
import { readDecimal128, unscaledToDecimal } from './decimal-text.ts';
import { epochDaysToIsoDate, epochToIsoTimestamp } from './temporal-text.ts';

/** JSON text that is embedded as is (nested values stored as JSON). */
export class JsonText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type Cell = null | boolean | number | bigint | string | Uint8Array | JsonText;

const decoder = new TextDecoder();

function bit(bytes: Uint8Array, index: number): boolean {
  return ((bytes[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

function bytesAt(data: Data, index: number): Uint8Array {
  const offsets = data.valueOffsets as Int32Array;
  const values = data.values as Uint8Array;
  return values.subarray(offsets[index] ?? 0, offsets[index + 1] ?? 0);
}

/** The value of row `index` in `data`, a column stored as `kind`. */
export function readCell(kind: ColumnKind, data: Data, index: number): Cell {
  if (data.offset !== 0) throw new Error('readCell expects unsliced column data (offset 0)');
  if (data.nullCount > 0 && !bit(data.nullBitmap as Uint8Array, index)) return null;
  switch (kind.tag) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'float32':
    case 'float64':
      return (data.values as Float64Array)[index] ?? null;
    case 'int64':
    case 'uint64':
      return (data.values as BigInt64Array)[index] ?? null;
    case 'bool':
      return bit(data.values as Uint8Array, index);
    case 'decimal':
      return unscaledToDecimal(readDecimal128(data.values as Uint32Array, index), kind.scale);
    case 'date':
      return epochDaysToIsoDate((data.values as Int32Array)[index] ?? 0);
    case 'timestamp':
      return epochToIsoTimestamp((data.values as BigInt64Array)[index] ?? 0n, kind.unit, kind.utc);
    case 'big-integer':
      return BigInt(decoder.decode(bytesAt(data, index)));
    case 'text':
      return decoder.decode(bytesAt(data, index));
    case 'json':
      return new JsonText(decoder.decode(bytesAt(data, index)));
    case 'binary':
      return bytesAt(data, index);
  }
}
