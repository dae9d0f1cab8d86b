/**
 * Compilers for the rules answered by the aggregate pass alone: dataset shape (RowCount,
 * ColumnCount, ColumnExists, ColumnNamesMatchPattern), statistics (Completeness, Mean, Sum,
 * StandardDeviation, ColumnCorrelation) and the row-level value rules (IsComplete, ColumnValues,
 * ColumnLength, ColumnDataType, DataFreshness).
 *
 * Semantics (Glue / Deequ): NULLs are ignored by Mean, Sum, StandardDeviation and
 * ColumnCorrelation; StandardDeviation is the POPULATION standard deviation (Glue's documented
 * example: units {0, 20, 40} → 16.33); ColumnCorrelation is Pearson's r; ColumnLength treats NULL
 * as length 0; DataFreshness is row-level: each row's age (now − value, in hours) must satisfy the
 * condition and NULL fails.
 */
import { asNumber, formatMetric } from './check-condition.ts';
import {
  castTargetOf,
  findColumn,
  glueTypeOf,
  isStringType,
  isTemporalType,
  normalizeGlueTypeName,
  requireNumeric,
} from './column-types.ts';
import { conditionSql } from './condition-sql.ts';
import { complianceMeasurement, countRows } from './row-check.ts';
import type { CompileContext, Finish, RuleCompiler } from './rule-compiler.ts';
import { metricsOf, valueOf } from './rule-compiler.ts';
import { RuleProblem } from './rule-problem.ts';
import { instantLiteral, quoteIdent, scopeOf } from './sql-literals.ts';
import type { ResolvedCondition } from './resolve-condition.ts';

/** `fn(expr)`, filtered by the rule's where clause, cast to DOUBLE so DECIMAL/HUGEINT arrive as numbers. */
function aggregate(ctx: CompileContext, fn: string, args: string): string {
  const filter = ctx.rule.where === undefined ? '' : ` FILTER (WHERE ${scopeOf(ctx.rule.where)})`;
  return `CAST(${fn}(${args})${filter} AS DOUBLE)`;
}

function column(ctx: CompileContext, index = 0) {
  return findColumn(ctx.dataset, ctx.rule.params[index] ?? '');
}

function statistic(fn: string, numeric: boolean): RuleCompiler {
  return (ctx) => {
    const col = column(ctx);
    if (numeric) requireNumeric(col, ctx.rule.ruleType);
    const alias = ctx.plan.aggregate(ctx.owner, aggregate(ctx, fn, quoteIdent(col.name)));
    return async (values) => {
      const observed = valueOf(values, alias);
      return { ...(observed === undefined ? {} : { observed }), metrics: metricsOf({ [ctx.metricKey]: observed }) };
    };
  };
}

const rowCount: RuleCompiler = (ctx) => {
  const alias = ctx.plan.aggregate(
    ctx.owner,
    ctx.rule.where === undefined ? 'count(*)' : `count(*) FILTER (WHERE ${scopeOf(ctx.rule.where)})`,
  );
  return async (values) => {
    const observed = valueOf(values, alias) ?? 0;
    return { observed, metrics: { [ctx.metricKey]: observed } };
  };
};

const columnCount: RuleCompiler = (ctx) => async () => {
  const observed = ctx.dataset.columns.length;
  return { observed, metrics: { [ctx.metricKey]: observed } };
};

const completeness: RuleCompiler = (ctx) => {
  const col = column(ctx);
  const counts = countRows(ctx, `${quoteIdent(col.name)} IS NOT NULL`);
  return async (values) => {
    const c = counts(values);
    const metrics = metricsOf({ [ctx.metricKey]: c.ratio });
    const base = { metrics, passingRows: c.passingRows, ...(c.ratio === undefined ? {} : { observed: c.ratio }) };
    if (ctx.rule.ruleType === 'Completeness') return base;
    const passed = c.ratio === undefined || c.ratio === 1;
    const message = passed ? {} : { message: `Value: ${formatMetric(c.ratio ?? 0)} does not meet the constraint requirement!` };
    return { ...base, verdict: { passed, ...message } };
  };
};

const columnExists: RuleCompiler = (ctx) => async () => {
  const name = ctx.rule.params[0] ?? '';
  let found = true;
  try {
    findColumn(ctx.dataset, name);
  } catch {
    found = false;
  }
  const columns = ctx.dataset.columns.map((c) => c.name).join(', ');
  return {
    observed: found ? 1 : 0,
    metrics: { [ctx.metricKey]: found ? 1 : 0 },
    verdict: found ? { passed: true } : { passed: false, message: `Column "${name}" does not exist; the columns are: ${columns}` },
  };
};

