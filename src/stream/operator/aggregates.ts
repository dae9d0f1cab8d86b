/**
 * Mergeable aggregates for windows. Each keeps a small accumulator of plain data (so the state store
 * can checkpoint it) that can take a row, merge with another accumulator (session windows merge)
 * and produce the output value.
 *
 * Exactness: sums and averages of int/long/decimal add bigints (decimals as unscaled values at the
 * column's scale), so a long sum never rounds; avg keeps that exact sum and the count and divides
 * only when the window is emitted. Doubles are kept as numbers, except NaN/±Infinity, which JSON
 * cannot hold and are kept as text (see `toStateDouble`).
 *
 * | fn    | input                         | output          |
 * | count | any (count(*) without column) | long            |
 * | sum   | int, long                     | long            |
 * | sum   | float, double                 | double          |
 * | sum   | decimal(p, s)                 | decimal(38, s)  |
 * | min/max | numbers, decimal, date, time, timestamp[tz], string, uuid | the input type |
 * | avg   | int, long, float, double, decimal | double      |
 * Nulls are skipped; an aggregate over no non-null value is null (count: 0).
 */
import { StrataError } from '../../core/index.ts';
import { Types, typeToString, type IcebergType, type NestedField } from '../../table/index.ts';
import type { AggregateDefinition, RowFields, StreamRow } from '../model/index.ts';

/** Plain data: bigint | number | string | null | arrays of them (never class instances or Maps). */
export type Accumulator = unknown;

export interface Aggregate {
  readonly name: string;
  readonly outputType: IcebergType;
  empty(): Accumulator;
  add(acc: Accumulator, row: StreamRow): Accumulator;
  merge(a: Accumulator, b: Accumulator): Accumulator;
  result(acc: Accumulator): unknown;
}

