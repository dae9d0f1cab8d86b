/**
 * Compilers for the rules answered by the grouped pass (one CTE per key-column set and where
 * clause): Uniqueness, IsUnique, IsPrimaryKey, DistinctValuesCount, UniqueValueRatio, Entropy.
 *
 * Semantics (Deequ, which Glue runs): rows whose key columns are all NULL are left out.
 * - Uniqueness = values occurring exactly once / rows ([a, a, b] → 1/3); IsUnique needs 1.0.
 * - UniqueValueRatio = values occurring exactly once / distinct values ([a, a, b] → 1/2).
 * - DistinctValuesCount = distinct non-NULL values.
 * - Entropy = −Σ p·ln p over the value frequencies, in nats (natural log).
 * - IsPrimaryKey: every key column complete AND the key unique.
 *
 * Row level: a row passes IsUnique/Uniqueness unless its key is one of the duplicated keys
 * (`<key> NOT IN (SELECT <key> … GROUP BY … HAVING count(*) > 1)`); multi-column keys compare as
 * `row(a, b)`, which DuckDB compares NULL-safely. IsPrimaryKey additionally fails rows with a NULL key.
 */
import { formatMetric } from './check-condition.ts';
import { findColumn } from './column-types.ts';
import type { CompileContext, RuleCompiler } from './rule-compiler.ts';
import { metricsOf, valueOf } from './rule-compiler.ts';
import { outsideWhereOrPasses, quoteIdent, scopeOf } from './sql-literals.ts';

function keyColumns(ctx: CompileContext): string[] {
  return ctx.rule.params.map((p) => quoteIdent(findColumn(ctx.dataset, p).name));
}

/** TRUE for rows whose key is not duplicated (within the rule's where). */
function notDuplicated(ctx: CompileContext, keys: readonly string[]): string {
  const allNull = keys.map((k) => `${k} IS NULL`).join(' AND ');
  const keyExpr = keys.length === 1 ? (keys[0] ?? '') : `row(${keys.join(', ')})`;
  const duplicates =
    `SELECT ${keyExpr} FROM ${ctx.dataset.relation} WHERE ${scopeOf(ctx.rule.where)} AND NOT (${allNull}) ` +
    `GROUP BY ${keys.join(', ')} HAVING count(*) > 1`;
  return `((${allNull}) OR ${keyExpr} NOT IN (${duplicates}))`;
}

const uniqueness: RuleCompiler = (ctx) => {
  const keys = keyColumns(ctx);
  const unique = ctx.plan.grouped(ctx.owner, keys, ctx.rule.where, 'unique');
  const total = ctx.plan.grouped(ctx.owner, keys, ctx.rule.where, 'total');
  const passingRows = outsideWhereOrPasses(notDuplicated(ctx, keys), ctx.rule.where);
  return async (values) => {
    const u = valueOf(values, unique);
    const n = valueOf(values, total);
    const ratio = u === undefined || n === undefined || n === 0 ? undefined : u / n;
    const base = { metrics: metricsOf({ [ctx.metricKey]: ratio }), passingRows, ...(ratio === undefined ? {} : { observed: ratio }) };
    if (ctx.rule.ruleType === 'Uniqueness') return base;
    const passed = ratio === undefined || ratio === 1;
    return { ...base, verdict: passed ? { passed } : { passed, message: `Value: ${formatMetric(ratio ?? 0)} does not meet the constraint requirement!` } };
  };
};

const isPrimaryKey: RuleCompiler = (ctx) => {
  const keys = keyColumns(ctx);
  const unique = ctx.plan.grouped(ctx.owner, keys, ctx.rule.where, 'unique');
  const total = ctx.plan.grouped(ctx.owner, keys, ctx.rule.where, 'total');
  const scope = scopeOf(ctx.rule.where);
  const rows = ctx.plan.aggregate(ctx.owner, ctx.rule.where === undefined ? 'count(*)' : `count(*) FILTER (WHERE ${scope})`);
  const complete = keys.map((k) => ctx.plan.aggregate(ctx.owner, `count(*) FILTER (WHERE ${scope} AND ${k} IS NOT NULL)`));
  const noNulls = keys.map((k) => `${k} IS NOT NULL`).join(' AND ');
  const passingRows = outsideWhereOrPasses(`(${noNulls}) AND ${notDuplicated(ctx, keys)}`, ctx.rule.where);
  return async (values) => {
    const n = valueOf(values, rows) ?? 0;
    const completeness = complete.map((alias) => (n === 0 ? undefined : (valueOf(values, alias) ?? 0) / n));
    const u = valueOf(values, unique);
    const distinctRows = valueOf(values, total);
    const ratio = u === undefined || distinctRows === undefined || distinctRows === 0 ? undefined : u / distinctRows;
    const metrics = metricsOf({
      [ctx.metricKey]: ratio,
      ...Object.fromEntries(ctx.rule.params.map((p, i) => [`Column.${p}.Completeness`, completeness[i]])),
    });
    const incomplete = ctx.rule.params.filter((_p, i) => completeness[i] !== undefined && completeness[i] !== 1);
    const problems: string[] = [];
    if (incomplete.length > 0) problems.push(`NULL values in ${incomplete.map((p) => `"${p}"`).join(', ')}`);
    if (ratio !== undefined && ratio !== 1) problems.push(`Uniqueness ${formatMetric(ratio)} < 1`);
    return {
      metrics,
      passingRows,
      ...(ratio === undefined ? {} : { observed: ratio }),
      verdict: problems.length === 0 ? { passed: true } : { passed: false, message: `Not a primary key: ${problems.join('; ')}` },
    };
  };
};

const distinctValuesCount: RuleCompiler = (ctx) => {
  const alias = ctx.plan.grouped(ctx.owner, keyColumns(ctx), ctx.rule.where, 'distinct');
  return async (values) => {
    const observed = valueOf(values, alias) ?? 0;
    return { observed, metrics: { [ctx.metricKey]: observed } };
  };
};

const uniqueValueRatio: RuleCompiler = (ctx) => {
  const keys = keyColumns(ctx);
  const unique = ctx.plan.grouped(ctx.owner, keys, ctx.rule.where, 'unique');
  const distinct = ctx.plan.grouped(ctx.owner, keys, ctx.rule.where, 'distinct');
  return async (values) => {
    const u = valueOf(values, unique);
    const d = valueOf(values, distinct);
    const observed = u === undefined || d === undefined || d === 0 ? undefined : u / d;
    return { ...(observed === undefined ? {} : { observed }), metrics: metricsOf({ [ctx.metricKey]: observed }) };
  };
};

const entropy: RuleCompiler = (ctx) => {
  const alias = ctx.plan.grouped(ctx.owner, keyColumns(ctx), ctx.rule.where, 'entropy');
  return async (values) => {
    const observed = valueOf(values, alias);
    return { ...(observed === undefined ? {} : { observed }), metrics: metricsOf({ [ctx.metricKey]: observed }) };
  };
};

export const GROUPED_RULE_COMPILERS = {
  Uniqueness: uniqueness,
  IsUnique: uniqueness,
  IsPrimaryKey: isPrimaryKey,
  DistinctValuesCount: distinctValuesCount,
  UniqueValueRatio: uniqueValueRatio,
  Entropy: entropy,
} satisfies Record<string, RuleCompiler>;
