/**
 * Property tests for pruning safety: for random rows, partition specs and predicates, whenever a row
 * satisfies the bound row predicate, its partition must satisfy the projection, and the manifest
 * and data-file evaluators must say "might match". Counters prove pruning does happen.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { schema } from '../schema/schema.ts';
import type { Schema } from '../schema/schema.ts';
import { Types, field } from '../schema/types.ts';
import type { PrimitiveType } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import type { DataFile } from '../manifest/data-file.ts';
import type { FieldSummary, ManifestFile } from '../manifest/manifest-file.ts';
import type { PartitionSpec } from '../partition/partition-spec.ts';
import { parseTransform, truncateString } from '../partition/transforms.ts';
import { compareValues, serializeValue } from '../serde/single-value.ts';
import { formatDecimal } from '../partition/human-string.ts';
import type { Expression, LiteralInput, Operation } from './expression.ts';
import { Expressions, expressionToString } from './expression.ts';
import { bind } from './bind.ts';
import { evaluatePartition, evaluateRow } from './evaluator.ts';
import { projectInclusive } from './projection.ts';
import { ManifestEvaluator } from './manifest-evaluator.ts';
import { MetricsEvaluator } from './metrics-evaluator.ts';

// Deterministic PRNG so a failure reproduces (mulberry32).
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Gen = (r: () => number) => Exclude<IcebergValue, null>;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const DAY = 86_400_000_000n;
const HOUR = 3_600_000_000n;

const CHARS = ['a', 'b', 'é', '😀', '\uffff', 'z'];
const genString = (r: () => number): string => Array.from({ length: int(r, 0, 4) }, () => pick(r, CHARS)).join('');
const genBytes = (r: () => number, len: number) => Uint8Array.from({ length: len }, () => pick(r, [0, 1, 0x7f, 0x80, 0xff]));
const genMicros: Gen = (r) => {
  const base = BigInt(int(r, -800, 800)) * DAY;
  const within = pick(r, [0n, HOUR * BigInt(int(r, 0, 23)), BigInt(int(r, 0, 86_399_999)) * 1000n + BigInt(int(r, 0, 999)), DAY - 1n]);
  return base + within;
};
const genFloat: Gen = (r) => pick(r, [-1.5, -0, 0, 1, 2.5, Number.NaN, Infinity, -Infinity, Math.fround(0.1), int(r, -3, 3)]);

interface TypeCase {
  readonly type: PrimitiveType;
  readonly gen: Gen;
  readonly transforms: readonly string[];
}

const TYPE_CASES: readonly TypeCase[] = [
  { type: Types.boolean, gen: (r) => r() < 0.5, transforms: ['identity', 'void'] },
  {
    type: Types.int,
    gen: (r) => (r() < 0.05 ? pick(r, [-0x80000000, 0x7fffffff]) : int(r, -40, 40)),
    transforms: ['identity', 'bucket[7]', 'truncate[1]', 'truncate[10]', 'truncate[3]', 'void'],
  },
  {
    type: Types.long,
    gen: (r) => (r() < 0.05 ? pick(r, [-(2n ** 63n), 2n ** 63n - 1n]) : BigInt(int(r, -40, 40))),
    transforms: ['identity', 'bucket[7]', 'truncate[10]', 'truncate[4]'],
  },
  { type: Types.decimal(9, 2), gen: (r) => BigInt(int(r, -3000, 3000)), transforms: ['identity', 'bucket[5]', 'truncate[50]', 'truncate[100]'] },
  { type: Types.date, gen: (r) => int(r, -800, 800), transforms: ['identity', 'bucket[7]', 'year', 'month', 'day'] },
  { type: Types.time, gen: (r) => BigInt(int(r, 0, 86_399)) * 1_000_000n, transforms: ['identity', 'bucket[7]'] },
  { type: Types.timestamp, gen: genMicros, transforms: ['identity', 'bucket[7]', 'year', 'month', 'day', 'hour'] },
  { type: Types.timestamptz, gen: genMicros, transforms: ['day', 'hour', 'month'] },
  { type: Types.string, gen: genString, transforms: ['identity', 'bucket[7]', 'truncate[1]', 'truncate[2]', 'truncate[3]'] },
  {
    type: Types.uuid,
    gen: (r) => pick(r, ['00000000-0000-0000-0000-000000000000', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', '7fffffff-0000-0000-0000-000000000001', '80000000-ffff-0000-0000-000000000000']),
    transforms: ['identity', 'bucket[3]'],
  },
  { type: Types.binary, gen: (r) => genBytes(r, int(r, 0, 3)), transforms: ['identity', 'bucket[7]', 'truncate[1]', 'truncate[2]'] },
  { type: Types.fixed(2), gen: (r) => genBytes(r, 2), transforms: ['identity', 'bucket[7]'] },
  { type: Types.float, gen: (r) => Math.fround(genFloat(r) as number), transforms: ['identity', 'void'] },
  { type: Types.double, gen: genFloat, transforms: ['identity'] },
];

function opsFor(type: PrimitiveType): Operation[] {
  const ops: Operation[] = ['isNull', 'notNull', 'lt', 'ltEq', 'gt', 'gtEq', 'eq', 'notEq', 'in', 'notIn'];
  if (type.kind === 'float' || type.kind === 'double') ops.push('isNaN', 'notNaN');
  if (type.kind === 'string') ops.push('startsWith', 'notStartsWith');
  return ops;
}

/** A literal the way a caller would write it (decimals as text). */
function asInput(type: PrimitiveType, v: Exclude<IcebergValue, null>): LiteralInput {
  return type.kind === 'decimal' ? formatDecimal(v as bigint, type.scale) : v;
}