const EXACT = new Set(['int', 'long', 'decimal']);
const NUMERIC = new Set(['int', 'long', 'float', 'double', 'decimal']);
const ORDERED = new Set(['int', 'long', 'float', 'double', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid']);

/** Compiles one aggregate against the operator's input columns; STREAM_INVALID names the column and what fits. */
export function compileAggregate(definition: AggregateDefinition, input: RowFields): Aggregate {
  const { name, fn, column } = definition;
  const field = column === undefined ? undefined : input.find((f) => f.name === column);
  if (column !== undefined && !field) {
    throw invalid(name, `${fn}(${column}): no column ${column}; the window's input has ${input.map((f) => f.name).join(', ') || 'no columns'}`);
  }
  if (fn === 'count') return countOf(name, column);
  if (!field) throw invalid(name, `${fn} needs a column (only count may be count(*))`);
  const kind = field.type.kind;
  if ((fn === 'sum' || fn === 'avg') && !NUMERIC.has(kind)) {
    throw invalid(name, `${fn}(${field.name}) needs a numeric column (int, long, float, double, decimal); ${field.name} is ${typeToString(field.type)}`);
  }
  if ((fn === 'min' || fn === 'max') && !ORDERED.has(kind)) {
    throw invalid(name, `${fn}(${field.name}) needs an ordered column (numbers, decimal, date, time, timestamp, string, uuid); ${field.name} is ${typeToString(field.type)}`);
  }
  switch (fn) {
    case 'sum':
      return sumOf(name, field);
    case 'avg':
      return avgOf(name, field);
    case 'min':
    case 'max':
      return extremeOf(name, field, fn);
    default:
      throw invalid(name, `unknown aggregate function ${String(fn)}; use count, sum, min, max or avg`);
  }
}

function invalid(aggregate: string, message: string): StrataError {
  return new StrataError('STREAM_INVALID', `Window aggregate ${aggregate}: ${message}`, { aggregate });
}

const isNull = (value: unknown): boolean => value === null || value === undefined;

/** A double for the state store: JSON has no NaN/Infinity, so those become text. */
export function toStateDouble(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function fromStateDouble(value: unknown): number {
  return typeof value === 'string' ? Number(value) : (value as number);
}

function countOf(name: string, column: string | undefined): Aggregate {
  return {
    name,
    outputType: Types.long,
    empty: () => 0n,
    add: (acc, row) => (column === undefined || !isNull(row[column]) ? (acc as bigint) + 1n : acc),
    merge: (a, b) => (a as bigint) + (b as bigint),
    result: (acc) => acc,
  };
}

/** Accumulator: [sum, non-null count]; the sum is bigint for exact types, a state double otherwise. */
type SumAcc = [bigint | number | string, number];

function sumOf(name: string, field: NestedField): Aggregate {
  const exact = EXACT.has(field.type.kind);
  const outputType: IcebergType = field.type.kind === 'decimal' ? { kind: 'decimal', precision: 38, scale: field.type.scale } : exact ? Types.long : Types.double;
  const running = runningSum(field.name, exact);
  return {
    name,
    outputType,
    empty: running.empty,
    add: running.add,
    merge: running.merge,
    result: (acc) => {
      const [sum, count] = acc as SumAcc;
      if (count === 0) return null;
      return exact ? sum : fromStateDouble(sum);
    },
  };
}

function avgOf(name: string, field: NestedField): Aggregate {
  const exact = EXACT.has(field.type.kind);
  const scale = field.type.kind === 'decimal' ? field.type.scale : 0;
  const running = runningSum(field.name, exact);
  return {
    name,
    outputType: Types.double,
    empty: running.empty,
    add: running.add,
    merge: running.merge,
    result: (acc) => {
      const [sum, count] = acc as SumAcc;
      if (count === 0) return null;
      if (!exact) return fromStateDouble(sum) / count;
      // Exact quotient and remainder first, so a huge long sum loses no more than a double's precision.
      const total = sum as bigint;
      const n = BigInt(count);
      const value = Number(total / n) + Number(total % n) / count;
      return scale === 0 ? value : value / 10 ** scale;
    },
  };
}

function runningSum(column: string, exact: boolean): Pick<Aggregate, 'empty' | 'add' | 'merge'> {
  return {
    empty: (): SumAcc => [exact ? 0n : 0, 0],
    add: (acc, row) => {
      const value = row[column];
      if (isNull(value)) return acc;
      const [sum, count] = acc as SumAcc;
      const next = exact ? (sum as bigint) + BigInt(value as bigint | number) : toStateDouble(fromStateDouble(sum) + Number(value));
      return [next, count + 1] satisfies SumAcc;
    },
    merge: (a, b) => {
      const [x, n] = a as SumAcc;
      const [y, m] = b as SumAcc;
      return [exact ? (x as bigint) + (y as bigint) : toStateDouble(fromStateDouble(x) + fromStateDouble(y)), n + m] satisfies SumAcc;
    },
  };
}

function extremeOf(name: string, field: NestedField, fn: 'min' | 'max'): Aggregate {
  const floating = field.type.kind === 'float' || field.type.kind === 'double';
  const load = (acc: Accumulator): unknown => (floating && acc !== null ? fromStateDouble(acc) : acc);
  const save = (value: unknown): Accumulator => (floating ? toStateDouble(value as number) : value);
  const pick = (current: unknown, candidate: unknown): unknown => {
    if (isNull(candidate)) return current;
    if (isNull(current)) return candidate;
    const order = compareValues(candidate, current);
    return (fn === 'min' ? order < 0 : order > 0) ? candidate : current;
  };
  return {
    name,
    outputType: field.type,
    empty: () => null,
    add: (acc, row) => save(pick(load(acc), row[field.name])),
    merge: (a, b) => save(pick(load(a), load(b))),
    result: (acc) => load(acc) ?? null,
  };
}

/**
 * Orders two non-null values of one ordered type. NaN sorts above every other double (as in
 * DuckDB and Spark); strings compare by code point (UTF-8 byte order), not UTF-16 units.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  const x = a as bigint;
  const y = b as bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}