const columnNamesMatchPattern: RuleCompiler = (ctx) => {
  const pattern = ctx.rule.params[0] ?? '';
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
  } catch (error) {
    throw new RuleProblem(`Invalid regular expression "${pattern}": ${(error as Error).message}`);
  }
  return async () => {
    const names = ctx.dataset.columns.map((c) => c.name);
    const misses = names.filter((n) => !regex.test(n));
    const ratio = names.length === 0 ? 1 : (names.length - misses.length) / names.length;
    return {
      observed: ratio,
      metrics: { [ctx.metricKey]: ratio },
      verdict:
        misses.length === 0
          ? { passed: true }
          : { passed: false, message: `Columns not matching "${pattern}": ${misses.join(', ')}` },
    };
  };
};

const columnCorrelation: RuleCompiler = (ctx) => {
  const a = column(ctx, 0);
  const b = column(ctx, 1);
  requireNumeric(a, 'ColumnCorrelation');
  requireNumeric(b, 'ColumnCorrelation');
  const alias = ctx.plan.aggregate(ctx.owner, aggregate(ctx, 'corr', `${quoteIdent(a.name)}, ${quoteIdent(b.name)}`));
  return async (values) => {
    const observed = valueOf(values, alias);
    return { ...(observed === undefined ? {} : { observed }), metrics: metricsOf({ [ctx.metricKey]: observed }) };
  };
};

/** Analyzer form (no condition): min and max, as Glue's ColumnValues/ColumnLength analyzers report. */
function minMax(ctx: CompileContext, expr: string, names: readonly [string, string]): Finish {
  const min = ctx.plan.aggregate(ctx.owner, aggregate(ctx, 'min', expr));
  const max = ctx.plan.aggregate(ctx.owner, aggregate(ctx, 'max', expr));
  const col = ctx.rule.params[0] ?? '';
  return async (values) => ({
    metrics: metricsOf({ [`Column.${col}.${names[0]}`]: valueOf(values, min), [`Column.${col}.${names[1]}`]: valueOf(values, max) }),
  });
}

const columnValues: RuleCompiler = (ctx) => {
  const col = column(ctx);
  const expr = quoteIdent(col.name);
  if (ctx.condition === undefined) {
    if (!isNumericLike(col.type)) return async () => ({ metrics: {} });
    return minMax(ctx, expr, ['Minimum', 'Maximum']);
  }
  const counts = countRows(ctx, conditionSql(expr, ctx.condition, { columnType: col.type }));
  return async (values) => complianceMeasurement(ctx, counts(values));
};

function isNumericLike(type: string): boolean {
  const g = glueTypeOf(type);
  return g !== 'STRING' && g !== 'BOOLEAN' && g !== 'BINARY';
}

const columnLength: RuleCompiler = (ctx) => {
  const col = column(ctx);
  const expr = `length(coalesce(CAST(${quoteIdent(col.name)} AS VARCHAR), ''))`;
  const lengths = minMax(ctx, expr, ['MinimumLength', 'MaximumLength']);
  if (ctx.condition === undefined) return lengths;
  const counts = countRows(ctx, conditionSql(expr, ctx.condition, { columnType: 'BIGINT' }));
  return async (values) => complianceMeasurement(ctx, counts(values), (await lengths(values)).metrics);
};

const dataFreshness: RuleCompiler = (ctx) => {
  const col = column(ctx);
  if (!isTemporalType(col.type)) {
    throw new RuleProblem(`DataFreshness needs a DATE or TIMESTAMP column; "${col.name}" is ${col.type}`);
  }
  const condition = ctx.condition;
  if (condition === undefined) throw new RuleProblem('DataFreshness needs a condition such as <= 24 hours');
  const ageHours = `((epoch(${instantLiteral(ctx.now.getTime(), col.type)}) - epoch(${quoteIdent(col.name)})) / 3600.0)`;
  const counts = countRows(ctx, conditionSql(ageHours, hoursOnly(condition), { columnType: 'DOUBLE', durationsAsHours: true }));
  const newest = ctx.plan.aggregate(ctx.owner, aggregate(ctx, 'min', ageHours));
  return async (values) =>
    complianceMeasurement(ctx, counts(values), metricsOf({ [`Column.${ctx.rule.params[0] ?? ''}.DataFreshness.NewestAgeHours`]: valueOf(values, newest) }));
};