function randomPredicate(r: () => number, c: TypeCase, rows: readonly IcebergValue[]): Expression {
  const op = pick(r, opsFor(c.type));
  const existing = rows.filter((v): v is Exclude<IcebergValue, null> => v !== null && !(typeof v === 'number' && Number.isNaN(v)));
  const literal = () => {
    let v = existing.length > 0 && r() < 0.6 ? pick(r, existing) : c.gen(r);
    if (typeof v === 'number' && Number.isNaN(v)) v = 0;
    return asInput(c.type, v);
  };
  switch (op) {
    case 'isNull':
    case 'notNull':
    case 'isNaN':
    case 'notNaN':
      return Expressions[op]('c');
    case 'in':
    case 'notIn':
      return Expressions[op]('c', Array.from({ length: int(r, 0, 3) }, literal));
    case 'startsWith':
    case 'notStartsWith': {
      const base = existing.length > 0 && r() < 0.7 ? String(pick(r, existing)) : genString(r);
      const prefix = truncateString(base, int(r, 0, 4));
      return Expressions[op]('c', prefix);
    }
    default: {
      const name = ({ lt: 'lessThan', ltEq: 'lessThanOrEqual', gt: 'greaterThan', gtEq: 'greaterThanOrEqual', eq: 'equal', notEq: 'notEqual' } as const)[op];
      return Expressions[name]('c', literal());
    }
  }
}

function randomExpression(r: () => number, c: TypeCase, rows: readonly IcebergValue[]): Expression {
  const roll = r();
  if (roll < 0.6) return randomPredicate(r, c, rows);
  if (roll < 0.75) return Expressions.not(randomPredicate(r, c, rows));
  if (roll < 0.9) return Expressions.and(randomPredicate(r, c, rows), randomPredicate(r, c, rows));
  return Expressions.or(randomPredicate(r, c, rows), Expressions.not(randomPredicate(r, c, rows)));
}

