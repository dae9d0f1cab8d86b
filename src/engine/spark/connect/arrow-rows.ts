/**
 * Turns the Arrow IPC stream in one `ExecutePlanResponse.arrow_batch.data` into Strata's result
 * shape: column infos `{ name, type }` (Spark SQL type text) and rows as arrays.
 *
 * The JS value of each type follows the DuckDB engine's forms (src/engine/duckdb/value-forms.ts),
 * so callers see the same values whichever engine ran the query:
 *
 * | Spark type                 | JS value                                                 |
 * | -------------------------- | -------------------------------------------------------- |
 * | NULL / VOID                | `null`                                                   |
 * | BOOLEAN                    | `boolean`                                                |
 * | TINYINT, SMALLINT, INT     | `number`                                                 |
 * | BIGINT                     | `bigint`                                                 |
 * | FLOAT, DOUBLE              | `number`                                                 |
 * | DECIMAL(p, s)              | `string`, exact: `'12.30'`                               |
 * | DATE                       | `string` `'2024-01-31'`                                  |
 * | TIMESTAMP                  | `string` `'2024-01-31 10:15:00.123456+00'` (UTC)         |
 * | TIMESTAMP_NTZ              | `string` `'2024-01-31 10:15:00.123456'`                  |
 * | STRING                     | `string`                                                 |
 * | BINARY                     | `Uint8Array`                                             |
 * | ARRAY                      | array of element values                                  |
 * | STRUCT                     | object `{ field: value }`                                |
 * | MAP                        | array of `{ key, value }` (keys need not be strings)     |
 *
 * Gotcha: Spark sends TIMESTAMP as an Arrow timestamp carrying the session time zone, but the
 * values are UTC instants; they are rendered in UTC so the text is the same on every machine.
 */
import {
  tableFromIPC,
  makeVector,
  Type,
  DateUnit,
  TimeUnit,
  type DataType,
  type Field,
  type Vector,
  type Decimal,
  type Timestamp,
  type Date_,
  type Map_,
  type Struct,
} from 'apache-arrow';
import { StrataError } from '../../../core/errors.ts';
import type { ColumnInfo } from '../../engine.ts';

export interface ArrowRows {
  readonly columns: ColumnInfo[];
  readonly rows: unknown[][];
}

/** Decodes one Arrow IPC stream (schema + record batches) into columns and rows. */
export function decodeArrowBatch(data: Uint8Array): ArrowRows {
  let table;
  try {
    table = tableFromIPC(data);
  } catch (error) {
    throw new StrataError('CORRUPT_FILE', 'Spark Connect sent an Arrow batch that does not decode', {}, { cause: error });
  }
  const fields = table.schema.fields;
  const columns = fields.map((f) => ({ name: f.name, type: sparkTypeName(f.type) }));
  const rows: unknown[][] = [];
  for (const batch of table.batches) {
    const vectors = fields.map((_, j) => batch.getChildAt(j));
    for (let i = 0; i < batch.numRows; i++) {
      rows.push(vectors.map((v) => (v === null ? null : valueAt(v, i))));
    }
  }
  return { columns, rows };
}

