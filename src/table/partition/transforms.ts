/**
 * Iceberg partition transforms: how a source column's value becomes a partition value. Each
 * transform is an immutable object built by {@link parseTransform} from the spec's string form.
 *
 * | transform    | sources                                        | result            |
 * | ------------ | ---------------------------------------------- | ----------------- |
 * | identity     | any primitive                                  | source type       |
 * | bucket[N]    | int long decimal date time timestamp[tz] string uuid fixed binary | int |
 * | truncate[W]  | int long decimal string binary                 | source type       |
 * | year/month   | date timestamp timestamptz                     | int (since 1970)  |
 * | day          | date timestamp timestamptz                     | date              |
 * | hour         | timestamp timestamptz                          | int (since epoch) |
 * | void         | anything                                       | source type, null |
 *
 * Gotchas: truncate on strings counts code points, not UTF-16 units; truncate and the time
 * transforms floor negative values (truncate[10] of -1 is -10; 1969-12-31 is month -1). truncate on
 * int/long clamps at the type's minimum where Java's arithmetic wraps (values within W of it).
 *
 * @example
 *   parseTransform('bucket[16]').apply(34, Types.int)   // → bucket of hash 2017239379
 *   parseTransform('day').toHumanString(17486, Types.date) // → '2017-11-16'
 */
import { StrataError } from '../../core/index.ts';
import type { Schema } from '../schema/schema.ts';
import { indexSchema } from '../schema/schema.ts';
import type { IcebergType, NestedField, PrimitiveType, StructType } from '../schema/types.ts';
import { Types, isPrimitive, typeToString } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { bigintToMinimalBytes, uuidToBytes } from '../serde/single-value.ts';
import { humanValue } from './human-string.ts';
import { murmur3Hash32 } from './murmur3.ts';
import type { PartitionSpec } from './partition-spec.ts';
import { MICROS_PER_HOUR, daysToMonths, daysToYears, floorDivBig, formatDate, microsToDays } from './time-util.ts';

export type TransformName = 'identity' | 'bucket' | 'truncate' | 'year' | 'month' | 'day' | 'hour' | 'void';

export interface Transform {
  readonly name: TransformName;
  /** N for bucket[N], W for truncate[W]; absent otherwise. */
  readonly param?: number;
  /** The spec's string form: `bucket[16]`, `day`, ... */
  toString(): string;
  canTransform(type: IcebergType): boolean;
  resultType(source: PrimitiveType): PrimitiveType;
  /** The partition value of `value` (null → null; void → always null). */
  apply(value: IcebergValue, source: PrimitiveType): IcebergValue;
  /** Partition path text of a partition value (already transformed), like Java's toHumanString. */
  toHumanString(value: IcebergValue, source: PrimitiveType): string;
}

const INT_MIN = -0x80000000;
const LONG_MIN = -(2n ** 63n);
const VALID_FORMS = 'identity, bucket[N], truncate[W], year, month, day, hour, void';
const utf8 = new TextEncoder();

/** Parse the spec's transform text. Throws INVALID_PARTITION_SPEC for anything else. */
export function parseTransform(text: string): Transform {
  const trimmed = text.trim().toLowerCase();
  const simple = SIMPLE[trimmed];
  if (simple !== undefined) return simple;
  const m = /^(bucket|truncate)\[\s*(\d+)\s*\]$/.exec(trimmed);
  if (m !== null) {
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n) || n <= 0 || n > 0x7fffffff) {
      throw new StrataError('INVALID_PARTITION_SPEC', `Transform "${text}" needs a positive 32-bit parameter`, { transform: text });
    }
    return m[1] === 'bucket' ? bucketTransform(n) : truncateTransform(n);
  }
  throw new StrataError('INVALID_PARTITION_SPEC', `Unknown partition transform "${text}"; valid forms are: ${VALID_FORMS}`, {
    transform: text,
    valid: VALID_FORMS,
  });
}

/**
 * The struct type of a spec's partition tuples: one optional field per partition field, with the
 * partition field's id and name and the transform's result type. Throws INVALID_PARTITION_SPEC when
 * a source column is missing or the transform cannot apply to it.
 */
export function partitionType(spec: PartitionSpec, schema: Schema): StructType {
  const byId = indexSchema(schema);
  const fields: NestedField[] = spec.fields.map((pf) => {
    const source = byId.get(pf.sourceId);
    if (source === undefined) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Partition field "${pf.name}" uses source column id ${pf.sourceId}, which is not in schema ${schema.schemaId}`,
        { partitionField: pf.name, sourceId: pf.sourceId, schemaId: schema.schemaId },
      );
    }
    const transform = parseTransform(pf.transform);
    const sourceType = source.field.type;
    if (transform.name === 'void') return { id: pf.fieldId, name: pf.name, required: false, type: sourceType };
    if (!isPrimitive(sourceType) || !transform.canTransform(sourceType)) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Partition field "${pf.name}": transform ${transform.toString()} cannot apply to column "${source.name}" of type ${typeToString(sourceType)}`,
        { partitionField: pf.name, transform: transform.toString(), column: source.name, type: typeToString(sourceType) },
      );
    }
    return { id: pf.fieldId, name: pf.name, required: false, type: transform.resultType(sourceType) };
  });
  return Types.struct(fields);
}

/** The 32-bit Murmur3 hash of a value, over the spec's hash input bytes for its type (Appendix B). */
export function hashValue(type: PrimitiveType, value: Exclude<IcebergValue, null>): number {
  return murmur3Hash32(hashInput(type, value));
}