/** Upper bound of a truncated prefix: bump the last code point (or byte), as writers must. */
function truncatedUpper(type: PrimitiveType, v: Exclude<IcebergValue, null>, width: number): Exclude<IcebergValue, null> | undefined {
  if (typeof v === 'string') {
    const t = truncateString(v, width);
    if (t === v) return v;
    const cps = [...t];
    while (cps.length > 0) {
      const last = (cps.pop() as string).codePointAt(0) ?? 0;
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      if (next <= 0x10ffff) return cps.join('') + String.fromCodePoint(next);
    }
    return undefined;
  }
  if (v instanceof Uint8Array && type.kind === 'binary') {
    if (v.length <= width) return v;
    const t = Array.from(v.subarray(0, width));
    while (t.length > 0) {
      const last = t.pop() as number;
      if (last < 255) return Uint8Array.from([...t, last + 1]);
    }
    return undefined;
  }
  return v;
}

function truncatedLower(v: Exclude<IcebergValue, null>, width: number): Exclude<IcebergValue, null> {
  if (typeof v === 'string') return truncateString(v, width);
  if (v instanceof Uint8Array) return v.length <= width ? v : v.slice(0, width);
  return v;
}

function flipZero(r: () => number, v: Exclude<IcebergValue, null>): Exclude<IcebergValue, null> {
  return v === 0 && r() < 0.5 ? (Object.is(v, -0) ? 0 : -0) : v;
}

function minMax(type: PrimitiveType, values: readonly IcebergValue[]) {
  const ordered = values
    .filter((v): v is Exclude<IcebergValue, null> => v !== null && !(typeof v === 'number' && Number.isNaN(v)))
    .sort((a, b) => compareValues(type, a, b));
  return { min: ordered[0], max: ordered[ordered.length - 1] };
}

function buildDataFile(r: () => number, type: PrimitiveType, partition: readonly IcebergValue[], values: readonly IcebergValue[]): DataFile {
  const { min, max } = minMax(type, values);
  const nulls = values.filter((v) => v === null).length;
  const nans = values.filter((v) => typeof v === 'number' && Number.isNaN(v)).length;
  const isFloat = type.kind === 'float' || type.kind === 'double';
  const truncate = (type.kind === 'string' || type.kind === 'binary') && r() < 0.5 ? int(r, 1, 2) : undefined;
  const lower = min === undefined ? undefined : truncate === undefined ? flipZero(r, min) : truncatedLower(min, truncate);
  const upper = max === undefined ? undefined : truncate === undefined ? flipZero(r, max) : truncatedUpper(type, max, truncate);
  const dropMetrics = r() < 0.1;
  return {
    content: 0,
    filePath: 'mem://file',
    fileFormat: 'PARQUET',
    specId: 0,
    partition,
    recordCount: values.length,
    fileSizeInBytes: 1,
    ...(dropMetrics
      ? {}
      : {
          valueCounts: new Map([[1, values.length]]),
          nullValueCounts: new Map([[1, nulls]]),
          ...(isFloat ? { nanValueCounts: new Map([[1, nans]]) } : {}),
          lowerBounds: new Map(lower === undefined ? [] : [[1, serializeValue(type, lower)]]),
          upperBounds: new Map(upper === undefined ? [] : [[1, serializeValue(type, upper)]]),
        }),
  };
}

function buildManifest(spec: PartitionSpec, s: Schema, partitions: readonly (readonly IcebergValue[])[]): ManifestFile {
  const sourceType = s.fields[0]?.type as PrimitiveType;
  const summaries: FieldSummary[] = spec.fields.map((pf, i) => {
    const type = parseTransform(pf.transform).resultType(sourceType);
    const values = partitions.map((p) => p[i] ?? null);
    const { min, max } = minMax(type, values);
    const containsNan = values.some((v) => typeof v === 'number' && Number.isNaN(v));
    return {
      containsNull: values.some((v) => v === null),
      ...(type.kind === 'float' || type.kind === 'double' ? { containsNan } : {}),
      ...(min === undefined ? {} : { lowerBound: serializeValue(type, min) }),
      ...(max === undefined ? {} : { upperBound: serializeValue(type, max) }),
    };
  });
  return {
    manifestPath: 'mem://manifest',
    manifestLength: 1,
    partitionSpecId: spec.specId,
    content: 0,
    sequenceNumber: 1n,
    minSequenceNumber: 1n,
    addedSnapshotId: 1n,
    addedFilesCount: partitions.length,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 0,
    existingRowsCount: 0,
    deletedRowsCount: 0,
    partitions: summaries,
  };
}

