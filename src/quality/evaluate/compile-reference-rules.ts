/**
 * Compilers for the rules that compare the primary dataset with another one, resolved through
 * `context.relationOf(name)`; each costs its own statement (SchemaMatch none: it compares the column
 * lists).
 *
 * - ReferentialIntegrity "a,b" "ref.{x,y}": fraction of primary rows whose key (all parts non-NULL)
 *   exists in the reference. Row-level: the predicate is `row(a, b) IN (SELECT row(x, y) FROM ref)`.
 * - DatasetMatch "ref" "id->ref_id" ["amount->ref_amount"]: fraction of primary rows for which a
 *   reference row with the same key has equal match columns (NULL equals NULL); without match
 *   mappings every non-key primary column is compared with the same-named reference column.
 *   Written as EXISTS, so duplicate reference keys never inflate the ratio.
 * - AggregateMatch "sum(amount)" "sum(ledger.amount)": first aggregate / second. Each side is
 *   `sum|avg|min|max|count(column)` (or `count(*)`), optionally `dataset.column`; anything else is
 *   an error rather than SQL pasted into the query.
 * - RowCountMatch "ref": primary rows / reference rows.
 * - SchemaMatch "ref": columns with the same name and the same engine type / all column names of
 *   both (1.0 exactly when the schemas are equal; column order does not matter).
 */
import { messageOf } from '../../core/index.ts';
import { formatMetric } from './check-condition.ts';
import { findColumn } from './column-types.ts';
import type { QualityDataset } from './evaluation.ts';
import type { CompileContext, RuleCompiler } from './rule-compiler.ts';
import { metricsOf, numberOf } from './rule-compiler.ts';
import { RuleProblem } from './rule-problem.ts';
import { quoteIdent } from './sql-literals.ts';

async function reference(ctx: CompileContext, name: string): Promise<QualityDataset> {
  if (ctx.relationOf === undefined) {
    throw new RuleProblem(`${ctx.rule.ruleType} needs the dataset "${name}", but the evaluation has no relationOf to resolve it`);
  }
  try {
    return await ctx.relationOf(name);
  } catch (error) {
    throw new RuleProblem(`Reference dataset "${name}" could not be resolved: ${messageOf(error)}`);
  }
}

function ratioMeasurement(ctx: CompileContext, observed: number | undefined, passingRows?: string) {
  return {
    ...(observed === undefined ? {} : { observed }),
    metrics: metricsOf({ [ctx.metricKey]: observed }),
    ...(passingRows === undefined ? {} : { passingRows }),
  };
}

async function twoNumbers(ctx: CompileContext, sql: string): Promise<[number | undefined, number | undefined]> {
  const row = (await ctx.run(sql))[0] ?? [];
  return [numberOf(row[0]), numberOf(row[1])];
}

/** `"ref.{x,y}"` → { name: 'ref', columns: ['x', 'y'] }; `"db.ref.x"` → { name: 'db.ref', columns: ['x'] }. */
export function parseReferenceSpec(spec: string): { name: string; columns: string[] } {
  const braced = /^(.+)\.\{([^}]*)\}$/.exec(spec.trim());
  if (braced !== null) return { name: braced[1] ?? '', columns: splitList(braced[2] ?? '') };
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new RuleProblem(`Reference "${spec}" must look like "dataset.{column,…}" or "dataset.column"`);
  return { name: spec.slice(0, dot), columns: [spec.slice(dot + 1).trim()] };
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const referentialIntegrity: RuleCompiler = async (ctx) => {
  const primaryColumns = splitList(ctx.rule.params[0] ?? '').map((c) => quoteIdent(findColumn(ctx.dataset, c).name));
  const spec = parseReferenceSpec(ctx.rule.params[1] ?? '');
  if (spec.columns.length !== primaryColumns.length) {
    throw new RuleProblem(`ReferentialIntegrity maps ${primaryColumns.length} primary column(s) to ${spec.columns.length} reference column(s)`);
  }
  const ref = await reference(ctx, spec.name);
  const refColumns = spec.columns.map((c) => quoteIdent(findColumn(ref, c, `reference dataset "${spec.name}"`).name));
  const key = (cols: readonly string[]) => (cols.length === 1 ? (cols[0] ?? '') : `row(${cols.join(', ')})`);
  const predicate =
    `(${primaryColumns.map((c) => `${c} IS NOT NULL`).join(' AND ')} AND ` +
    `${key(primaryColumns)} IN (SELECT ${key(refColumns)} FROM ${ref.relation}))`;
  return async () => {
    const [matched, total] = await twoNumbers(
      ctx,
      `SELECT count(*) FILTER (WHERE coalesce(${predicate}, false)), count(*) FROM ${ctx.dataset.relation}`,
    );
    return ratioMeasurement(ctx, total === undefined || total === 0 ? undefined : (matched ?? 0) / total, predicate);
  };
};

function parseMappings(text: string): [string, string][] {
  return splitList(text).map((pair) => {
    const [left, right] = pair.split('->').map((s) => s.trim());
    if (left === undefined || left === '') throw new RuleProblem(`Bad column mapping "${pair}" (write a->b or a)`);
    return [left, right ?? left];
  });
}

