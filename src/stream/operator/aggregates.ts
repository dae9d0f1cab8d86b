/**
 * Mergeable aggregates for windows: each keeps a small accumulator (plain data, so the state store
 * can checkpoint it) that can take a value, merge with another (session windows merge) and produce
 * the output. Sums of int/long/decimal are exact (bigint; decimals as unscaled values at the
 * input's scale); avg is a double over an exact sum.
 */
import { StrataError } from '../../core/index.ts';
import { Types, typeToString, type IcebergType, type NestedField } from '../../table/index.ts';
import type { AggregateDefinition, RowFields, StreamRow } from '../model/index.ts';

/** count: bigint; sum: [bigint | number, nonNull] ; min/max: value | null; avg: [sum, count]. */
export type Accumulator = unknown;

export interface Aggregate {
  readonly name: string;
  readonly outputType: IcebergType;
  empty(): Accumulator;
  add(acc: Accumulator, row: StreamRow): Accumulator;
  merge(a: Accumulator, b: Accumulator): Accumulator;
  result(acc: Accumulator): unknown;
}

const NUMERIC = new Set(['int', 'long', 'float', 'double', 'decimal']);
const ORDERED = new Set(['int', 'long', 'float', 'double', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'string']);

export function compileAggregate(definition: AggregateDefinition, input: RowFields): Aggregate {
  const { name, fn } = definition;
  const column = definition.column;
  const field = column === undefined ? undefined : input.find((f) => f.name === column);
  if (column !== undefined && !field) {
    throw new StrataError('STREAM_INVALID', `Aggregate ${name} = ${fn}(${column}): no column ${column}; the input has ${input.map((f) => f.name).join(', ')}`, { aggregate: name });
  }
  if (fn === 'count') return countOf(name, column);
  if (!field || column === undefined) throw new StrataError('STREAM_INVALID', `Aggregate ${name}: ${fn} needs a column (only count may be count(*))`, { aggregate: name });
  const kind = field.type.kind;
  if ((fn === 'sum' || fn === 'avg') && !NUMERIC.has(kind)) {
    throw new StrataError('STREAM_INVALID', `Aggregate ${name}: ${fn}(${column}) needs a numeric column; ${column} is ${typeToString(field.type)}`, { aggregate: name });
  }
  if ((fn === 'min' || fn === 'max') && !ORDERED.has(kind)) {
    throw new StrataError('STREAM_INVALID', `Aggregate ${name}: ${fn}(${column}) needs an ordered column (numbers, dates, times, strings); ${column} is ${typeToString(field.type)}`, {
      aggregate: name,
    });
  }
  switch (fn) {
    case 'sum':
      return sumOf(name, field);
    case 'avg':
      return avgOf(name, field);
    case 'min':
    case 'max':
      return extremeOf(name, field, fn);
  }
}

function countOf(name: string, column: string | undefined): Aggregate {
  return {
    name,
    outputType: Types.long,
    empty: () => 0n,
    add: (acc, row) => (column === undefined || (row[column] !== null && row[column] !== undefined) ? (acc as bigint) + 1n : acc),
    merge: (a, b) => (a as bigint) + (b as bigint),
    result: (acc) => acc,
  };
}

function sumOf(name: string, field: NestedField): Aggregate {
  const exact = field.type.kind !== 'float' && field.type.kind !== 'double';
  const outputType: IcebergType = field.type.kind === 'decimal' ? { kind: 'decimal', precision: 38, scale: field.type.scale } : exact ? Types.long : Types.double;
  const zero = exact ? 0n : 0;
  return {
    name,
    outputType,
    empty: () => [zero, false],
    add: (acc, row) => {
      const value = row[field.name];
      if (value === null || value === undefined) return acc;
      const [sum] = acc as [bigint | number, boolean];
      return [exact ? (sum as bigint) + BigInt(value as bigint | number) : (sum as number) + Number(value), true];
    },
    merge: (a, b) => {
      const [x, xs] = a as [bigint | number, boolean];
      const [y, ys] = b as [bigint | number, boolean];
      return [exact ? (x as bigint) + (y as bigint) : (x as number) + (y as number), xs || ys];
    },
    result: (acc) => {
      const [sum, seen] = acc as [bigint | number, boolean];
      return seen ? sum : null;
    },
  };
}

function avgOf(name: string, field: NestedField): Aggregate {
  const scale = field.type.kind === 'decimal' ? 10 ** field.type.scale : 1;
  return {
    name,
    outputType: Types.double,
    empty: () => [0, 0],
    add: (acc, row) => {
      const value = row[field.name];
      if (value === null || value === undefined) return acc;
      const [sum, count] = acc as [number, number];
      return [sum + Number(value) / scale, count + 1];
    },
    merge: (a, b) => {
      const [x, n] = a as [number, number];
      const [y, m] = b as [number, number];
      return [x + y, n + m];
    },
    result: (acc) => {
      const [sum, count] = acc as [number, number];
      return count === 0 ? null : sum / count;
    },
  };
}

function extremeOf(name: string, field: NestedField, fn: 'min' | 'max'): Aggregate {
  const better = (candidate: unknown, current: unknown): boolean => {
    if (current === null || current === undefined) return true;
    const c = candidate as number | bigint | string;
    const d = current as number | bigint | string;
    return fn === 'min' ? c < d : c > d;
  };
  return {
    name,
    outputType: field.type,
    empty: () => null,
    add: (acc, row) => {
      const value = row[field.name];
      return value !== null && value !== undefined && better(value, acc) ? value : acc;
    },
    merge: (a, b) => (b !== null && b !== undefined && better(b, a) ? b : a),
    result: (acc) => acc ?? null,
  };
}