interface Counters {
  partitionPruned: number;
  filePruned: number;
  manifestPruned: number;
}

function runTrial(seed: number, c: TypeCase, transformText: string, counters: Counters): void {
  const r = rng(seed);
  const s = schema(1, [field(1, 'c', c.type)]);
  const second = r() < 0.3 ? pick(r, c.transforms) : undefined;
  const spec: PartitionSpec = {
    specId: 0,
    fields: [
      { sourceId: 1, fieldId: 1000, name: 'p0', transform: transformText },
      ...(second === undefined ? [] : [{ sourceId: 1, fieldId: 1001, name: 'p1', transform: second }]),
    ],
  };
  const transforms = spec.fields.map((pf) => parseTransform(pf.transform));
  const rows: IcebergValue[] = Array.from({ length: int(r, 1, 40) }, () => (r() < 0.1 ? null : c.gen(r)));
  const partitionOf = (v: IcebergValue) => transforms.map((t) => t.apply(v, c.type));

  // Group rows into files by partition tuple (sometimes splitting a partition across files).
  const groups = new Map<string, { partition: IcebergValue[]; rows: IcebergValue[] }[]>();
  for (const v of rows) {
    const partition = partitionOf(v);
    const key = partition.map((p) => (p instanceof Uint8Array ? Buffer.from(p).toString('hex') : `${typeof p}:${String(Object.is(p, -0) ? '-0' : p)}`)).join('|');
    const list = groups.get(key) ?? [];
    if (list.length === 0 || r() < 0.2) list.push({ partition, rows: [] });
    (list[list.length - 1] as { rows: IcebergValue[] }).rows.push(v);
    groups.set(key, list);
  }
  const files = [...groups.values()].flat().map((g) => ({ ...g, file: buildDataFile(r, c.type, g.partition, g.rows) }));
  const manifest = buildManifest(spec, s, files.map((f) => f.partition));

  const expr = randomExpression(r, c, rows);
  const bound = bind(expr, s);
  const projected = projectInclusive(bound, spec, s);
  const manifestEval = new ManifestEvaluator(projected);
  const metricsEval = new MetricsEvaluator(bound);
  const manifestMight = manifestEval.mightMatch(manifest);
  if (!manifestMight) counters.manifestPruned++;

  for (const f of files) {
    const partitionMight = evaluatePartition(projected, f.partition);
    const fileMight = metricsEval.mightMatch(f.file);
    if (!partitionMight) counters.partitionPruned++;
    if (!fileMight) counters.filePruned++;
    for (const v of f.rows) {
      if (!evaluateRow(bound, new Map([[1, v]]))) continue;
      const context = () =>
        `seed=${seed} type=${c.type.kind} spec=${spec.fields.map((x) => x.transform).join(',')} expr=${expressionToString(bound)} value=${String(v)}`;
      assert.ok(partitionMight, `projection pruned a matching row: ${context()} partition=${String(f.partition)}`);
      assert.ok(fileMight, `metrics pruned a matching row: ${context()}`);
      assert.ok(manifestMight, `manifest pruned a matching row: ${context()}`);
    }
  }
}

describe('pruning never loses a matching row (property)', () => {
  for (const c of TYPE_CASES) {
    for (const transformText of c.transforms) {
      test(`${c.type.kind} / ${transformText}`, () => {
        const counters: Counters = { partitionPruned: 0, filePruned: 0, manifestPruned: 0 };
        const base = [...`${c.type.kind}${transformText}`].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
        for (let i = 0; i < 400; i++) runTrial(base + i, c, transformText, counters);
        // True negatives: metrics always prune some files; projections prune unless the transform is void.
        assert.ok(counters.filePruned > 0, 'metrics never pruned');
        if (transformText !== 'void') {
          assert.ok(counters.partitionPruned > 0, 'projection never pruned');
          assert.ok(counters.manifestPruned > 0, 'manifest evaluator never pruned');
        }
      });
    }
  }
});