/** The Spark SQL type text of an Arrow type as Spark Connect maps them. */
export function sparkTypeName(type: DataType): string {
  switch (type.typeId) {
    case Type.Null:
      return 'VOID';
    case Type.Bool:
      return 'BOOLEAN';
    case Type.Int: {
      const bits = (type as DataType & { bitWidth: number }).bitWidth;
      return bits === 8 ? 'TINYINT' : bits === 16 ? 'SMALLINT' : bits === 32 ? 'INT' : 'BIGINT';
    }
    case Type.Float:
      return (type as DataType & { precision: number }).precision === 1 ? 'FLOAT' : 'DOUBLE';
    case Type.Decimal: {
      const d = type as Decimal;
      return `DECIMAL(${d.precision},${d.scale})`;
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'STRING';
    case Type.Binary:
    case Type.LargeBinary:
      return 'BINARY';
    case Type.Date:
      return 'DATE';
    case Type.Timestamp:
      return (type as Timestamp).timezone ? 'TIMESTAMP' : 'TIMESTAMP_NTZ';
    case Type.List:
    case Type.FixedSizeList:
      return `ARRAY<${sparkTypeName(childField(type, 0).type)}>`;
    case Type.Struct:
      return `STRUCT<${(type.children as Field[]).map((f) => `${f.name}: ${sparkTypeName(f.type)}`).join(', ')}>`;
    case Type.Map: {
      const entries = childField(type, 0).type;
      return `MAP<${sparkTypeName(childField(entries, 0).type)}, ${sparkTypeName(childField(entries, 1).type)}>`;
    }
    default:
      return String(type).toUpperCase();
  }
}

function childField(type: DataType, index: number): Field {
  const field = (type.children as Field[] | undefined)?.[index];
  if (field === undefined) throw new StrataError('CORRUPT_FILE', `Arrow type ${String(type)} lacks child ${index}`);
  return field;
}

/** The (single-chunk) data holding row `index` of `vector`, and the row's index inside it. */
function chunkAt(vector: Vector, index: number): { data: Vector['data'][number]; local: number } {
  let local = index;
  for (const data of vector.data) {
    if (local < data.length) return { data, local };
    local -= data.length;
  }
  throw new StrataError('CORRUPT_FILE', `Arrow row ${index} is out of range`);
}

function valueAt(vector: Vector, index: number): unknown {
  if (!vector.isValid(index)) return null;
  const type = vector.type as DataType;
  switch (type.typeId) {
    case Type.Null:
      return null;
    case Type.Int: {
      const value: unknown = vector.get(index);
      return (type as DataType & { bitWidth: number }).bitWidth === 64 ? BigInt(value as bigint) : Number(value);
    }
    case Type.Decimal:
      return decimalAt(vector as Vector<Decimal>, index);
    case Type.Date:
      return dateAt(vector as Vector<Date_>, index);
    case Type.Timestamp:
      return timestampAt(vector as Vector<Timestamp>, index);
    case Type.Binary:
    case Type.LargeBinary:
      return new Uint8Array(vector.get(index) as Uint8Array);
    case Type.List:
    case Type.FixedSizeList: {
      const items = vector.get(index) as Vector;
      return Array.from({ length: items.length }, (_, k) => valueAt(items, k));
    }
    case Type.Struct: {
      const struct = vector as Vector<Struct>;
      const out: Record<string, unknown> = {};
      (type.children as Field[]).forEach((f, j) => {
        const child = struct.getChildAt(j);
        out[f.name] = child === null ? null : valueAt(child, index);
      });
      return out;
    }
    case Type.Map:
      return mapAt(vector as Vector<Map_>, index);
    default:
      return vector.get(index);
  }
}

function decimalAt(vector: Vector<Decimal>, index: number): string {
  const { data, local } = chunkAt(vector, index);
  const words = data.values as unknown as Uint32Array;
  const stride = data.type.bitWidth / 32;
  let unscaled = 0n;
  for (let w = stride - 1; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(words[local * stride + w] ?? 0);
  const bits = BigInt(data.type.bitWidth);
  if (unscaled >> (bits - 1n) === 1n) unscaled -= 1n << bits; // two's complement
  return formatDecimal(unscaled, data.type.scale);
}

/** `unscaled × 10^-scale` as exact text: (1230n, 2) → '12.30'. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? '-' : '') + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

const MICROS_PER_DAY = 86_400_000_000n;

function dateAt(vector: Vector<Date_>, index: number): string {
  const { data, local } = chunkAt(vector, index);
  const days =
    data.type.unit === DateUnit.DAY
      ? Number((data.values as unknown as Int32Array)[local])
      : Math.floor(Number((data.values as unknown as BigInt64Array)[local]) / 86_400_000);
  return formatDays(days);
}

function formatDays(days: number): string {
  const d = new Date(days * 86_400_000);
  const year = d.getUTCFullYear();
  const y = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return `${y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

function timestampAt(vector: Vector<Timestamp>, index: number): string {
  const { data, local } = chunkAt(vector, index);
  const raw = BigInt((data.values as unknown as BigInt64Array)[local] ?? 0n);
  const perUnit: Record<number, bigint> = {
    [TimeUnit.SECOND]: 1_000_000n,
    [TimeUnit.MILLISECOND]: 1_000n,
    [TimeUnit.MICROSECOND]: 1n,
  };
  const micros = data.type.unit === TimeUnit.NANOSECOND ? raw / 1000n : raw * (perUnit[data.type.unit] ?? 1n);
  let days = micros / MICROS_PER_DAY;
  let inDay = micros % MICROS_PER_DAY;
  if (inDay < 0n) {
    inDay += MICROS_PER_DAY;
    days -= 1n;
  }
  const secs = Number(inDay / 1_000_000n);
  // As DuckDB renders it: the fraction without trailing zeros, and none at all on a whole second.
  const fraction = String(inDay % 1_000_000n).padStart(6, '0').replace(/0+$/, '');
  const time = `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}${fraction === '' ? '' : `.${fraction}`}`;
  return `${formatDays(Number(days))} ${time}${data.type.timezone ? '+00' : ''}`;
}

function mapAt(vector: Vector<Map_>, index: number): { key: unknown; value: unknown }[] {
  const { data, local } = chunkAt(vector, index);
  const offsets = data.valueOffsets;
  const begin = Number(offsets[local]);
  const end = Number(offsets[local + 1]);
  const entries = data.children[0];
  if (entries === undefined) return [];
  const keyData = entries.children[0];
  const valueData = entries.children[1];
  if (keyData === undefined || valueData === undefined) return [];
  const keys = makeVector(keyData);
  const values = makeVector(valueData);
  const out: { key: unknown; value: unknown }[] = [];
  for (let k = begin; k < end; k++) out.push({ key: valueAt(keys, k), value: valueAt(values, k) });
  return out;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