/** DataFreshness compares ages: bare numbers are read as hours, durations converted to hours. */
function hoursOnly(condition: ResolvedCondition): ResolvedCondition {
  const h = (v: Parameters<typeof asNumber>[0]) => ({ kind: 'number', value: asNumber(v) }) as const;
  switch (condition.kind) {
    case 'compare':
      return { ...condition, value: h(condition.value) };
    case 'between':
      return { ...condition, low: h(condition.low), high: h(condition.high) };
    case 'in':
      return { ...condition, values: condition.values.map(h) };
    case 'matches':
      throw new RuleProblem('DataFreshness compares ages; matches does not apply');
  }
}

/**
 * ColumnDataType: the column's declared type mapped to Glue's names satisfies the condition → every
 * row complies. A STRING column that does not satisfy it is checked value by value, as Glue does:
 * a value complies when it can be cast to an accepted type (NULL complies). Any other column type
 * complies with nothing (there is nothing to cast).
 */
const columnDataType: RuleCompiler = (ctx) => {
  const col = column(ctx);
  const condition = ctx.condition;
  if (condition === undefined) throw new RuleProblem('ColumnDataType needs a condition such as = "INTEGER"');
  const { accepted, negated } = typeNames(condition);
  const declared = glueTypeOf(col.type);
  const satisfied = negated ? !accepted.includes(declared) : accepted.includes(declared);
  if (satisfied || negated || !isStringType(col.type)) {
    return async () => {
      const ratio = satisfied ? 1 : 0;
      const measurement = complianceMeasurement(ctx, { ratio, total: 1, passing: ratio, passingRows: 'TRUE' });
      const { passingRows: _drop, ...rest } = measurement;
      if (rest.verdict?.passed !== false) return rest;
      return { ...rest, verdict: { passed: false, message: `Column "${col.name}" has type ${declared} (${col.type}); expected ${formatTypes(condition)}` } };
    };
  }
  const q = quoteIdent(col.name);
  const casts = accepted
    .map(castTargetOf)
    .filter((t): t is string => t !== undefined)
    .map((t) => `TRY_CAST(${q} AS ${t}) IS NOT NULL`);
  if (casts.length === 0) throw new RuleProblem(`Unknown type in ${formatTypes(condition)}; use BOOLEAN, DATE, TIMESTAMP, INTEGER, LONG, DOUBLE, FLOAT, DECIMAL or STRING`);
  const counts = countRows(ctx, `(${q} IS NULL OR ${casts.join(' OR ')})`);
  return async (values) => complianceMeasurement(ctx, counts(values));
};

function typeNames(condition: ResolvedCondition): { accepted: string[]; negated: boolean } {
  const name = (v: { kind: string; value?: unknown }): string => {
    if (v.kind !== 'string' || typeof v.value !== 'string') throw new RuleProblem('ColumnDataType compares with type names in quotes, e.g. = "INTEGER"');
    return normalizeGlueTypeName(v.value);
  };
  if (condition.kind === 'compare' && (condition.operator === '=' || condition.operator === '!=')) {
    return { accepted: [name(condition.value)], negated: condition.operator === '!=' };
  }
  if (condition.kind === 'in') return { accepted: condition.values.map(name), negated: condition.negated };
  throw new RuleProblem('ColumnDataType supports =, !=, in and not in');
}

function formatTypes(condition: ResolvedCondition): string {
  const { accepted, negated } = typeNames(condition);
  return `${negated ? 'not ' : ''}${accepted.join(' or ')}`;
}

export const COLUMN_RULE_COMPILERS = {
  RowCount: rowCount,
  ColumnCount: columnCount,
  Completeness: completeness,
  IsComplete: completeness,
  Mean: statistic('avg', true),
  Sum: statistic('sum', true),
  StandardDeviation: statistic('stddev_pop', true),
  ColumnCorrelation: columnCorrelation,
  ColumnExists: columnExists,
  ColumnNamesMatchPattern: columnNamesMatchPattern,
  ColumnValues: columnValues,
  ColumnLength: columnLength,
  ColumnDataType: columnDataType,
  DataFreshness: dataFreshness,
} satisfies Record<string, RuleCompiler>;