const datasetMatch: RuleCompiler = async (ctx) => {
  const [refName = '', keyText = '', matchText] = ctx.rule.params;
  const ref = await reference(ctx, refName);
  const inRef = (c: string) => findColumn(ref, c, `reference dataset "${refName}"`).name;
  const keys = parseMappings(keyText).map(([p, r]) => [findColumn(ctx.dataset, p).name, inRef(r)] as const);
  if (keys.length === 0) throw new RuleProblem('DatasetMatch needs at least one key column mapping');
  const matches =
    matchText === undefined
      ? ctx.dataset.columns.filter((c) => !keys.some(([k]) => k === c.name)).map((c) => [c.name, inRef(c.name)] as const)
      : parseMappings(matchText).map(([p, r]) => [findColumn(ctx.dataset, p).name, inRef(r)] as const);
  const p = (c: string) => `__dq_p.${quoteIdent(c)}`;
  const r = (c: string) => `__dq_r.${quoteIdent(c)}`;
  const conditions = [
    ...keys.map(([pk, rk]) => `${r(rk)} = ${p(pk)}`),
    ...matches.map(([pc, rc]) => `${r(rc)} IS NOT DISTINCT FROM ${p(pc)}`),
  ];
  const sql =
    `SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM (SELECT * FROM ${ref.relation}) AS __dq_r WHERE ${conditions.join(' AND ')})), count(*) ` +
    `FROM (SELECT * FROM ${ctx.dataset.relation}) AS __dq_p`;
  return async () => {
    const [matched, total] = await twoNumbers(ctx, sql);
    return ratioMeasurement(ctx, total === undefined || total === 0 ? undefined : (matched ?? 0) / total);
  };
};

const AGGREGATE = /^\s*(sum|avg|min|max|count)\s*\(\s*(\*|[^()]+?)\s*\)\s*$/i;

async function aggregateSide(ctx: CompileContext, expression: string): Promise<string> {
  const match = AGGREGATE.exec(expression);
  if (match === null) {
    throw new RuleProblem(`AggregateMatch expression "${expression}" must be sum|avg|min|max|count(column), optionally count(*) or fn(dataset.column)`);
  }
  const fn = (match[1] ?? '').toLowerCase();
  const inner = match[2] ?? '';
  if (inner === '*') {
    if (fn !== 'count') throw new RuleProblem(`${fn}(*) is not an aggregate; only count(*) is`);
    return `(SELECT CAST(count(*) AS DOUBLE) FROM ${ctx.dataset.relation})`;
  }
  let dataset = ctx.dataset;
  let columnName = inner;
  const dot = inner.lastIndexOf('.');
  const isPrimaryColumn = ctx.dataset.columns.some((c) => c.name.toLowerCase() === inner.toLowerCase());
  if (dot > 0 && !isPrimaryColumn) {
    dataset = await reference(ctx, inner.slice(0, dot));
    columnName = inner.slice(dot + 1);
  }
  const col = findColumn(dataset, columnName, dataset === ctx.dataset ? 'dataset' : `dataset "${inner.slice(0, dot)}"`);
  return `(SELECT CAST(${fn}(${quoteIdent(col.name)}) AS DOUBLE) FROM ${dataset.relation})`;
}

const aggregateMatch: RuleCompiler = async (ctx) => {
  const first = await aggregateSide(ctx, ctx.rule.params[0] ?? '');
  const second = await aggregateSide(ctx, ctx.rule.params[1] ?? '');
  return async () => {
    const [a, b] = await twoNumbers(ctx, `SELECT ${first}, ${second}`);
    const observed = a === undefined || b === undefined || b === 0 ? undefined : a / b;
    return ratioMeasurement(ctx, observed);
  };
};

const rowCountMatch: RuleCompiler = async (ctx) => {
  const ref = await reference(ctx, ctx.rule.params[0] ?? '');
  return async () => {
    const [a, b] = await twoNumbers(
      ctx,
      `SELECT (SELECT count(*) FROM ${ctx.dataset.relation}), (SELECT count(*) FROM ${ref.relation})`,
    );
    return ratioMeasurement(ctx, a === undefined || b === undefined || b === 0 ? undefined : a / b);
  };
};

const schemaMatch: RuleCompiler = async (ctx) => {
  const refName = ctx.rule.params[0] ?? '';
  const ref = await reference(ctx, refName);
  return async () => {
    const typeOf = (d: QualityDataset) => new Map(d.columns.map((c) => [c.name, c.type.trim().toUpperCase()]));
    const mine = typeOf(ctx.dataset);
    const theirs = typeOf(ref);
    const names = new Set([...mine.keys(), ...theirs.keys()]);
    const differences: string[] = [];
    let matched = 0;
    for (const name of names) {
      const a = mine.get(name);
      const b = theirs.get(name);
      if (a !== undefined && a === b) matched++;
      else differences.push(a === undefined ? `"${name}" only in ${refName}` : b === undefined ? `"${name}" only in the dataset` : `"${name}" is ${a} vs ${b}`);
    }
    const observed = names.size === 0 ? 1 : matched / names.size;
    const measurement = ratioMeasurement(ctx, observed);
    return differences.length === 0 ? measurement : { ...measurement, note: `${formatMetric(observed)}: ${differences.join(', ')}` };
  };
};

export const REFERENCE_RULE_COMPILERS = {
  ReferentialIntegrity: referentialIntegrity,
  DatasetMatch: datasetMatch,
  AggregateMatch: aggregateMatch,
  RowCountMatch: rowCountMatch,
  SchemaMatch: schemaMatch,
} satisfies Record<string, RuleCompiler>;