function hashInput(type: PrimitiveType, value: Exclude<IcebergValue, null>): Uint8Array {
  switch (type.kind) {
    case 'int':
    case 'date':
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, BigInt(value as number | bigint), true);
      return out;
    }
    case 'decimal':
      return bigintToMinimalBytes(value as bigint);
    case 'string':
      return utf8.encode(value as string);
    case 'uuid':
      return uuidToBytes(value as string);
    case 'fixed':
    case 'binary':
      return value as Uint8Array;
    default:
      throw new StrataError('INVALID_ARGUMENT', `Values of type ${type.kind} cannot be bucketed`, { type: type.kind });
  }
}

/** Truncate a string to its first `width` code points (a surrogate pair is one code point). */
export function truncateString(value: string, width: number): string {
  let units = 0;
  let points = 0;
  while (units < value.length && points < width) {
    const cp = value.codePointAt(units) ?? 0;
    units += cp > 0xffff ? 2 : 1;
    points++;
  }
  return value.slice(0, units);
}

function make(
  name: TransformName,
  param: number | undefined,
  canTransform: (type: IcebergType) => boolean,
  resultType: (source: PrimitiveType) => PrimitiveType,
  applyNonNull: (value: Exclude<IcebergValue, null>, source: PrimitiveType) => IcebergValue,
  human: (value: Exclude<IcebergValue, null>, source: PrimitiveType) => string,
): Transform {
  const text = param === undefined ? name : `${name}[${param}]`;
  const t: Transform = {
    name,
    ...(param === undefined ? {} : { param }),
    toString: () => text,
    canTransform,
    resultType,
    apply(value, source) {
      if (value === null || name === 'void') return null;
      if (!canTransform(source)) {
        throw new StrataError('INVALID_ARGUMENT', `Transform ${text} cannot apply to type ${typeToString(source)}`, {
          transform: text,
          type: typeToString(source),
        });
      }
      return applyNonNull(value, source);
    },
    toHumanString: (value, source) => (value === null ? 'null' : human(value, source)),
  };
  return Object.freeze(t);
}

const kindIn =
  (...kinds: string[]) =>
  (type: IcebergType): boolean =>
    kinds.includes(type.kind);

const BUCKET_SOURCES = ['int', 'long', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'fixed', 'binary'];
const TRUNCATE_SOURCES = ['int', 'long', 'decimal', 'string', 'binary'];
const DATE_SOURCES = ['date', 'timestamp', 'timestamptz'];

function bucketTransform(n: number): Transform {
  return make(
    'bucket',
    n,
    kindIn(...BUCKET_SOURCES),
    () => Types.int,
    (value, source) => (hashValue(source, value) & 0x7fffffff) % n,
    (value) => String(value),
  );
}

function truncateTransform(w: number): Transform {
  const bw = BigInt(w);
  return make(
    'truncate',
    w,
    kindIn(...TRUNCATE_SOURCES),
    (source) => source,
    (value, source) => {
      switch (source.kind) {
        case 'int': {
          // Clamped at the type's minimum: Java wraps around there, which would break the
          // monotonicity that range pruning relies on (only values within W of the minimum differ).
          const v = value as number;
          return Math.max(INT_MIN, v - (((v % w) + w) % w));
        }
        case 'long': {
          const v = value as bigint;
          const t = v - (((v % bw) + bw) % bw);
          return t < LONG_MIN ? LONG_MIN : t;
        }
        case 'decimal': {
          const v = value as bigint;
          return v - (((v % bw) + bw) % bw);
        }
        case 'string':
          return truncateString(value as string, w);
        default: {
          const bytes = value as Uint8Array;
          return bytes.length <= w ? bytes : bytes.slice(0, w);
        }
      }
    },
    (value, source) => humanValue(source, value),
  );
}

/** Days since the epoch of a date or timestamp value. */
function toDays(value: Exclude<IcebergValue, null>, source: PrimitiveType): number {
  return source.kind === 'date' ? (value as number) : microsToDays(value as bigint);
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

const identity = make(
  'identity',
  undefined,
  (type) => isPrimitive(type),
  (source) => source,
  (value) => value,
  (value, source) => humanValue(source, value),
);

const year = make(
  'year',
  undefined,
  kindIn(...DATE_SOURCES),
  () => Types.int,
  (value, source) => daysToYears(toDays(value, source)),
  (value) => pad(1970 + (value as number), 4),
);

const month = make(
  'month',
  undefined,
  kindIn(...DATE_SOURCES),
  () => Types.int,
  (value, source) => daysToMonths(toDays(value, source)),
  (value) => {
    const m = value as number;
    return `${pad(1970 + Math.floor(m / 12), 4)}-${pad((((m % 12) + 12) % 12) + 1, 2)}`;
  },
);

const day = make(
  'day',
  undefined,
  kindIn(...DATE_SOURCES),
  () => Types.date,
  (value, source) => toDays(value, source),
  (value) => formatDate(value as number),
);

const hour = make(
  'hour',
  undefined,
  kindIn('timestamp', 'timestamptz'),
  () => Types.int,
  (value) => Number(floorDivBig(value as bigint, MICROS_PER_HOUR)),
  (value) => {
    const h = value as number;
    const days = Math.floor(h / 24);
    return `${formatDate(days)}-${pad(h - days * 24, 2)}`;
  },
);

const voidTransform = make(
  'void',
  undefined,
  () => true,
  (source) => source,
  () => null,
  () => 'null',
);

const SIMPLE: Readonly<Record<string, Transform>> = { identity, year, month, day, hour, void: voidTransform };
