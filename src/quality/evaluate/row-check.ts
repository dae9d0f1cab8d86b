/**
 * The row-level rules' common shape: a predicate that is TRUE for passing rows, counted in the
 * aggregate pass as `count(*) FILTER (WHERE <scope> AND coalesce(<predicate>, false))` next to the
 * scope's row count. The observed value is the fraction of rows in scope that pass ("compliance").
 *
 * Without `with threshold`, every row must pass; with it, the fraction is checked against the
 * threshold. A scope with no rows passes (no row fails) and reports no observed value.
 */
import { checkNumber, formatMetric } from './check-condition.ts';
import type { CompileContext, Measurement } from './rule-compiler.ts';
import { valueOf } from './rule-compiler.ts';
import { formatCondition } from './format-resolved.ts';
import { outsideWhereOrPasses, scopeOf } from './sql-literals.ts';

export interface RowCounts {
  readonly passing?: number;
  readonly total?: number;
  /** passing / total, absent when the scope is empty. */
  readonly ratio?: number;
  /** The predicate widened so rows outside `where` pass: the rule's `passingRows`. */
  readonly passingRows: string;
}

/** Registers the counts; call the returned function with the pass values. */
export function countRows(ctx: CompileContext, predicate: string): (values: ReadonlyMap<string, unknown>) => RowCounts {
  const scope = scopeOf(ctx.rule.where);
  const passAlias = ctx.plan.aggregate(ctx.owner, `count(*) FILTER (WHERE ${scope} AND coalesce(${predicate}, false))`);
  const totalAlias = ctx.plan.aggregate(ctx.owner, ctx.rule.where === undefined ? 'count(*)' : `count(*) FILTER (WHERE ${scope})`);
  const passingRows = outsideWhereOrPasses(predicate, ctx.rule.where);
  return (values) => {
    const passing = valueOf(values, passAlias);
    const total = valueOf(values, totalAlias);
    const ratio = total === undefined || total === 0 || passing === undefined ? undefined : passing / total;
    return { ...(passing === undefined ? {} : { passing }), ...(total === undefined ? {} : { total }), ...(ratio === undefined ? {} : { ratio }), passingRows };
  };
}

/** All rows must pass, or the fraction must meet `with threshold`. */
export function complianceMeasurement(ctx: CompileContext, counts: RowCounts, extra: Record<string, number> = {}): Measurement {
  const metrics = { ...extra, ...(counts.ratio === undefined ? {} : { [ctx.metricKey]: counts.ratio }) };
  const base = { metrics, passingRows: counts.passingRows };
  if (counts.ratio === undefined) {
    return { ...base, verdict: { passed: true, message: 'No rows to check (the dataset or the where clause matched 0 rows): no row fails.' } };
  }
  const ratio = counts.ratio;
  const failedRows = (counts.total ?? 0) - (counts.passing ?? 0);
  if (ctx.threshold !== undefined) {
    const passed = checkNumber(ratio, ctx.threshold);
    return {
      ...base,
      observed: ratio,
      verdict: passed
        ? { passed }
        : { passed, message: `Value: ${formatMetric(ratio)} does not meet the constraint requirement! (with threshold ${formatCondition(ctx.threshold)}; ${failedRows} of ${counts.total ?? 0} rows failed)` },
    };
  }
  const passed = failedRows === 0;
  return {
    ...base,
    observed: ratio,
    verdict: passed
      ? { passed }
      : { passed, message: `${(ratio * 100).toFixed(2)} % of rows passed the threshold (${failedRows} of ${counts.total ?? 0} rows failed)` },
  };
}
