/**
 * Schema inference from a sample of records (the first `sampleSize` parseable records of the run).
 *
 * Rules, per column (a column is any key seen in any sampled record, in first-seen order):
 * - JSON booleans → boolean; integers → long; other numbers → double; integers mixed with other
 *   numbers → double.
 * - Strings → `date` when every sampled value is `YYYY-MM-DD`; `timestamptz` when every value is an
 *   ISO-8601 date-time with a zone (`Z`, `+02:00`); `timestamp` when every value is one without a
 *   zone (dates mixed in are fine); anything else (including zoned mixed with unzoned) → string.
 * - In text mode (CSV cells) strings are also probed: integers → long (not with a leading zero,
 *   so `007` stays text), numbers → double, `true`/`false` → boolean.
 * - Objects → struct (their keys inferred recursively); arrays → list (elements merged; an
 *   always-empty list → list<string>).
 * - Columns seen only as null, and columns with conflicting kinds (a number here, a string
 *   there) → string. Every inferred column is optional.
 * Field ids: top-level columns 1..n in order, nested ids after them.
 */
import { ExactNumber } from '../core/index.ts';
import type { IcebergType, NestedField } from '../table/index.ts';
import { Types, field } from '../table/index.ts';
import { parseDate, parseDateTime } from './time-text.ts';

type Kind = 'boolean' | 'long' | 'double' | 'date' | 'timestamp' | 'timestamptz' | 'string' | 'struct' | 'list';

interface Shape {
  readonly kinds: Set<Kind>;
  fields?: Map<string, Shape>;
  element?: Shape;
}

const TEXT_INTEGER = /^[+-]?(?:0|[1-9]\d*)$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const TEXT_NUMBER = /^[+-]?(?:0|[1-9]\d*)?(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Accumulates observations of records, then yields the inferred columns. */
export class SchemaInferrer {
  readonly #root: Shape = { kinds: new Set(), fields: new Map() };
  #records = 0;

  get records(): number {
    return this.#records;
  }

  observe(record: Readonly<Record<string, unknown>>, textMode: boolean): void {
    this.#records += 1;
    observeFields(this.#root, record, textMode);
  }

  /** The inferred columns (ids from 1), or [] when nothing was observed. */
  fields(): NestedField[] {
    const top = [...(this.#root.fields ?? new Map<string, Shape>()).entries()];
    let next = top.length + 1;
    const nextId = () => next++;
    return top.map(([name, shape], i) => field(i + 1, name, resolve(shape, nextId)));
  }
}

function observeFields(shape: Shape, record: Readonly<Record<string, unknown>>, textMode: boolean): void {
  const fields = (shape.fields ??= new Map());
  for (const [key, value] of Object.entries(record)) {
    let child = fields.get(key);
    if (!child) fields.set(key, (child = { kinds: new Set() }));
    observe(child, value, textMode);
  }
}

function observe(shape: Shape, value: unknown, textMode: boolean): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'boolean') shape.kinds.add('boolean');
  else if (typeof value === 'bigint') shape.kinds.add('long');
  else if (typeof value === 'number') shape.kinds.add(Number.isInteger(value) ? 'long' : 'double');
  else if (value instanceof ExactNumber) shape.kinds.add('double');
  else if (typeof value === 'string') shape.kinds.add(textKind(value, textMode));
  else if (Array.isArray(value)) {
    shape.kinds.add('list');
    const element = (shape.element ??= { kinds: new Set() });
    for (const e of value) observe(element, e, false);
  } else if (typeof value === 'object') {
    shape.kinds.add('struct');
    observeFields(shape, value as Record<string, unknown>, false);
  } else shape.kinds.add('string');
}

function textKind(text: string, textMode: boolean): Kind {
  if (textMode) {
    if (TEXT_INTEGER.test(text)) {
      // A 64-bit integer is a long; a longer one would lose digits as a double, so it stays text.
      const n = BigInt(text);
      return n >= LONG_MIN && n <= LONG_MAX ? 'long' : 'string';
    }
    if (text !== '' && TEXT_NUMBER.test(text) && /\d/.test(text)) return 'double';
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') return 'boolean';
  }
  if (parseDate(text) !== undefined) return 'date';
  const dt = parseDateTime(text);
  if (dt !== undefined) return dt.offsetMinutes === undefined ? 'timestamp' : 'timestamptz';
  return 'string';
}

function resolve(shape: Shape, nextId: () => number): IcebergType {
  const kinds = shape.kinds;
  if (kinds.size === 1) {
    const [only] = kinds;
    switch (only) {
      case 'struct': {
        const entries = [...(shape.fields ?? new Map<string, Shape>()).entries()];
        const ids = entries.map(() => nextId());
        return Types.struct(entries.map(([name, child], i) => field(ids[i] ?? 0, name, resolve(child, nextId))));
      }
      case 'list': {
        const elementId = nextId();
        return Types.list(elementId, resolve(shape.element ?? { kinds: new Set() }, nextId));
      }
      case undefined:
        return Types.string;
      default:
        return Types[only];
    }
  }
  if (kinds.size === 2 && kinds.has('long') && kinds.has('double')) return Types.double;
  if (kinds.size === 2 && kinds.has('date') && kinds.has('timestamp')) return Types.timestamp;
  return Types.string;
}
